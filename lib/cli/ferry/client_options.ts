/**
 * The client's command-line options and environment. Connection options
 * are given once; command options may also follow each command typed in the
 * shell, with the same meaning.
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { FerryError } from "../../core/errors.ts";
import type { TrustMode } from "../../client/host_trust.ts";
import type { ConflictPolicy } from "../../client/conflict_policy.ts";
import { type ClientSandboxConfig, netAddress } from "../../sandbox/permission_flags.ts";
import { parseConnectTimeout, parseServerAddress } from "./server_address.ts";

export { parseServerAddress } from "./server_address.ts";

/** What one command says: its name, arguments and flags. */
export interface CommandOptions {
  /** The command (`get`, `put`, ...) or `undefined` for none. */
  command: string | undefined;
  /** The command's arguments. */
  args: string[];
  /** Print results as JSON on stdout. */
  json: boolean;
  /** No progress and no summaries. */
  quiet: boolean;
  /** A line per file of a transfer (`-v`). */
  verbose: boolean;
  /** `stat`: add the file's SHA-256 (`--hash`). */
  hash: boolean;
  /** What to do when a destination exists. */
  policy: ConflictPolicy;
  /** Folders with their contents (`get -r`, `put -r`, `rmdir -r`). */
  recursive: boolean;
  /** Continue interrupted transfers (on unless `--no-resume`). */
  resume: boolean;
  /** Compress chunks that shrink. */
  compress: boolean;
  /** `put`, `get`: also hash on the client and compare (`--verify`). */
  verify: boolean;
  /** `put`: encrypt on the client; the server stores only ciphertext. */
  encrypt: boolean;
  /** `get`: save encrypted files as stored, without decrypting. */
  raw: boolean;
  /** `get`: refuse files that are not encrypted. */
  decrypt: boolean;
  /** The key file of encrypted files, instead of a passphrase. */
  keyFile: string | undefined;
  /** A file whose first line is the passphrase of encrypted files. */
  passphraseFile: string | undefined;
  /** `-l KIB`: at most this many KiB per second on the wire, all transfers together. */
  limitKiB: number | undefined;
  /** `mkdir -p`: make missing parents, and an existing folder is fine. */
  parents: boolean;
}

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
export const DEFAULT_SERVER = "127.0.0.1:7878";

const COMMAND_FLAGS = {
  json: { type: "boolean", default: false },
  quiet: { type: "boolean", short: "q", default: false },
  verbose: { type: "boolean", short: "v", default: false },
  hash: { type: "boolean", default: false },
  force: { type: "boolean", short: "f", default: false },
  rename: { type: "boolean", default: false },
  recursive: { type: "boolean", short: "r", default: false },
  resume: { type: "boolean", default: false },
  "no-resume": { type: "boolean", default: false },
  compress: { type: "boolean", short: "z", default: false },
  verify: { type: "boolean", default: false },
  encrypt: { type: "boolean", default: false },
  raw: { type: "boolean", default: false },
  decrypt: { type: "boolean", default: false },
  "key-file": { type: "string" },
  "passphrase-file": { type: "string" },
  limit: { type: "string", short: "l" },
  parents: { type: "boolean", short: "p", default: false },
} as const;

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

type CommandValues = {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  hash: boolean;
  force: boolean;
  rename: boolean;
  recursive: boolean;
  resume: boolean;
  "no-resume": boolean;
  compress: boolean;
  verify: boolean;
  encrypt: boolean;
  raw: boolean;
  decrypt: boolean;
  "key-file"?: string;
  "passphrase-file"?: string;
  limit?: string;
  parents: boolean;
};

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const kib = Number(text);
  if (!Number.isFinite(kib) || kib <= 0) {
    throw new FerryError(
      "usage",
      `Cannot use -l "${text}": expected KiB per second, such as -l 500`,
    );
  }
  return kib;
}

function commandOptions(values: CommandValues, positionals: string[]): CommandOptions {
  if (values.force && values.rename) {
    throw new FerryError("usage", "Cannot use --force and --rename together: pick one");
  }
  if (values.resume && values["no-resume"]) {
    throw new FerryError("usage", "Cannot use --resume and --no-resume together: pick one");
  }
  const decrypting = values.decrypt || values["key-file"] !== undefined ||
    values["passphrase-file"] !== undefined;
  if (values.raw && decrypting) {
    const other = values.decrypt ? "--decrypt" : "a key option";
    throw new FerryError("usage", `Cannot use --raw and ${other} together: --raw does not decrypt`);
  }
  if (values["key-file"] !== undefined && values["passphrase-file"] !== undefined) {
    throw new FerryError(
      "usage",
      "Cannot use --key-file and --passphrase-file together: pick one",
    );
  }
  const [command, ...args] = positionals;
  return {
    command,
    args,
    json: values.json,
    quiet: values.quiet,
    verbose: values.verbose,
    hash: values.hash,
    policy: values.force ? "force" : values.rename ? "rename" : "refuse",
    recursive: values.recursive,
    resume: !values["no-resume"],
    compress: values.compress,
    verify: values.verify,
    encrypt: values.encrypt,
    raw: values.raw,
    decrypt: values.decrypt,
    keyFile: values["key-file"],
    passphraseFile: values["passphrase-file"],
    limitKiB: parseLimit(values.limit),
    parents: values.parents,
  };
}

type ParsedWords = { values: Record<string, unknown>; positionals: string[] };

function parseOnce(
  argv: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
): ParsedWords {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (cause) {
    throw new FerryError("usage", (cause as Error).message, { cause });
  }
}

/**
 * Parses words. `ls -l` is what sftp users type: `ls` is always long, so
 * its `-l` is dropped (elsewhere `-l KIB` is the bandwidth limit).
 */
function parse(argv: string[], options: NonNullable<ParseArgsConfig["options"]>): ParsedWords {
  const at = argv.indexOf("ls");
  if (at !== -1 && argv.indexOf("-l", at) !== -1) {
    const parsed = parseOnce(argv.filter((word, i) => i < at || word !== "-l"), options);
    if (parsed.positionals[0] === "ls") return parsed;
  }
  return parseOnce(argv, options);
}

/**
 * Parses one command typed in the shell (or a line of a batch file).
 *
 * @throws {FerryError} `usage` for unknown options.
 */
export function parseCommandLine(words: string[]): CommandOptions {
  const { values, positionals } = parse(words, COMMAND_FLAGS);
  return commandOptions(values as unknown as CommandValues, positionals);
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
  const { values, positionals } = parse(argv, { ...COMMAND_FLAGS, ...CONNECTION_FLAGS });
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
