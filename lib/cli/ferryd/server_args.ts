/**
 * ferryd's argument shape, shared by `server.ts`, the launcher and
 * `scripts/compile.ts`:
 *
 * ```
 * server.ts [--data DIR] [--host HOST] [--port PORT] [--storage local|s3] [command [arguments]]
 * ```
 *
 * Options before the command are defaults for it. `scripts/compile.ts`
 * bakes `--data ABS --host H --port P` (and `--storage s3`) into the binary, and Deno puts baked
 * arguments before the ones given at run time, so `ferryd` alone serves
 * with the build's settings, `ferryd user add NAME` manages the build's data
 * folder, and `ferryd --port 9999` asks for another port (which the
 * self-check then refuses, naming the build that would allow it).
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { parseWebAddress } from "../../web/web_options.ts";
import {
  netAddress,
  SERVER_DEFAULTS,
  type ServerSandboxConfig,
  type StorageKind,
} from "../../sandbox/permission_flags.ts";

const GLOBAL_OPTIONS = [
  "--data",
  "--host",
  "--port",
  "--storage",
  "--web",
  "--web-cert",
  "--web-key",
] as const;
// Global options without a value (a compiled ferryd may carry `--web-insecure`).
const GLOBAL_SWITCHES: readonly string[] = ["--web-insecure"];
// What the commands other than `serve` take of the global options.
const STATE_OPTIONS: readonly string[] = ["--data", "--storage"];
const HELP_WORDS = ["--help", "-h", "--version"];

/**
 * Normalises ferryd's arguments to `[command, ...arguments]`: leading
 * `--data`, `--host`, `--port` and `--storage` move behind the command
 * (where the command's own options, coming later, override them), and
 * options with no command mean `serve`. Other commands (`user`, ...) take
 * only `--data` and `--storage`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveServerArgs } from "./server_args.ts";
 * const args = resolveServerArgs(["--data", "/srv/f", "--port", "9000", "user", "list"]);
 * assert.equal(args.join(" "), "user --data /srv/f list");
 * ```
 */
export function resolveServerArgs(args: string[]): string[] {
  const globals: string[] = [];
  let index = 0;
  for (; index < args.length; index++) {
    const word = args[index] as string;
    if (GLOBAL_SWITCHES.includes(word)) {
      globals.push(word, "");
      continue;
    }
    const name = GLOBAL_OPTIONS.find((option) => word === option || word.startsWith(`${option}=`));
    if (name === undefined) break;
    if (word === name) {
      const value = args[index + 1];
      if (value === undefined) throw new FerryError("usage", `Option "${name}" needs a value`);
      globals.push(name, value);
      index++;
    } else {
      globals.push(name, word.slice(name.length + 1));
    }
  }
  const rest = args.slice(index);
  const first = rest[0];
  if (globals.length === 0) return rest;
  if (first === undefined || (first.startsWith("-") && !HELP_WORDS.includes(first))) {
    return ["serve", ...dropSwitchValues(globals), ...rest];
  }
  const [command, ...tail] = rest as [string, ...string[]];
  if (command === "serve") return ["serve", ...dropSwitchValues(globals), ...tail];
  if (HELP_WORDS.includes(command) || command === "help" || command === "version") return rest;
  const data = globals.flatMap((word, i) =>
    i % 2 === 0 && STATE_OPTIONS.includes(word) ? [word, globals[i + 1] as string] : []
  );
  return [command, ...data, ...tail];
}

function dropSwitchValues(globals: string[]): string[] {
  return globals.filter((_word, i) =>
    !(i % 2 === 1 && GLOBAL_SWITCHES.includes(globals[i - 1] ?? ""))
  );
}

function lastValue(args: string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word === "--") break;
    if (word === name) found = args[++i];
    else if (word.startsWith(`${name}=`)) found = word.slice(name.length + 1);
  }
  return found;
}

/**
 * The sandbox that ferryd's arguments ask for: the data folder, address,
 * port and storage it will use (the defaults where the arguments say
 * nothing), as the server itself will read them. With `--storage s3` the
 * S3 endpoint is not among them (it is in `s3.json` or the environment):
 * the launcher and `scripts/compile.ts` add it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverSandboxConfig } from "./server_args.ts";
 * const config = serverSandboxConfig(["serve", "--port", "9000"]);
 * assert.equal(config.port, 9000);
 * assert.equal(config.dataDir, "./data");
 * ```
 */
export function serverSandboxConfig(args: string[]): ServerSandboxConfig {
  const port = lastValue(args, "--port");
  const storage = lastValue(args, "--storage");
  const web = lastValue(args, "--web");
  const webFiles = [lastValue(args, "--web-cert"), lastValue(args, "--web-key")].filter((
    file,
  ): file is string => file !== undefined);
  return {
    dataDir: lastValue(args, "--data") ?? SERVER_DEFAULTS.dataDir,
    hostname: lastValue(args, "--host") ?? SERVER_DEFAULTS.hostname,
    port: port === undefined ? SERVER_DEFAULTS.port : parsePort(port),
    ...(storage === undefined ? {} : { storage: parseStorageKind(storage) }),
    ...(web === undefined ? {} : { web: webNetAddress(web) }),
    ...(webFiles.length === 0 ? {} : { webFiles }),
  };
}

/** `--web ADDR:PORT` as Deno's `--allow-net` spells it. */
function webNetAddress(text: string): string {
  const { hostname, port } = parseWebAddress(text);
  return netAddress(hostname, port);
}

/**
 * Parses `--storage`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStorageKind } from "./server_args.ts";
 * assert.equal(parseStorageKind("s3"), "s3");
 * ```
 *
 * @throws {FerryError} `usage` unless it is `local` or `s3`.
 */
export function parseStorageKind(text: string): StorageKind {
  if (text !== "local" && text !== "s3") {
    throw new FerryError("usage", `Cannot use storage "${text}": expected "local" or "s3"`);
  }
  return text;
}

/**
 * The options of every ferryd command on a data folder, for `parseArgs`:
 * `--data DIR` and `--storage local|s3` (see {@linkcode parseStorageKind}).
 */
export const DATA_OPTIONS = {
  data: { type: "string", default: SERVER_DEFAULTS.dataDir },
  storage: { type: "string", default: "local" },
} as const;

/**
 * Parses a port number: 0 lets the system pick a free port (ferryd prints
 * the one it got in its "listening on" line).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePort } from "./server_args.ts";
 * assert.equal(parsePort("9000"), 9000);
 * assert.equal(parsePort("0"), 0);
 * ```
 *
 * @throws {FerryError} `usage` unless it is an integer from 0 to 65535.
 */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(port) || port > 65535) {
    throw new FerryError("usage", `Cannot use port "${text}": expected 0 to 65535`);
  }
  return port;
}
