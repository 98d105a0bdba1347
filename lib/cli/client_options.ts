/**
 * The client's command-line options and environment, resolved once.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { FerryError } from "../errors.ts";
import type { TrustMode } from "../client/host_trust.ts";

/** Everything the client command line can say. */
export interface ClientOptions {
  /** The command (`get`, `put`, ...) or `undefined` for none. */
  command: string | undefined;
  /** The command's arguments. */
  args: string[];
  /** Server host name. */
  hostname: string;
  /** Server port. */
  port: number;
  /** User name. */
  user: string | undefined;
  /** Read the password from the first line of stdin. */
  passwordStdin: boolean;
  /** Identity file for key login. */
  identity: string | undefined;
  /** How to treat an unknown server key. */
  trust: TrustMode;
  /** Print results as JSON on stdout. */
  json: boolean;
  /** No progress and no summaries. */
  quiet: boolean;
  /** Replace existing files. */
  force: boolean;
  /** Recursive (`rmdir -r`). */
  recursive: boolean;
  /** The client's state folder (`known_hosts`, identity). */
  stateDir: string;
  /** Show the usage. */
  help: boolean;
  /** Show the version. */
  version: boolean;
}

/** The default server when neither `--server` nor `FERRY_SERVER` says. */
export const DEFAULT_SERVER = "127.0.0.1:7878";

/**
 * Parses `host:port`, `[v6]:port` or `host` (port 7878).
 *
 * @throws {FerryError} `usage` when malformed.
 */
export function parseServerAddress(text: string): { hostname: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+))(?::(\d+))?$/.exec(text);
  const port = Number(match?.[3] ?? 7878);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FerryError("usage", `Cannot use server "${text}": expected HOST:PORT`);
  }
  return { hostname: (match[1] ?? match[2]) as string, port };
}

function env(name: string): string | undefined {
  return Deno.env.get(name) || undefined;
}

/** The client's state folder: `$FERRY_HOME`, else `~/.config/ferry`. */
export function clientStateDir(): string {
  const home = env("FERRY_HOME");
  if (home) return home;
  const userHome = env("HOME") ?? env("USERPROFILE");
  if (!userHome) {
    throw new FerryError("usage", "Cannot find the state folder: set FERRY_HOME or HOME");
  }
  return `${userHome}/.config/ferry`;
}

/**
 * Parses the command line and the `FERRY_*` environment.
 *
 * @throws {FerryError} `usage` for unknown options or bad values.
 */
export function parseClientOptions(argv: string[]): ClientOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        server: { type: "string", short: "s" },
        user: { type: "string", short: "u" },
        "password-stdin": { type: "boolean", default: false },
        identity: { type: "string", short: "i" },
        "accept-new-host-key": { type: "boolean", default: false },
        "strict-host-key": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        quiet: { type: "boolean", short: "q", default: false },
        force: { type: "boolean", short: "f", default: false },
        recursive: { type: "boolean", short: "r", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false },
      },
    });
  } catch (cause) {
    throw new FerryError("usage", (cause as Error).message, { cause });
  }
  const { values, positionals } = parsed;
  const { hostname, port } = parseServerAddress(
    values.server ?? env("FERRY_SERVER") ?? DEFAULT_SERVER,
  );
  const [command, ...args] = positionals;
  return {
    command,
    args,
    hostname,
    port,
    user: values.user ?? env("FERRY_USER") ?? env("USER"),
    passwordStdin: values["password-stdin"],
    identity: values.identity,
    trust: values["strict-host-key"]
      ? "strict"
      : values["accept-new-host-key"]
      ? "accept-new"
      : "ask",
    json: values.json,
    quiet: values.quiet,
    force: values.force,
    recursive: values.recursive,
    stateDir: values.help || values.version ? "" : clientStateDir(),
    help: values.help,
    version: values.version,
  };
}
