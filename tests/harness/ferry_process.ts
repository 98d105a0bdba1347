/**
 * Runs the real ferry client as a process, in its sandbox, for the tests.
 *
 * @module
 */

import { clientPermissionFlags } from "../../lib/sandbox/permission_flags.ts";
import { ROOT } from "./ferryd_process.ts";
import { type ProcessRun, runToEnd } from "./run_process.ts";

/** Options of {@linkcode runFerry}. */
export interface RunFerryOptions {
  /** `host:port` of the server. */
  server: string;
  /** The working folder (uploads from, downloads into). */
  cwd: string;
  /** The state folder (`FERRY_HOME`); `cwd/.ferry` by default. */
  home?: string;
  /** User name; `alice` by default. */
  user?: string;
  /** `FERRY_PASSWORD`; none when `undefined`. */
  password?: string | undefined;
  /** Text for stdin. */
  stdin?: string;
  /** Trust a new host key (default true). */
  acceptNewHostKey?: boolean;
  /** More environment variables (`FERRY_PASSPHRASE`, ...). */
  env?: Record<string, string>;
}

/** What a client run gave. */
export type FerryRun = ProcessRun;

/** The client command, in its sandbox, with a clean environment. */
function ferryCommand(args: string[], options: RunFerryOptions): Deno.Command {
  const home = options.home ?? `${options.cwd}/.ferry`;
  const env: Record<string, string> = { FERRY_HOME: home, FERRY_USER: options.user ?? "alice" };
  if (options.password !== undefined) env.FERRY_PASSWORD = options.password;
  Object.assign(env, options.env);
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...clientPermissionFlags({ workDir: options.cwd, stateDir: home, server: options.server }),
      `${ROOT}/client.ts`,
      "--server",
      options.server,
      ...(options.acceptNewHostKey === false ? [] : ["--accept-new-host-key"]),
      ...args,
    ],
    cwd: options.cwd,
    env,
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Spawns the client and returns the child, for tests that kill it. */
export function spawnFerry(args: string[], options: RunFerryOptions): Deno.ChildProcess {
  return ferryCommand(args, options).spawn();
}

/** Runs the client to the end. */
export async function runFerry(args: string[], options: RunFerryOptions): Promise<FerryRun> {
  return await runToEnd(ferryCommand(args, options), options.stdin);
}
