/**
 * The client commands, shared by one-shot use and the shell: what each does
 * with a connected client and how it reports (human lines, or `--json`).
 *
 * @module
 */

import { RateLimiter } from "../client/rate_limit.ts";
import { FerryError } from "../errors.ts";
import type { CommandOptions } from "./client_options.ts";
import { printable } from "./format.ts";
import { resolveRemote } from "./remote_cwd.ts";
import {
  entryLine,
  listEntries,
  LS_HEADING,
  makeFolders,
  moveEntries,
  removeFiles,
  usageLines,
} from "./remote_commands.ts";
import { runGet, runPut, type TransferContext } from "./transfer_command.ts";

const encoder = new TextEncoder();

/** Writes text to stdout, all of it. */
export async function writeStdout(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  for (let done = 0; done < bytes.byteLength;) {
    done += await Deno.stdout.write(bytes.subarray(done));
  }
}

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
 * Runs one command.
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
  const { client } = session;
  const args = options.args;
  const remote = (path: string | undefined): string => resolveRemote(session.cwd, path ?? "");
  client.limitRate(
    options.limitKiB === undefined ? undefined : new RateLimiter(options.limitKiB * 1024),
  );
  switch (options.command) {
    case "get":
      return await runGet(session, options);
    case "put":
      return await runPut(session, options);
    case "ls": {
      need(args, 0, 1, "ls [dir|pattern]");
      const entries = await listEntries(session, args[0]);
      const heading = Deno.stdout.isTerminal() && entries.length > 0 ? LS_HEADING + "\n" : "";
      await writeStdout(
        options.json
          ? JSON.stringify(entries) + "\n"
          : heading + entries.map((entry) => entryLine(entry) + "\n").join(""),
      );
      return 0;
    }
    case "df":
      need(args, 0, 0, "df");
      await writeStdout(await usageLines(client, options.json));
      return 0;
    case "stat": {
      need(args, 1, 1, "stat <path>");
      const entry = await client.stat(remote(args[0]));
      await writeStdout(options.json ? JSON.stringify(entry) + "\n" : entryLine(entry) + "\n");
      return 0;
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
      return 0;
    }
    case "pwd":
      await writeStdout(`/${session.cwd}\n`);
      return 0;
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
      return 0;
    case "lpwd":
      await writeStdout(`${Deno.cwd()}\n`);
      return 0;
    case "lls": {
      need(args, 0, 1, "lls [dir]");
      const names: string[] = [];
      for await (const entry of Deno.readDir(args[0] ?? ".")) {
        names.push(entry.name + (entry.isDirectory ? "/" : ""));
      }
      await writeStdout(names.sort().map((name) => printable(name) + "\n").join(""));
      return 0;
    }
    case "help": {
      const commands = await client.help();
      await writeStdout(
        options.json
          ? JSON.stringify(commands) + "\n"
          : commands.map((c) => `${c.name.padEnd(8)} ${c.summary}\n`).join(""),
      );
      return 0;
    }
    default:
      throw new FerryError("usage", `Unknown command "${options.command}": see "help"`);
  }
  if (options.json) await writeStdout(JSON.stringify({ op: options.command, ok: true }) + "\n");
  return 0;
}
