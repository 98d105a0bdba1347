/**
 * The ferryd command line: `serve`, `user add|set|del|list|passwd|unlock`,
 * `config check|show` and `log`; `--help` after any of them prints the usage.
 *
 * It needs nothing but its data folder and its port (with `--storage s3`:
 * its state folder, its port and the S3 endpoint): no other files, no
 * subprocesses, no environment beyond the `FERRY_S3_*` settings when they
 * come from there (see `lib/sandbox/`).
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { FerryError } from "../../core/errors.ts";
import { FERRY_VERSION } from "../../core/version.ts";
import { ConsoleLog } from "../../server/console_log.ts";
import {
  configFlagOptions,
  configFromFlags,
  DEFAULT_CONFIG,
  loadConfigFile,
} from "../../server/server_config.ts";
import { runConfigCommand, runLogCommand } from "./operator_commands.ts";
import { dataLayout } from "../../core/defaults.ts";
import { FerryServer } from "../../server/ferry_server.ts";
import { netAddress, SERVER_DEFAULTS } from "../../sandbox/permission_flags.ts";
import { DATA_OPTIONS, parsePort, parseStorageKind, resolveServerArgs } from "./server_args.ts";
import { openServerBackend } from "./server_storage.ts";
import { runUserCommand } from "./user_command.ts";
import { exitCodeFor } from "../shared/exit_codes.ts";
import { writeStderr } from "../shared/prompt.ts";
import { checkWebOptions, parseWebAddress, type WebOptions } from "../../web/web_options.ts";

/** Usage text of ferryd. */
export const SERVER_USAGE = `ferryd ${FERRY_VERSION}: the ferry file server

Usage:
  server.ts serve [--data DIR] [--host HOST] [--port PORT] [--storage local|s3]
                  [--web ADDR:PORT [--web-cert FILE --web-key FILE] [--web-insecure]]
                  [--CONFIG-KEY VALUE ...]
  server.ts user add NAME [--read-only | --upload-only | --permissions LIST] [--home DIR]
                 [--quota SIZE] [--quota-files N] [--password-stdin] [--key PUBLIC_KEY]
  server.ts user set NAME [the same options]
  server.ts user del NAME | user list [--json] | user passwd NAME [--password-stdin]
  server.ts user unlock NAME | user unlock --address ADDRESS
                                              end a login lock-out (the running server too)
  server.ts config check | config show        validate / print DATA/state/config.json
  server.ts log [-n N] [--follow] [--json]    show the audit log (-n: its last N lines;
                                              --follow: then what is appended, from the end)
  (every command takes --data DIR; serve, user and config take --storage)
  server.ts [--data DIR] [--host HOST] [--port PORT] [--storage local|s3] [command ...]

--web serves the browser client (off by default): HTTPS with --web-cert/--web-key,
else plain HTTP for a TLS proxy, on loopback unless --web-insecure (README "Web access").
Defaults: --data ./data, --host 0.0.0.0, --port 7878. Limits, timeouts, login defence,
logging and shutdown are set in DATA/state/config.json or by flags (--max-connections 100,
--log-level debug, ...): see "server.ts config show" and docs/OPERATIONS.md.
Options before the command are its defaults (a compiled ferryd carries them);
with no command they mean "serve".
Files are served from DATA/files; keys, users and partial uploads live in DATA/state.
With --storage s3, files, host key, users and partial uploads live in an S3 bucket
shared by every ferryd on it; its settings come from DATA/state/s3.json (mode 0600)
or the FERRY_S3_* variables, never from the command line: see docs/SCALING.md.
`;

/** The web front end's options from `serve`'s flags, or `undefined` without `--web`. */
function webOptionsFrom(values: {
  web?: string | undefined;
  "web-cert"?: string | undefined;
  "web-key"?: string | undefined;
  "web-insecure"?: boolean | undefined;
}): WebOptions | undefined {
  if (values.web === undefined) {
    if (values["web-cert"] !== undefined || values["web-key"] !== undefined) {
      throw new FerryError(
        "usage",
        'Cannot use "--web-cert" or "--web-key" without "--web ADDR:PORT"',
      );
    }
    return undefined;
  }
  const options: WebOptions = {
    ...parseWebAddress(values.web),
    ...(values["web-cert"] === undefined ? {} : { certFile: values["web-cert"] }),
    ...(values["web-key"] === undefined ? {} : { keyFile: values["web-key"] }),
    insecure: values["web-insecure"] ?? false,
  };
  checkWebOptions(options);
  return options;
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...DATA_OPTIONS,
      host: { type: "string", default: SERVER_DEFAULTS.hostname },
      port: { type: "string", default: String(SERVER_DEFAULTS.port) },
      web: { type: "string" },
      "web-cert": { type: "string" },
      "web-key": { type: "string" },
      "web-insecure": { type: "boolean", default: false },
      ...configFlagOptions(),
    },
  });
  const web = webOptionsFrom(values);
  const port = parsePort(values.port);
  const storage = parseStorageKind(values.storage);
  const webFiles = [web?.certFile, web?.keyFile].filter((file) => file !== undefined);
  // Absolute (as the launcher grants it, without following links): once
  // listening, ferryd moves into its state folder (see below).
  const dataDir = resolve(values.data);
  const backend = await openServerBackend({
    dataDir,
    hostname: values.host,
    port,
    storage,
    ...(web === undefined ? {} : { web: netAddress(web.hostname, web.port) }),
    ...(webFiles.length === 0 ? {} : { webFiles }),
  });
  const { state } = dataLayout(dataDir);
  const config = { ...DEFAULT_CONFIG, ...await loadConfigFile(state), ...configFromFlags(values) };
  const log = new ConsoleLog(config.logLevel);
  const server = await FerryServer.start({
    dataDir,
    backend,
    hostname: values.host,
    port,
    config,
    log,
    ...(web === undefined ? {} : { web }),
  });
  // A daemon must not depend on the folder it was started from: if that is
  // deleted, Deno can start no Worker (the password hashing threads), and
  // every password login would fail. The state folder is ferryd's own.
  Deno.chdir(state);
  // Listen for signals before saying "listening": a SIGTERM right after it must stop gracefully.
  const stopped = Promise.withResolvers<string>();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, () => stopped.resolve(signal));
  log.notice(`ferryd ${FERRY_VERSION} listening on ${server.addr.hostname}:${server.addr.port}`);
  log.notice(`Serving files from ${backend.description}`);
  log.notice(`Host key fingerprint ${server.fingerprint}`);
  if (server.web?.tls) log.notice(`Web client on ${server.web.url} (HTTPS)`);
  else if (server.web) {
    log.notice(
      `Web client on ${server.web.url} (plain HTTP: put a TLS proxy in front, see README "Web access")`,
    );
  }
  const signal = await stopped.promise;
  log.notice(`Received ${signal}: shutting down (grace ${config.shutdownGraceSeconds} s)`);
  await server.shutdown();
  log.notice("Stopped");
  return 0;
}

/** Whether a command's arguments ask for the usage (`--help`, `-h`), before any `--`. */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((word) =>
    word === "--help" || word === "-h"
  );
}

/**
 * Runs ferryd with command-line arguments.
 *
 * @returns The exit code.
 */
export async function runServerCli(args: string[]): Promise<number> {
  try {
    const [command, ...rest] = resolveServerArgs(args);
    if (command !== undefined && asksForHelp(rest)) {
      writeStderr(SERVER_USAGE);
      return 0;
    }
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
