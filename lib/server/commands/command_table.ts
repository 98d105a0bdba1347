/**
 * The table of commands: handler, whether it changes files, and its help.
 * The session dispatches through it and `HELP` is generated from it.
 *
 * @module
 */

import type { Op, Request } from "../../protocol/requests.ts";
import type { CommandHandler, RequestContext } from "../request_context.ts";
import { list, mkdir, remove, rename, rmdir } from "./path_commands.ts";
import { stat } from "./stat_command.ts";
import { get, put } from "./transfer_commands.ts";

/** One command's entry. */
export interface Command {
  /** Serves the request. */
  handler: CommandHandler<Request>;
  /** Whether it changes files (refused for read-only users). */
  writes: boolean;
  /** One line of help. */
  summary: string;
}

function entry<O extends Op>(
  handler: CommandHandler<Extract<Request, { op: O }>>,
  writes: boolean,
  summary: string,
): Command {
  return { handler: handler as CommandHandler<Request>, writes, summary };
}

async function help(_request: Request, context: RequestContext): Promise<void> {
  const commands = Object.entries(COMMANDS).map(([name, command]) => ({
    name: name.toUpperCase(),
    summary: command.summary,
    writes: command.writes,
  }));
  await context.reply({ commands });
}

async function bye(_request: Request, context: RequestContext): Promise<void> {
  await context.reply({});
}

/** Every command the server serves. */
export const COMMANDS: Record<Op, Command> = {
  help: entry(help, false, "List the commands"),
  list: entry(list, false, "List a folder, in pages"),
  stat: entry(stat, false, "Describe a file or folder"),
  get: entry(get, false, "Download a file from an offset, ending with its SHA-256"),
  put: entry(put, true, "Upload a file, verified by SHA-256 before it appears"),
  delete: entry(remove, true, "Remove a file"),
  mkdir: entry(mkdir, true, "Make a folder"),
  rmdir: entry(rmdir, true, "Remove a folder"),
  rename: entry(rename, true, "Move or rename a file or folder"),
  bye: entry(bye, false, "End the session"),
};
