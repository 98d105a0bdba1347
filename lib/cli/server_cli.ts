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
import { ConsoleLog } from "../server/console_log.ts";
import {
  configFlagOptions,
  configFromFlags,
  DEFAULT_CONFIG,
  loadConfigFile,
} from "../server/server_config.ts";
import { runConfigCommand, runLogCommand } from "./operator_commands.ts";
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
  server.ts serve [--data DIR] [--host HOST] [--port PORT] [--CONFIG-KEY VALUE ...]
  server.ts user add NAME [--read-only | --upload-only | --permissions LIST] [--home DIR]
                 [--quota SIZE] [--quota-files N] [--password-stdin] [--key PUBLIC_KEY]
  server.ts user set NAME [the same options]
  server.ts user del NAME | user list [--json] | user passwd NAME [--password-stdin]
  server.ts config check | config show        validate / print DATA/state/config.json
  server.ts log [--follow] [--json]           show the audit log
  (every command takes --data DIR)
  server.ts [--data DIR] [--host HOST] [--port PORT] [command ...]

Defaults: --data ./data, --host 0.0.0.0, --port 7878. Limits, timeouts, login defence,
logging and shutdown are set in DATA/state/config.json or by flags (--max-connections 100,
--log-level debug, ...): see "server.ts config show" and docs/OPERATIONS.md.
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
      ...configFlagOptions(),
    },
  });
  const port = parsePort(values.port);
  await checkServerPermissions({ dataDir: values.data, hostname: values.host, port });
  const { state } = dataLayout(values.data);
  await Deno.mkdir(state, { recursive: true, mode: 0o700 });
  const config = { ...DEFAULT_CONFIG, ...await loadConfigFile(state), ...configFromFlags(values) };
  const log = new ConsoleLog(config.logLevel);
  const server = await FerryServer.start({
    dataDir: values.data,
    hostname: values.host,
    port,
    config,
    log,
  });
  log.notice(`ferryd ${FERRY_VERSION} listening on ${server.addr.hostname}:${server.addr.port}`);
  log.notice(`Host key fingerprint ${server.fingerprint}`);
  log.notice(`Serving files from ${dataLayout(values.data).files}`);
  const stopped = Promise.withResolvers<string>();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, () => stopped.resolve(signal));
  const signal = await stopped.promise;
  log.notice(`Received ${signal}: shutting down (grace ${config.shutdownGraceSeconds} s)`);
  await server.shutdown();
  log.notice("Stopped");
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
      case "config":
        return await runConfigCommand(rest);
      case "log":
        return await runLogCommand(rest);
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
