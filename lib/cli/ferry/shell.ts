/**
 * The client shell: `client.ts` with no command starts it on a terminal;
 * `-b FILE` (or `-b -` for stdin) runs commands from a file and stops at the
 * first failure, like `sftp -b` (a line starting with `-` may fail). One
 * connection serves the whole session.
 *
 * At the terminal, lines are edited (see `line_editor.ts`: history, Tab
 * completion); Ctrl-C during a command interrupts that command, not the
 * shell, as in sftp; when the server ends the session (an idle timeout, a
 * shutdown) the shell says why and ends.
 *
 * @module
 */

import type { FerryClient } from "../../client/ferry_client.ts";
import { FerryError } from "../../core/errors.ts";
import { runCommand, SHELL_HELP, writeStdout } from "./client_commands.ts";
import { type CommandOptions, parseCommandLine } from "./client_options.ts";
import { ExitCode, exitCodeFor } from "../shared/exit_codes.ts";
import type { KeyEnvironment } from "./encryption_options.ts";
import { wrapText } from "./format.ts";
import { LineEditor } from "./line_editor.ts";
import { readLine, writeStderr } from "../shared/prompt.ts";
import { shellCompleter } from "./shell_completion.ts";
import { splitWords } from "./shell_words.ts";
import type { TransferContext } from "./transfer_command.ts";

const EXIT_WORDS = new Set(["exit", "quit", "bye"]);

/** The exit code of an interrupted command (128 + SIGINT, as shells report it). */
export const INTERRUPTED_EXIT_CODE = 130;

/** What the user reads after Ctrl-C stopped a command. */
export const INTERRUPTED_TEXT = "interrupted: run the same command again to resume";

function helpLine(usage: string, text: string): string {
  return `  ${usage.padEnd(30)} ${
    wrapText(text, 79 - 33).replaceAll("\n", "\n" + " ".repeat(33))
  }\n`;
}

/** Help for the shell; no line is wider than 79 columns. */
export const SHELL_USAGE = [
  ["get [-r] <remote>... [local]", "download (patterns: get *.txt dir/)"],
  ["put [-r] <local>... [remote]", "upload (put *.txt, put - NAME)"],
  ["ls [dir|pattern]", "list, always long (e: an encrypted file)"],
  ["stat [--hash] <path>", "describe a remote file or folder (--hash: its SHA-256)"],
  ["rm <path|pattern>...", "remove remote files"],
  ["mkdir [-p] <dir>...", "make remote folders"],
  ["rmdir [-r] <dir>", "remove a remote folder"],
  ["mv <from>... <to>", "move or rename on the server"],
  ["df", "usage and quota of your folder"],
  ...SHELL_HELP,
  ["help", "this list"],
].map(([usage, text]) => helpLine(usage as string, text as string)).join("") +
  wrapText(
    "Options after a command work as on the command line: -f/--force, --rename, -r, " +
      "--no-resume, -z/--compress, --verify, -l KIB (KiB/s), -p, -v/--verbose, --json, -q, --encrypt, " +
      "--raw, --decrypt, --key-file, --passphrase-file. Where copies go, and patterns: " +
      "docs/CLI.md. Tab completes commands and names, Up and Down recall earlier lines, " +
      "Ctrl-C interrupts the running command. !command is not available: ferry may not " +
      "start programs.",
    79,
  ) + "\n";

/** Where commands come from. */
export interface ShellSource {
  /** The next line (after showing `prompt`, when a person types), or `null` at the end. */
  next(prompt: string): Promise<string | null>;
  /** Whether a person types (errors do not stop the session). */
  interactive: boolean;
  /** Puts the terminal back as it was, when the shell ends while a line is being read. */
  close?(): void;
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

/**
 * Commands typed at a terminal: edited in raw mode with history and Tab
 * completion; a plain prompt when stdin is not a terminal.
 */
export function terminalSource(session: { client: FerryClient; cwd: string }): ShellSource {
  const editor = new LineEditor({ write: writeStderr, complete: shellCompleter(session) });
  const buffer = new Uint8Array(1024);
  const cooked = (): void => {
    if (Deno.stdin.isTerminal()) Deno.stdin.setRaw(false);
  };
  return {
    interactive: true,
    close: cooked,
    next: async (prompt) => {
      if (!Deno.stdin.isTerminal()) {
        writeStderr(prompt);
        return await readLine();
      }
      Deno.stdin.setRaw(true);
      try {
        editor.begin(prompt);
        for (;;) {
          const result = await editor.step();
          if (result && "line" in result) return result.line;
          if (result && "end" in result) return null;
          if (result) editor.begin(prompt); // Ctrl-C: a new, empty line
          const n = await Deno.stdin.read(buffer);
          if (n === null) return null;
          editor.push(buffer.subarray(0, n));
        }
      } finally {
        cooked();
      }
    },
  };
}

/** Options of the whole session that each command gets too. */
export interface ShellOptions {
  /** No progress and no summaries. */
  quiet: boolean;
  /** One JSON document per command on stdout. */
  json: boolean;
  /** A line per file of a transfer. */
  verbose: boolean;
}

/** Parses a line; the session's `--json`, `-q` and `-v` apply to every command. */
function commandOf(words: string[], shell: ShellOptions): CommandOptions {
  const options = parseCommandLine(words);
  return {
    ...options,
    json: options.json || shell.json,
    quiet: options.quiet || shell.quiet,
    verbose: options.verbose || shell.verbose,
  };
}

/**
 * Runs one command; Ctrl-C (while a person types) interrupts it.
 *
 * @returns The exit code ({@linkcode INTERRUPTED_EXIT_CODE} when interrupted).
 */
async function interruptible(
  session: TransferContext,
  options: CommandOptions,
  interrupts: { current: (() => void) | undefined },
): Promise<number> {
  const stop = new AbortController();
  const reason = new FerryError("cancelled", "Interrupted");
  let drained: Promise<void> = Promise.resolve();
  interrupts.current = () => {
    if (stop.signal.aborted) return; // the launcher passes the signal on: it may come twice
    stop.abort(reason);
    drained = session.client.interrupt(reason);
  };
  session.signal = stop.signal;
  try {
    return await runCommand(session, options);
  } catch (error) {
    if (!stop.signal.aborted) throw error;
    await drained; // the server has let go of the files, so the same command can run again
    return INTERRUPTED_EXIT_CODE;
  } finally {
    delete session.signal;
    interrupts.current = undefined;
    if (stop.signal.aborted) writeStderr(`\nferry: ${INTERRUPTED_TEXT}\n`);
  }
}

/**
 * Runs a shell session until `exit`, the end of input, the end of the
 * session on the server's side or (in batch mode) the first failure not
 * marked with `-`.
 *
 * @returns The exit code: 0, or the failing command's code in batch mode,
 *   or 4 when the server ended the session.
 */
export async function runShell(
  client: FerryClient,
  source: ShellSource | ((session: TransferContext) => ShellSource),
  shell: ShellOptions,
  keys?: KeyEnvironment,
): Promise<number> {
  const session: TransferContext = { client, cwd: "", ...(keys ? { keys } : {}) };
  const input = typeof source === "function" ? source(session) : source;
  const interrupts: { current: (() => void) | undefined } = { current: undefined };
  const onInterrupt = (): void => interrupts.current?.();
  // Ctrl-C at a terminal reaches the shell as a signal only while a command
  // runs (the line editor reads it as a key); it must never end the shell.
  if (input.interactive) Deno.addSignalListener("SIGINT", onInterrupt);
  const ended = client.ended.then((reason) => ({ ended: reason }));
  if (input.interactive) writeStderr('Connected. Type "help" for the commands.\n');
  const prompt = (): string => `ferry:/${session.cwd}> `;
  try {
    for (;;) {
      const next = await Promise.race([input.next(prompt()), ended]);
      if (next !== null && typeof next === "object") {
        input.close?.();
        const error = next.ended;
        writeStderr(`\nferry: ${error instanceof Error ? error.message : String(error)}\n`);
        return ExitCode.NETWORK; // the session is gone, whatever the server's reason
      }
      if (next === null) break;
      const mayFail = !input.interactive && next.trimStart().startsWith("-");
      const line = mayFail ? next.trimStart().slice(1) : next;
      let code: number;
      try {
        const words = splitWords(line);
        if (words.length === 0) continue;
        if (!input.interactive && !shell.quiet) writeStderr(`ferry> ${next.trim()}\n`);
        const first = words[0] as string;
        if (EXIT_WORDS.has(first)) return 0;
        if (first.startsWith("!")) {
          throw new FerryError(
            "usage",
            "Cannot run local commands (!): ferry's sandbox may not start programs; " +
              "use another terminal (lls, lcd and lpwd work here)",
          );
        }
        if (first === "help" || first === "?") {
          await writeStdout(SHELL_USAGE);
          continue;
        }
        code = await interruptible(session, commandOf(words, shell), interrupts);
      } catch (error) {
        writeStderr(`ferry: ${error instanceof Error ? error.message : String(error)}\n`);
        code = exitCodeFor(error);
        if (code === 4) return code; // the connection is gone
      }
      if (code !== 0 && !input.interactive && !mayFail) return code;
    }
  } finally {
    if (input.interactive) Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  if (input.interactive) writeStderr("\n");
  return 0;
}
