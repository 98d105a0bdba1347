/**
 * The table of commands: handler, the permission it needs, and its help.
 * The session dispatches through it and `HELP` is generated from it.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { type Op, type Request, requestPath } from "../../protocol/requests.ts";
import type { Account } from "../authenticate.ts";
import type { Permission } from "../permissions.ts";
import type { CommandHandler, RequestContext } from "../request_context.ts";
import { list, mkdir, remove, rename, rmdir } from "./path_commands.ts";
import { reportCorrupt } from "./report_corrupt.ts";
import { stat } from "./stat_command.ts";
import { get, put } from "./transfer_commands.ts";
import { usage } from "./usage_command.ts";

/** One command's entry. */
export interface Command {
  /** Serves the request. */
  handler: CommandHandler<Request>;
  /** The permission it needs (`null`: any logged-in user). */
  requires: Permission | null;
  /** One line of help. */
  summary: string;
}

function entry<O extends Op>(
  handler: CommandHandler<Extract<Request, { op: O }>>,
  requires: Permission | null,
  summary: string,
): Command {
  return { handler: handler as CommandHandler<Request>, requires, summary };
}

async function help(_request: Request, context: RequestContext): Promise<void> {
  const commands = Object.entries(COMMANDS).map(([name, command]) => ({
    name,
    summary: command.summary,
    requires: command.requires,
    allowed: command.requires === null || context.account.permissions.has(command.requires),
  }));
  await context.reply({ commands });
}

async function bye(_request: Request, context: RequestContext): Promise<void> {
  await context.reply({});
}

/** Every command the server serves. */
export const COMMANDS: Record<Op, Command> = {
  help: entry(help, null, "List the commands"),
  list: entry(list, "list", "List a folder, in pages"),
  stat: entry(stat, "list", "Describe a file or folder"),
  get: entry(get, "read", "Download a file from an offset, ending with its SHA-256"),
  put: entry(put, "write", "Upload a file, hashed by the server before it appears"),
  delete: entry(remove, "delete", "Remove a file"),
  mkdir: entry(mkdir, "mkdir", "Make a folder"),
  rmdir: entry(rmdir, "delete", "Remove a folder"),
  rename: entry(rename, "write", "Move or rename a file or folder"),
  usage: entry(usage, null, "Bytes and files in your folder, and your quota"),
  "report-corrupt": entry(
    reportCorrupt,
    "read",
    "Report a download that no longer matches the file's recorded SHA-256",
  ),
  bye: entry(bye, null, "End the session"),
};

/**
 * The command of a request, once the account is known to hold the
 * permission it needs (the ferry session and the web front end both ask).
 *
 * @throws {FerryError} `denied`, naming the path and the missing permission.
 */
export function permittedCommand(account: Account, request: Request): Command {
  const command = COMMANDS[request.op];
  if (command.requires !== null && !account.permissions.has(command.requires)) {
    throw new FerryError(
      "denied",
      `Cannot ${request.op} "${
        requestPath(request) ?? ""
      }": user "${account.name}" lacks the "${command.requires}" permission`,
    );
  }
  return command;
}
