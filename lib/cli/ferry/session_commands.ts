/**
 * The small commands of the client, each a function the command table
 * (`command_table.ts`) runs: describing and listing remote names, the
 * remote and local current folders, and the server's command list. The
 * commands that change remote names are in `remote_commands.ts`, the
 * transfers in `transfer_command.ts`.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import type { CommandOptions } from "./client_options.ts";
import type { CommandReport } from "./command_report.ts";
import { printable } from "./format.ts";
import {
  entryLine,
  hashLine,
  listEntries,
  LS_HEADING,
  makeFolders,
  moveEntries,
  removeFiles,
  usageLines,
} from "./remote_commands.ts";
import { resolveRemote } from "../../core/remote_path.ts";
import { writeStdout } from "../shared/prompt.ts";
import type { TransferContext } from "./transfer_command.ts";

/** Where a command's results go: lines on stdout, or the `--json` document. */
export interface CommandOutput {
  /** The `--json` document of this command (absent: human lines). */
  report: CommandReport | undefined;
  /**
   * Prints `human()`, or gives `items` to the report under `--json`.
   *
   * @returns 0, the exit code of a command that printed its results.
   */
  results(items: unknown[], human: () => string): Promise<number>;
}

/** The output of one command: to `report` when there is one, else to stdout. */
export function commandOutput(report: CommandReport | undefined): CommandOutput {
  return {
    report,
    results: async (items, human) => {
      if (report) report.results.push(...items);
      else await writeStdout(human());
      return 0;
    },
  };
}

/** What every command is run with: the session, its words and flags, where results go. */
export type CommandRun = (
  session: TransferContext,
  options: CommandOptions,
  output: CommandOutput,
) => Promise<number>;

/**
 * `ls [--sha256] [dir|pattern]`: always long, a heading on a terminal; with
 * `--sha256`, each file's SHA-256 before its name, like `sha256sum`.
 */
export const runLs: CommandRun = async (session, options, output) => {
  const entries = await listEntries(session, options.args[0], options.sha256);
  if (options.sha256) return await output.results(entries, () => entries.map(hashLine).join(""));
  const heading = Deno.stdout.isTerminal() && entries.length > 0 ? LS_HEADING + "\n" : "";
  return await output.results(
    entries,
    () => heading + entries.map((entry) => entryLine(entry) + "\n").join(""),
  );
};

/** `df`: usage and quota. */
export const runDf: CommandRun = async (session, _options, output) => {
  if (output.report) {
    return await output.results([JSON.parse(await usageLines(session.client, true))], () => "");
  }
  await writeStdout(await usageLines(session.client, false));
  return 0;
};

/** `stat [--hash] <path>`. */
export const runStat: CommandRun = async ({ client, cwd }, options, output) => {
  const path = resolveRemote(cwd, options.args[0] ?? "");
  const { entry, sha256 } = options.hash
    ? await client.statWithHash(path)
    : { entry: await client.stat(path), sha256: undefined };
  const hashed = sha256 === undefined ? {} : { sha256 };
  return await output.results(
    [{ path, ...entry, ...hashed }],
    () => entryLine(entry) + "\n" + (sha256 === undefined ? "" : `SHA-256 ${sha256}\n`),
  );
};

/** `rm <path|pattern>...`: the document's `ok` says it; no results. */
export const runRm: CommandRun = async (session, options) => {
  await removeFiles(session, options);
  return 0;
};

/** `mkdir [-p] <dir>...`. */
export const runMkdir: CommandRun = async (session, options) => {
  await makeFolders(session, options);
  return 0;
};

/** `rmdir [-r] <dir>`. */
export const runRmdir: CommandRun = async ({ client, cwd }, options) => {
  await client.rmdir(resolveRemote(cwd, options.args[0] ?? ""), options.recursive);
  return 0;
};

/** `mv <from>... <to>`. */
export const runMv: CommandRun = async (session, options) => {
  await moveEntries(session, options);
  return 0;
};

/** `cd [dir]`: to a remote folder (the root without one). */
export const runCd: CommandRun = async (session, options, output) => {
  const target = resolveRemote(session.cwd, options.args[0] ?? "/");
  const entry = await session.client.stat(target);
  if (entry.kind !== "dir") {
    throw new FerryError("not_directory", `Cannot cd to "${target}": not a folder`);
  }
  session.cwd = target;
  return await output.results([{ path: target }], () => "");
};

/** `pwd`: the remote folder. */
export const runPwd: CommandRun = async (session, _options, output) =>
  await output.results([{ path: session.cwd }], () => `/${session.cwd}\n`);

/** `lcd <dir>`: the local folder. */
export const runLcd: CommandRun = async (_session, options, output) => {
  const dir = options.args[0] as string;
  try {
    Deno.chdir(dir);
  } catch (error) {
    throw new FerryError("local_io", `Cannot change to "${dir}": ${(error as Error).message}`);
  }
  return await output.results([{ local: Deno.cwd() }], () => "");
};

/** `lpwd`: the local folder. */
export const runLpwd: CommandRun = async (_session, _options, output) =>
  await output.results([{ local: Deno.cwd() }], () => `${Deno.cwd()}\n`);

/** `lls [dir]`: a local folder's names, sorted, folders with a `/`. */
export const runLls: CommandRun = async (_session, options, output) => {
  const entries: { name: string; kind: "file" | "dir" }[] = [];
  for await (const entry of Deno.readDir(options.args[0] ?? ".")) {
    entries.push({ name: entry.name, kind: entry.isDirectory ? "dir" : "file" });
  }
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const line = (entry: { name: string; kind: string }): string =>
    printable(entry.name) + (entry.kind === "dir" ? "/" : "") + "\n";
  return await output.results(entries, () => entries.map(line).join(""));
};

/** `help` on the command line: the server's commands (the shell answers `help` itself). */
export const runServerHelp: CommandRun = async ({ client }, _options, output) => {
  const commands = await client.help();
  return await output.results(
    commands,
    () => commands.map((c) => `${c.name.padEnd(8)} ${c.summary}\n`).join(""),
  );
};
