/**
 * Running one client command, in one-shot use and in the shell: looked up
 * in the command table (`command_table.ts`), its arguments counted, its
 * results printed as lines or, with `--json`, as one document.
 *
 * @module
 */

import { RateLimiter } from "../../client/rate_limit.ts";
import { FerryError } from "../../core/errors.ts";
import type { CommandOptions } from "./client_options.ts";
import { CommandReport, markReported } from "./command_report.ts";
import { clientCommand } from "./command_table.ts";
import { commandOutput } from "./session_commands.ts";
import { writeStdout } from "../shared/prompt.ts";
import type { TransferContext } from "./transfer_command.ts";

export { writeStdout };

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
  session.client.limitRate(
    options.limitKiB === undefined ? undefined : new RateLimiter(options.limitKiB * 1024),
  );
  const command = clientCommand(options.command);
  if (command?.run === undefined) {
    throw new FerryError("usage", `Unknown command "${options.command}": see "help"`);
  }
  const count = options.args.length;
  if (command.args && (count < command.args[0] || count > command.args[1])) {
    throw new FerryError("usage", `Usage: ${command.usage}`);
  }
  return await command.run(session, options, commandOutput(report));
}
