/**
 * The client commands, shared by one-shot use and the shell: what each does
 * with a connected client and how it reports (human lines, or `--json`).
 *
 * @module
 */

import { RateLimiter } from "../../client/rate_limit.ts";
import { FerryError } from "../../core/errors.ts";
import type { CommandOptions } from "./client_options.ts";
import { CommandReport, markReported } from "./command_report.ts";
import { printable } from "./format.ts";
import { writeStdout } from "../shared/prompt.ts";
import { resolveRemote } from "../../core/remote_path.ts";
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
import { runGet, runPut, type TransferContext } from "./transfer_command.ts";

export { writeStdout };

function need(args: string[], min: number, max: number, usage: string): void {
  if (args.length < min || args.length > max) throw new FerryError("usage", `Usage: ${usage}`);
}

/** Commands only the shell has, as help lines. */
export const SHELL_HELP = [
  ["cd <dir>", "change the remote folder"],
  ["pwd", "print the remote folder"],
  ["lcd <dir>", "change the local folder"],
  ["lpwd", "print the local folder"],
  ["lls [dir]", "list a local folder"],
  ["exit", "leave the shell (also quit, bye, Ctrl-D)"],
] as const;

/**
 * Runs one command. With `--json` it prints one document (see
 * {@linkcode CommandReport}), also when it fails; the error is then thrown
 * as well, for the message on stderr and the exit code.
 *
 * @param session The client and the current remote folder (the shell's `cd` changes it).
 * @param options The command and its flags.
 * @returns The exit code.
 * @throws {FerryError} for anything that failed.
 */
export async function runCommand(
  session: TransferContext,
  options: CommandOptions,
): Promise<number> {
  if (!options.json) return await runOne(session, options, undefined);
  const report = new CommandReport(options.command ?? "");
  try {
    if (options.command === "get" && options.args.at(-1) === "-") {
      throw new FerryError("usage", "Cannot use --json with get to stdout: stdout holds the file");
    }
    session.report = report;
    const code = await runOne(session, options, report);
    await report.print();
    return code;
  } catch (error) {
    await report.print(error);
    markReported(error);
    throw error;
  } finally {
    delete session.report;
  }
}

async function runOne(
  session: TransferContext,
  options: CommandOptions,
  report: CommandReport | undefined,
): Promise<number> {
  const { client } = session;
  const args = options.args;
  const remote = (path: string | undefined): string => resolveRemote(session.cwd, path ?? "");
  /** Prints `human()`, or gives `items` to the report under `--json`. */
  const results = async (items: unknown[], human: () => string): Promise<number> => {
    if (report) report.results.push(...items);
    else await writeStdout(human());
    return 0;
  };
  client.limitRate(
    options.limitKiB === undefined ? undefined : new RateLimiter(options.limitKiB * 1024),
  );
  switch (options.command) {
    case "get":
      return await runGet(session, options);
    case "put":
      return await runPut(session, options);
    case "ls": {
      need(args, 0, 1, "ls [--sha256] [dir|pattern]");
      const entries = await listEntries(session, args[0], options.sha256);
      if (options.sha256) return await results(entries, () => entries.map(hashLine).join(""));
      const heading = Deno.stdout.isTerminal() && entries.length > 0 ? LS_HEADING + "\n" : "";
      return await results(
        entries,
        () => heading + entries.map((entry) => entryLine(entry) + "\n").join(""),
      );
    }
    case "df":
      need(args, 0, 0, "df");
      if (report) return await results([JSON.parse(await usageLines(client, true))], () => "");
      await writeStdout(await usageLines(client, false));
      return 0;
    case "stat": {
      need(args, 1, 1, "stat [--hash] <path>");
      const path = remote(args[0]);
      const { entry, sha256 } = options.hash
        ? await client.statWithHash(path)
        : { entry: await client.stat(path), sha256: undefined };
      const hashed = sha256 === undefined ? {} : { sha256 };
      return await results(
        [{ path, ...entry, ...hashed }],
        () => entryLine(entry) + "\n" + (sha256 === undefined ? "" : `SHA-256 ${sha256}\n`),
      );
    }
    case "rm":
      need(args, 1, Infinity, "rm <path|pattern>...");
      await removeFiles(session, options);
      break;
    case "mkdir":
      need(args, 1, Infinity, "mkdir [-p] <dir>...");
      await makeFolders(session, options);
      break;
    case "rmdir":
      need(args, 1, 1, "rmdir [-r] <dir>");
      await client.rmdir(remote(args[0]), options.recursive);
      break;
    case "mv":
      need(args, 2, Infinity, "mv <from>... <to>");
      await moveEntries(session, options);
      break;
    case "cd": {
      need(args, 0, 1, "cd <dir>");
      const target = remote(args[0] ?? "/");
      const entry = await client.stat(target);
      if (entry.kind !== "dir") {
        throw new FerryError("not_directory", `Cannot cd to "${target}": not a folder`);
      }
      session.cwd = target;
      return await results([{ path: target }], () => "");
    }
    case "pwd":
      return await results([{ path: session.cwd }], () => `/${session.cwd}\n`);
    case "lcd":
      need(args, 1, 1, "lcd <dir>");
      try {
        Deno.chdir(args[0] as string);
      } catch (error) {
        throw new FerryError(
          "local_io",
          `Cannot change to "${args[0]}": ${(error as Error).message}`,
        );
      }
      return await results([{ local: Deno.cwd() }], () => "");
    case "lpwd":
      return await results([{ local: Deno.cwd() }], () => `${Deno.cwd()}\n`);
    case "lls": {
      need(args, 0, 1, "lls [dir]");
      const entries: { name: string; kind: "file" | "dir" }[] = [];
      for await (const entry of Deno.readDir(args[0] ?? ".")) {
        entries.push({ name: entry.name, kind: entry.isDirectory ? "dir" : "file" });
      }
      entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      const line = (entry: { name: string; kind: string }): string =>
        printable(entry.name) + (entry.kind === "dir" ? "/" : "") + "\n";
      return await results(entries, () => entries.map(line).join(""));
    }
    case "help": {
      const commands = await client.help();
      return await results(
        commands,
        () => commands.map((c) => `${c.name.padEnd(8)} ${c.summary}\n`).join(""),
      );
    }
    default:
      throw new FerryError("usage", `Unknown command "${options.command}": see "help"`);
  }
  // rm, mkdir, rmdir, mv: the document's `ok` says it; no results.
  return 0;
}
