/**
 * Runs a task of the project as a person does from a folder of their own:
 * `deno task --config ROOT/deno.json NAME ARGS`, started in that folder,
 * with a clean environment (but for `PATH` and the Deno cache).
 *
 * @module
 */

import { DENO_DIR } from "./deno_dir.ts";
import { ROOT } from "./ferryd_process.ts";
import { type ProcessRun, runToEnd } from "./run_process.ts";

/** Options of {@linkcode runTask}. */
export interface RunTaskOptions {
  /** The folder it starts in (the user's, outside the checkout). */
  cwd: string;
  /** The environment besides `PATH`, `DENO_DIR` and `NO_COLOR`. */
  env?: Record<string, string>;
  /** Text for stdin; none (`null`) when absent. */
  stdin?: string;
}

/** Runs `deno task --config ROOT/deno.json ARGS` to its end. */
export function runTask(args: string[], options: RunTaskOptions): Promise<ProcessRun> {
  return runToEnd(
    new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "--config", `${ROOT}/deno.json`, ...args],
      cwd: options.cwd,
      env: { NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "", DENO_DIR, ...options.env },
      clearEnv: true,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }),
    options.stdin,
  );
}
