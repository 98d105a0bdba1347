/**
 * The options of one command, on the command line or after a command typed
 * in the shell (the same words mean the same there). A new flag is one
 * entry in {@linkcode COMMAND_FLAGS}, one field in
 * {@linkcode CommandOptions} and one line in `commandOptions`.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { FerryError } from "../../core/errors.ts";
import type { ConflictPolicy } from "../../client/conflict_policy.ts";

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
  /** `ls`: each file's SHA-256 before its name (`--sha256`). */
  sha256: boolean;
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

/** The flags every command takes (`parseArgs` options). */
export const COMMAND_FLAGS = {
  json: { type: "boolean", default: false },
  quiet: { type: "boolean", short: "q", default: false },
  verbose: { type: "boolean", short: "v", default: false },
  hash: { type: "boolean", default: false },
  sha256: { type: "boolean", default: false },
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

/** The flags as `parseArgs` gives them. */
export type CommandValues = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof COMMAND_FLAGS }>
>["values"];

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

/** The options of one command from its parsed words. */
export function commandOptions(values: CommandValues, positionals: string[]): CommandOptions {
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
    sha256: values.sha256,
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

/** Words as `parseArgs` parses them. */
export type ParsedWords = { values: Record<string, unknown>; positionals: string[] };

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
export function parseWords(
  argv: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
): ParsedWords {
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
  const { values, positionals } = parseWords(words, COMMAND_FLAGS);
  return commandOptions(values as unknown as CommandValues, positionals);
}
