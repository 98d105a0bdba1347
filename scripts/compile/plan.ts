/**
 * The plan of `deno task compile`: the two binaries, each with its
 * permission flags from `lib/sandbox/permission_flags.ts` and its settings
 * baked in as absolute paths, and the `deno compile` arguments that build
 * them. `scripts/compile.ts` runs it; the sandbox tests run the programs
 * under exactly these flags.
 *
 * @module
 */

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { clientStateDir, parseServerAddress } from "../../lib/cli/ferry/client_options.ts";
import { parsePort, parseStorageKind } from "../../lib/cli/ferryd/server_args.ts";
import { serverStateDir } from "../../lib/core/defaults.ts";
import { FerryError } from "../../lib/core/errors.ts";
import { checkWebOptions, parseWebAddress } from "../../lib/web/web_options.ts";
import {
  clientPermissionFlags,
  netAddress,
  SERVER_DEFAULTS,
  serverDenoFlags,
  type ServerSandboxConfig,
} from "../../lib/sandbox/permission_flags.ts";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** One binary to build. */
export interface BuildStep {
  /** `ferryd` or `ferry`. */
  name: "ferryd" | "ferry";
  /** The Deno flags baked in: permissions (and, for ferryd, its V8 settings). */
  flags: string[];
  /** The entry point (absolute). */
  entry: string;
  /** The arguments baked in before the ones given at run time. */
  bakedArgs: string[];
  /** The binary's path (absolute). */
  output: string;
  /** What it may touch, in words. */
  summary: string;
}

/** What `deno task compile` builds. */
export interface CompilePlan {
  /** The steps, ferryd first. */
  steps: [BuildStep, BuildStep];
  /** `--target`, when cross-compiling. */
  target: string | undefined;
  /** Print the commands only. */
  dryRun: boolean;
  /** Show the usage. */
  help: boolean;
}

/**
 * Reads the compile options into the two build steps; every folder is
 * made absolute against the current folder.
 *
 * @throws {FerryError} `usage` for unknown options or bad values.
 */
export function compilePlan(argv: string[]): CompilePlan {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: "string", default: SERVER_DEFAULTS.dataDir },
        host: { type: "string", default: SERVER_DEFAULTS.hostname },
        port: { type: "string", default: String(SERVER_DEFAULTS.port) },
        storage: { type: "string", default: "local" },
        "s3-endpoint": { type: "string" },
        "s3-env": { type: "boolean", default: false },
        web: { type: "string" },
        "web-cert": { type: "string" },
        "web-key": { type: "string" },
        "web-insecure": { type: "boolean", default: false },
        server: { type: "string" },
        work: { type: "string", default: "." },
        home: { type: "string" },
        out: { type: "string", default: "dist" },
        target: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (cause) {
    throw new FerryError("usage", (cause as Error).message, { cause });
  }
  const port = parsePort(values.port);
  const dataDir = resolve(values.data);
  const hostname = values.host;
  const web = webBuild(values);
  const sandbox = { ...ferrydSandbox({ dataDir, hostname, port }, values), ...web.sandbox };
  const local = ["0.0.0.0", "::", ""].includes(hostname) ? "127.0.0.1" : hostname;
  const address = parseServerAddress(values.server ?? netAddress(local, port));
  const server = netAddress(address.hostname, address.port);
  const workDir = resolve(values.work);
  const stateDir = resolve(values.home ?? (values.help ? "." : clientStateDir()));
  const out = resolve(values.out);
  return {
    steps: [
      {
        name: "ferryd",
        flags: serverDenoFlags(sandbox),
        entry: `${ROOT}/server.ts`,
        bakedArgs: [
          "--data",
          dataDir,
          "--host",
          hostname,
          "--port",
          String(port),
          ...(sandbox.storage === "s3" ? ["--storage", "s3"] : []),
          ...web.bakedArgs,
        ],
        output: `${out}/ferryd`,
        summary: sandbox.storage === "s3"
          ? `serves files from S3 at ${sandbox.s3Endpoint} on ${netAddress(hostname, port)}, ` +
            `with state in "${serverStateDir(dataDir)}"`
          : `serves "${dataDir}" on ${netAddress(hostname, port)}`,
      },
      {
        name: "ferry",
        flags: clientPermissionFlags({ workDir, stateDir, server }),
        entry: `${ROOT}/client.ts`,
        bakedArgs: ["--server", server, "--work", workDir, "--home", stateDir],
        output: `${out}/ferry`,
        summary: `connects to ${server}; reads and writes "${workDir}" and "${stateDir}"`,
      },
    ],
    target: values.target,
    dryRun: values["dry-run"],
    help: values.help,
  };
}

/** ferryd's sandbox: the local one, or with S3 storage its endpoint and source. */
function ferrydSandbox(
  base: ServerSandboxConfig,
  values: { storage: string; "s3-endpoint"?: string | undefined; "s3-env": boolean },
): ServerSandboxConfig {
  const storage = parseStorageKind(values.storage);
  const endpoint = values["s3-endpoint"];
  if (storage === "local") {
    if (endpoint !== undefined || values["s3-env"]) {
      throw new FerryError("usage", "Cannot use --s3-endpoint or --s3-env without --storage s3");
    }
    return base;
  }
  if (endpoint === undefined) {
    throw new FerryError(
      "usage",
      "Cannot build ferryd --storage s3 without its S3 endpoint: give --s3-endpoint URL",
    );
  }
  return { ...base, storage, s3Endpoint: endpoint, s3FromEnv: values["s3-env"] };
}

/** The web front end's grant and baked arguments (`--web`, `--web-cert`, `--web-key`, `--web-insecure`). */
function webBuild(values: {
  web?: string | undefined;
  "web-cert"?: string | undefined;
  "web-key"?: string | undefined;
  "web-insecure": boolean;
}): { sandbox: Partial<ServerSandboxConfig>; bakedArgs: string[] } {
  if (values.web === undefined) {
    if (
      values["web-cert"] !== undefined || values["web-key"] !== undefined || values["web-insecure"]
    ) {
      throw new FerryError(
        "usage",
        "Cannot use --web-cert, --web-key or --web-insecure without --web",
      );
    }
    return { sandbox: {}, bakedArgs: [] };
  }
  const address = parseWebAddress(values.web);
  const cert = values["web-cert"] === undefined ? undefined : resolve(values["web-cert"]);
  const key = values["web-key"] === undefined ? undefined : resolve(values["web-key"]);
  checkWebOptions({
    ...address,
    ...(cert === undefined ? {} : { certFile: cert }),
    ...(key === undefined ? {} : { keyFile: key }),
    insecure: values["web-insecure"],
  });
  const files = [cert, key].filter((file): file is string => file !== undefined);
  const bakedArgs = ["--web", values.web];
  if (cert !== undefined) bakedArgs.push("--web-cert", cert);
  if (key !== undefined) bakedArgs.push("--web-key", key);
  if (values["web-insecure"]) bakedArgs.push("--web-insecure");
  return {
    sandbox: {
      web: netAddress(address.hostname, address.port),
      ...(files.length === 0 ? {} : { webFiles: files }),
    },
    bakedArgs,
  };
}

/** The `deno` arguments that build `step`. */
export function compileArgs(step: BuildStep, target?: string): string[] {
  return [
    "compile",
    ...step.flags,
    ...(target === undefined ? [] : ["--target", target]),
    "--output",
    step.output,
    step.entry,
    ...step.bakedArgs,
  ];
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
