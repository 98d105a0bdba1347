/**
 * Runs the ferry client for the scripts that measure it (`scripts/bench.ts`,
 * `scripts/ceph/bench_ferryd_s3.ts`): through the launcher's
 * {@linkcode launchArgs}, so it runs under exactly the grant of
 * `deno task client`, with its state folder given as `--home`. (The tests
 * have their own, in `tests/harness/`, which scripts do not import.)
 *
 * @module
 */

import { launchArgs } from "./launch.ts";

/** Where and as whom the client runs. */
export interface ScriptFerryOptions {
  /** `host:port` of the server; none for commands that need none (`keygen`). */
  server?: string;
  /** The working folder (uploads from, downloads into); the client runs there. */
  work: string;
  /** The state folder (`--home`). */
  home: string;
  /** More environment variables (`FERRY_USER`, `FERRY_PASSWORD`, ...). */
  env?: Record<string, string>;
  /** What runs ferry: the launcher's bundle (./client_bundle.ts); default `client.ts`. */
  clientEntry?: string | undefined;
}

/** A command to run: what {@linkcode Deno.Command} takes. */
export interface FerryCommandLine {
  /** The `deno` executable. */
  command: string;
  /** `run`, the client's grant, `client.ts` and its arguments. */
  args: string[];
  /** The working folder. */
  cwd: string;
  /** The environment added to this process's. */
  env: Record<string, string>;
}

/**
 * The command line that runs `ferry args` with a server (`--server`, trusting
 * a new host key) and state folder, in its sandbox.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ferryCommandLine } from "./ferry.ts";
 * const line = ferryCommandLine(["ls"], { server: "127.0.0.1:7878", work: "/tmp", home: "/tmp/h" });
 * assert.equal(line.args[0], "run");
 * assert.ok(line.args.includes("--allow-net=127.0.0.1:7878"));
 * assert.deepEqual(line.args.slice(-1), ["ls"]);
 * ```
 */
export function ferryCommandLine(args: string[], options: ScriptFerryOptions): FerryCommandLine {
  const server = options.server === undefined
    ? []
    : ["--server", options.server, "--accept-new-host-key"];
  return {
    command: Deno.execPath(),
    args: launchArgs("ferry", [...server, "--home", options.home, ...args], {
      cwd: options.work,
      clientEntry: options.clientEntry,
    }),
    cwd: options.work,
    env: options.env ?? {},
  };
}

/** What a finished client run gave. */
export interface ScriptFerryRun {
  /** Its exit code. */
  code: number;
  /** Its standard output. */
  stdout: string;
  /** Its standard error. */
  stderr: string;
}

/** Runs `ferry args` to its end (stdin closed) and collects its output. */
export async function runFerry(
  args: string[],
  options: ScriptFerryOptions,
): Promise<ScriptFerryRun> {
  const { command, ...line } = ferryCommandLine(args, options);
  const output = await new Deno.Command(command, {
    ...line,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
