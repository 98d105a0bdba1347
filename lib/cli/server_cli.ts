/**
 * The ferryd command line: `serve` and `user add|del|list|passwd`.
 *
 * It needs nothing but its data folder and its port: no environment, no
 * other files, no subprocesses (see `lib/sandbox/`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { FerryError } from "../errors.ts";
import { FERRY_VERSION } from "../protocol/version.ts";
import { ConsoleLog, LOG_LEVELS, type LogLevel } from "../server/console_log.ts";
import { dataLayout, FerryServer } from "../server/ferry_server.ts";
import { SERVER_DEFAULTS } from "../sandbox/permission_flags.ts";
import { checkServerPermissions } from "../sandbox/self_check.ts";
import { parsePort, resolveServerArgs } from "./server_args.ts";
import { runUserCommand } from "./user_command.ts";
import { exitCodeFor } from "./exit_codes.ts";
import { writeStderr } from "./prompt.ts";

/** Usage text of ferryd. */
export const SERVER_USAGE = `ferryd ${FERRY_VERSION}: the ferry file server

Usage:
  server.ts serve [--data DIR] [--host HOST] [--port PORT] [--log-level LEVEL]
                  [--handshake-timeout SECONDS] [--partial-max-age HOURS]
  server.ts user add NAME [--read-only] [--password-stdin] [--key PUBLIC_KEY] [--data DIR]
  server.ts user del NAME [--data DIR]
  server.ts user list [--json] [--data DIR]
  server.ts user passwd NAME [--password-stdin] [--data DIR]
  server.ts [--data DIR] [--host HOST] [--port PORT] [command ...]

Defaults: --data ./data, --host 0.0.0.0, --port 7878, --log-level info,
--partial-max-age 168 (unfinished uploads are kept a week for resuming).
Options before the command are its defaults (a compiled ferryd carries them);
with no command they mean "serve".
Files are served from DATA/files; keys, users and partial uploads live in DATA/state.
`;

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string", default: SERVER_DEFAULTS.dataDir },
      host: { type: "string", default: SERVER_DEFAULTS.hostname },
      port: { type: "string", default: String(SERVER_DEFAULTS.port) },
      "log-level": { type: "string", default: "info" },
      "handshake-timeout": { type: "string", default: "10" },
      "partial-max-age": { type: "string", default: "168" },
    },
  });
  const partialHours = Number(values["partial-max-age"]);
  if (!(partialHours > 0)) {
    throw new FerryError(
      "usage",
      `Cannot use partial max age "${values["partial-max-age"]}" hours`,
    );
  }
  const level = values["log-level"] as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new FerryError("usage", `Cannot use log level "${level}": use ${LOG_LEVELS.join(", ")}`);
  }
  const timeout = Number(values["handshake-timeout"]);
  if (!(timeout > 0)) {
    throw new FerryError("usage", `Cannot use handshake timeout "${values["handshake-timeout"]}"`);
  }
  const log = new ConsoleLog(level);
  const port = parsePort(values.port);
  await checkServerPermissions({ dataDir: values.data, hostname: values.host, port });
  const server = await FerryServer.start({
    dataDir: values.data,
    hostname: values.host,
    port,
    handshakeTimeoutMs: timeout * 1000,
    partialMaxAgeMs: partialHours * 3600 * 1000,
    log,
  });
  log.notice(`ferryd ${FERRY_VERSION} listening on ${server.addr.hostname}:${server.addr.port}`);
  log.notice(`Host key fingerprint ${server.fingerprint}`);
  log.notice(`Serving files from ${dataLayout(values.data).files}`);
  const stopped = Promise.withResolvers<string>();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, () => stopped.resolve(signal));
  const signal = await stopped.promise;
  log.notice(`Received ${signal}: shutting down`);
  await server.close();
  return 0;
}

/**
 * Runs ferryd with command-line arguments.
 *
 * @returns The exit code.
 */
export async function runServerCli(args: string[]): Promise<number> {
  try {
    const [command, ...rest] = resolveServerArgs(args);
    switch (command) {
      case "serve":
        return await serve(rest);
      case "user":
        return await runUserCommand(rest);
      case "--version":
      case "version":
        writeStderr(`ferryd ${FERRY_VERSION}\n`);
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        writeStderr(SERVER_USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw new FerryError("usage", `Unknown command "${command}": see "server.ts --help"`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    writeStderr(`ferryd: ${message}\n`);
    return error instanceof TypeError && "code" in error ? 1 : exitCodeFor(error);
  }
}
