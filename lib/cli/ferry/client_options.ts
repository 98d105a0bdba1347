/**
 * The client's command-line options and environment. Connection options
 * are given once; command options may also follow each command typed in the
 * shell, with the same meaning.
 *
 * @module
 */

import { resolve } from "node:path";
import { DEFAULT_PORT } from "../../core/defaults.ts";
import { FerryError } from "../../core/errors.ts";
import type { TrustMode } from "../../client/host_trust.ts";
import { type ClientSandboxConfig, netAddress } from "../../sandbox/permission_flags.ts";
import { parseConnectTimeout, parseServerAddress } from "./server_address.ts";
import {
  COMMAND_FLAGS,
  type CommandOptions,
  commandOptions,
  type CommandValues,
  parseWords,
} from "./command_options.ts";

export { parseServerAddress } from "./server_address.ts";
export { type CommandOptions, parseCommandLine } from "./command_options.ts";

/** Everything the client command line can say. */
export interface ClientOptions extends CommandOptions {
  /** Server host name. */
  hostname: string;
  /** Server port. */
  port: number;
  /** User name. */
  user: string | undefined;
  /** Seconds to wait for the server (the time at the prompts not counted). */
  connectTimeoutSeconds: number;
  /** Read the password from the first line of stdin. */
  passwordStdin: boolean;
  /** Identity file for key login. */
  identity: string | undefined;
  /** How to treat an unknown server key. */
  trust: TrustMode;
  /** Commands to run from a file (`-` for stdin), stopping at the first failure. */
  batch: string | undefined;
  /** The client's state folder (`known_hosts`, identity); absolute. */
  stateDir: string;
  /** The folder it may upload from and download into (`--work`, else the current one); absolute. */
  workDir: string;
  /** Show the usage. */
  help: boolean;
  /** Show the version. */
  version: boolean;
  /** `keygen --file-key FILE`: make a key file for encrypted files instead of an identity. */
  fileKey: string | undefined;
}

/** The default server when neither `--server` nor `FERRY_SERVER` says. */
export const DEFAULT_SERVER = `127.0.0.1:${DEFAULT_PORT}`;

const CONNECTION_FLAGS = {
  server: { type: "string", short: "s" },
  user: { type: "string", short: "u" },
  "password-stdin": { type: "boolean", default: false },
  identity: { type: "string", short: "i" },
  "accept-new-host-key": { type: "boolean", default: false },
  "strict-host-key": { type: "boolean", default: false },
  batch: { type: "string", short: "b" },
  help: { type: "boolean", short: "h", default: false },
  version: { type: "boolean", default: false },
  work: { type: "string" },
  home: { type: "string" },
  "file-key": { type: "string" },
  "connect-timeout": { type: "string" },
} as const;

/**
 * The user name: `--user`, else the `USER@` of `--server`, else
 * `FERRY_USER`, else the `USER@` of `FERRY_SERVER`, else `$USER`.
 *
 * @throws {FerryError} `usage` when `--user` and `--server USER@...` disagree.
 */
function userName(flag: string | undefined, server: string | undefined): string | undefined {
  const fromServer = server === undefined ? undefined : parseServerAddress(server).user;
  if (flag !== undefined && fromServer !== undefined && flag !== fromServer) {
    throw new FerryError(
      "usage",
      `Cannot log in as both "${flag}" (--user) and "${fromServer}" (--server ${server}): pick one`,
    );
  }
  const fromEnvServer = parseServerAddress(env("FERRY_SERVER") ?? DEFAULT_SERVER).user;
  return flag ?? fromServer ?? env("FERRY_USER") ?? fromEnvServer ?? env("USER");
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
 * @param argv The arguments.
 * @param cwd The folder relative `--work` and `--home` are resolved against:
 *   the one the user ran the command from. @default {Deno.cwd()}
 * @throws {FerryError} `usage` for unknown options or bad values.
 */
export function parseClientOptions(argv: string[], cwd: string = Deno.cwd()): ClientOptions {
  const { values, positionals } = parseWords(argv, { ...COMMAND_FLAGS, ...CONNECTION_FLAGS });
  const connection = values as {
    server?: string;
    user?: string;
    "password-stdin": boolean;
    identity?: string;
    "accept-new-host-key": boolean;
    "strict-host-key": boolean;
    batch?: string;
    help: boolean;
    version: boolean;
    work?: string;
    home?: string;
    "file-key"?: string;
    "connect-timeout"?: string;
  };
  const { hostname, port } = parseServerAddress(
    connection.server ?? env("FERRY_SERVER") ?? DEFAULT_SERVER,
  );
  return {
    ...commandOptions(values as unknown as CommandValues, positionals),
    hostname,
    port,
    user: userName(connection.user, connection.server),
    connectTimeoutSeconds: parseConnectTimeout(connection["connect-timeout"]),
    passwordStdin: connection["password-stdin"],
    identity: connection.identity,
    trust: connection["strict-host-key"]
      ? "strict"
      : connection["accept-new-host-key"]
      ? "accept-new"
      : "ask",
    batch: connection.batch,
    stateDir: connection.home !== undefined
      ? resolve(cwd, connection.home)
      : connection.help || connection.version
      ? ""
      : resolve(cwd, clientStateDir()),
    workDir: resolve(cwd, connection.work ?? "."),
    help: connection.help,
    version: connection.version,
    fileKey: connection["file-key"],
  };
}

/**
 * The sandbox the options ask for: the working and state folders, and the
 * server as `host:port`.
 */
export function clientSandboxConfig(options: ClientOptions): ClientSandboxConfig {
  return {
    workDir: options.workDir,
    stateDir: options.stateDir,
    server: netAddress(options.hostname, options.port),
  };
}
