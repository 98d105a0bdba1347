/**
 * The table of client commands: each one's name, synopsis, argument count,
 * help text and what runs it. `runCommand` dispatches through it; the usage
 * of `client.ts --help`, the shell's `help`, the "Usage: ..." of a wrong
 * argument count and the shell's Tab completion are all generated from it,
 * as the server's `help` is from its table (lib/server/commands/command_table.ts).
 *
 * @module
 */

import {
  type CommandRun,
  runCd,
  runDf,
  runLcd,
  runLls,
  runLpwd,
  runLs,
  runMkdir,
  runMv,
  runPwd,
  runRm,
  runRmdir,
  runServerHelp,
  runStat,
} from "./session_commands.ts";
import { runGet, runPut } from "./transfer_command.ts";

/** Where a command is listed in the help: both helps, only the shell's, or only `--help`. */
export type HelpListing = "both" | "shell" | "command line";

/** One client command. */
export interface ClientCommand {
  /** The word that runs it. */
  name: string;
  /** Its synopsis (`ls [dir|pattern]`): the help's left column and "Usage: ..." text. */
  usage: string;
  /** The count of arguments it takes, `[min, max]` (absent: it checks them itself, or takes any). */
  args?: readonly [number, number];
  /** Its line in `client.ts --help`. */
  summary: string;
  /** Its line in the shell's `help`, when it says it otherwise there. */
  shellSummary?: string;
  /** More lines for `--help` (another form of the command). */
  moreUsage?: readonly (readonly [string, string])[];
  /** Which help lists it. */
  listed: HelpListing;
  /** Its arguments are local names (for Tab completion). */
  localNames?: boolean;
  /**
   * Runs it on a connected client. Absent: not a command `runCommand` runs
   * (`keygen` runs before connecting; the shell answers `exit` itself).
   */
  run?: CommandRun;
}

/** Every client command, in the order the helps list them. */
export const CLIENT_COMMANDS: readonly ClientCommand[] = [
  {
    name: "get",
    usage: "get [-r] <remote>... [local]",
    summary: "download files or folders (get <remote> - writes to stdout); " +
      "encrypted files are decrypted",
    shellSummary: "download (patterns: get *.txt dir/)",
    listed: "both",
    run: runGet,
  },
  {
    name: "put",
    usage: "put [-r] <local>... [remote]",
    summary: "upload files or folders (--encrypt: the server gets only ciphertext)",
    shellSummary: "upload (put *.txt, put - NAME)",
    listed: "both",
    localNames: true,
    run: runPut,
  },
  {
    name: "ls",
    usage: "ls [--sha256] [dir|pattern]",
    args: [0, 1],
    summary: 'list a folder ("e": an encrypted file; --sha256: each file\'s SHA-256)',
    shellSummary: "list, always long (e: an encrypted file)",
    listed: "both",
    run: runLs,
  },
  {
    name: "stat",
    usage: "stat [--hash] <path>",
    args: [1, 1],
    summary: "describe a file or folder (--hash: its SHA-256)",
    shellSummary: "describe a remote file or folder (--hash: its SHA-256)",
    listed: "both",
    run: runStat,
  },
  {
    name: "rm",
    usage: "rm <path|pattern>...",
    args: [1, Infinity],
    summary: "remove files",
    shellSummary: "remove remote files",
    listed: "both",
    run: runRm,
  },
  {
    name: "mkdir",
    usage: "mkdir [-p] <dir>...",
    args: [1, Infinity],
    summary: "make folders (-p: with parents)",
    shellSummary: "make remote folders",
    listed: "both",
    run: runMkdir,
  },
  {
    name: "rmdir",
    usage: "rmdir [-r] <dir>",
    args: [1, 1],
    summary: "remove a folder (-r: with its contents)",
    shellSummary: "remove a remote folder",
    listed: "both",
    run: runRmdir,
  },
  {
    name: "mv",
    usage: "mv <from>... <to>",
    args: [2, Infinity],
    summary: "move or rename",
    shellSummary: "move or rename on the server",
    listed: "both",
    run: runMv,
  },
  {
    name: "df",
    usage: "df",
    args: [0, 0],
    summary: "usage and quota of your folder",
    listed: "both",
    run: runDf,
  },
  {
    name: "cd",
    usage: "cd <dir>",
    args: [0, 1],
    summary: "change the remote folder",
    listed: "shell",
    run: runCd,
  },
  { name: "pwd", usage: "pwd", summary: "print the remote folder", listed: "shell", run: runPwd },
  {
    name: "lcd",
    usage: "lcd <dir>",
    args: [1, 1],
    summary: "change the local folder",
    listed: "shell",
    localNames: true,
    run: runLcd,
  },
  {
    name: "lpwd",
    usage: "lpwd",
    summary: "print the local folder",
    listed: "shell",
    run: runLpwd,
  },
  {
    name: "lls",
    usage: "lls [dir]",
    args: [0, 1],
    summary: "list a local folder",
    listed: "shell",
    localNames: true,
    run: runLls,
  },
  {
    name: "exit",
    usage: "exit",
    summary: "leave the shell (also quit, bye, Ctrl-D)",
    listed: "shell",
  },
  {
    name: "help",
    usage: "help",
    summary: "list the server's commands",
    shellSummary: "this list",
    listed: "both",
    run: runServerHelp,
  },
  {
    name: "keygen",
    usage: "keygen [file]",
    summary: "make an identity key for password-less login",
    moreUsage: [["keygen --file-key FILE", "make a key file for encrypted files"]],
    listed: "command line",
  },
];

/** The words that end the shell. */
export const EXIT_WORDS: ReadonlySet<string> = new Set(["exit", "quit", "bye"]);

/** The command named `name`, if there is one. */
export function clientCommand(name: string | undefined): ClientCommand | undefined {
  return CLIENT_COMMANDS.find((command) => command.name === name);
}

/** The words Tab completes first in the shell: its commands and the exit words, sorted. */
export const SHELL_WORDS: readonly string[] = [
  ...new Set([
    ...CLIENT_COMMANDS.filter((command) => command.listed !== "command line").map((c) => c.name),
    ...EXIT_WORDS,
  ]),
].sort();
