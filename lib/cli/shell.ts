/**
 * The client shell: `client.ts` with no command starts it on a terminal;
 * `-b FILE` (or `-b -` for stdin) runs commands from a file and stops at the
 * first failure, like `sftp -b`. One connection serves the whole session.
 *
 * @module
 */

import type { FerryClient } from "../client/ferry_client.ts";
import { FerryError } from "../errors.ts";
import { runCommand, SHELL_HELP, writeStdout } from "./client_commands.ts";
import { parseCommandLine } from "./client_options.ts";
import { exitCodeFor } from "./exit_codes.ts";
import type { KeyEnvironment } from "./encryption_options.ts";
import { readLine, writeStderr } from "./prompt.ts";
import { splitWords } from "./shell_words.ts";
import type { TransferContext } from "./transfer_command.ts";

const EXIT_WORDS = new Set(["exit", "quit", "bye"]);

/** Help for the shell. */
export const SHELL_USAGE = [
  ["get [-r] <remote>... [local]", "download (patterns: get *.txt dir/)"],
  ["put [-r] <local>... [remote]", "upload (put *.txt, put - NAME)"],
  ["ls [dir|pattern]", "list, always long (e: an encrypted file)"],
  ["stat <path>", "describe a remote file or folder"],
  ["rm <path|pattern>...", "remove remote files"],
  ["mkdir [-p] <dir>...", "make remote folders"],
  ["rmdir [-r] <dir>", "remove a remote folder"],
  ["mv <from>... <to>", "move or rename on the server"],
  ["df", "usage and quota of your folder"],
  ...SHELL_HELP,
  ["help", "this list"],
].map(([usage, text]) => `  ${(usage as string).padEnd(30)} ${text}\n`).join("") +
  "Options after a command work as on the command line: -f/--force, --rename, -r, --no-resume,\n" +
  "-z/--compress, -l KIB (KiB/s), -p, --json, -q, --encrypt, --raw, --decrypt, --key-file,\n" +
  "--passphrase-file. Where copies go, and patterns: docs/CLI.md.\n";

/** Where commands come from. */
export interface ShellSource {
  /** The next line (after showing `prompt`, when a person types), or `null` at the end. */
  next(prompt: string): Promise<string | null>;
  /** Whether a person types (errors do not stop the session). */
  interactive: boolean;
}

/** Commands from a file (`-` for stdin). */
export async function batchSource(path: string): Promise<ShellSource> {
  if (path === "-") return { next: readLine, interactive: false };
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new FerryError(
      "local_io",
      `Cannot read batch file "${path}": ${(error as Error).message}`,
    );
  }
  const lines = text.split(/\r?\n/);
  return {
    next: () => Promise.resolve(lines.length > 0 ? lines.shift() as string : null),
    interactive: false,
  };
}

/** Commands typed at a terminal, with a prompt. */
export function terminalSource(): ShellSource {
  return {
    next: (prompt) => {
      writeStderr(prompt);
      return readLine();
    },
    interactive: true,
  };
}

/**
 * Runs a shell session until `exit`, the end of input or (in batch mode)
 * the first failure.
 *
 * @returns The exit code: 0, or the failing command's code in batch mode.
 */
export async function runShell(
  client: FerryClient,
  source: ShellSource,
  quiet: boolean,
  keys?: KeyEnvironment,
): Promise<number> {
  const session: TransferContext = { client, cwd: "", ...(keys ? { keys } : {}) };
  if (source.interactive) writeStderr('Connected. Type "help" for the commands.\n');
  const prompt = (): string => `ferry:/${session.cwd}> `;
  for (let line = await source.next(prompt()); line !== null; line = await source.next(prompt())) {
    let code: number;
    try {
      const words = splitWords(line);
      if (words.length === 0) continue;
      if (!source.interactive && !quiet) writeStderr(`ferry> ${line.trim()}\n`);
      if (EXIT_WORDS.has(words[0] as string)) return 0;
      if (words[0] === "help" || words[0] === "?") {
        await writeStdout(SHELL_USAGE);
        continue;
      }
      code = await runCommand(session, parseCommandLine(words));
    } catch (error) {
      writeStderr(`ferry: ${error instanceof Error ? error.message : String(error)}\n`);
      code = exitCodeFor(error);
      if (code === 4) return code; // the connection is gone
    }
    if (code !== 0 && !source.interactive) return code;
  }
  if (source.interactive) writeStderr("\n");
  return 0;
}
