/**
 * Runs ferryd for the scripts that measure it (`scripts/load.ts`,
 * `scripts/bench/profile.ts`): through the launcher's {@linkcode launchArgs},
 * so it runs under exactly the grant of `deno task serve`, on 127.0.0.1 and
 * port 0, and the port is read from its "listening on" line. With `s3Env`
 * it runs `--storage s3` on settings from the `FERRY_S3_*` variables, the
 * way docs describe for a server without `s3.json`. (The tests have their
 * own, in `tests/harness/`, which scripts do not import.)
 *
 * @module
 */

import { launchArgs } from "./launch.ts";

/** A running ferryd. */
export interface ScriptFerryd extends AsyncDisposable {
  /** The process. */
  process: Deno.ChildProcess;
  /** The port the system gave it on 127.0.0.1. */
  port: number;
  /** `127.0.0.1:port`, for the client's `--server`. */
  server: string;
  /** Sends a signal and waits for the exit; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** Options of {@linkcode startFerryd}. */
export interface ScriptFerrydOptions {
  /** Its data folder. */
  dataDir: string;
  /** More `serve` arguments. */
  args?: string[];
  /** Deno flags before the sandbox's, such as `--cpu-prof`. */
  denoFlags?: string[];
  /**
   * Keep the files in S3: the `FERRY_S3_*` variables (`FERRY_S3_ENDPOINT`
   * and the others of docs/S3.md), given to ferryd alone.
   */
  s3Env?: Record<string, string> | undefined;
}

/** Options of {@linkcode addUser}. */
export interface AddUserOptions {
  /** More `user add` arguments, such as `--key PUBLIC`. */
  args?: string[];
  /** The `FERRY_S3_*` variables of a ferryd on S3 (its users live there). */
  s3Env?: Record<string, string> | undefined;
}

/**
 * `deno` with the launcher's arguments for ferryd `args` (and `--storage s3`
 * when `s3Env` is given), with `denoFlags` after `run`.
 */
function ferrydCommand(
  args: string[],
  options: { denoFlags?: string[]; s3Env?: Record<string, string> | undefined },
  io: { stdin: "null" | "piped"; stdout: "null" | "piped" },
): Deno.Command {
  const s3Env = options.s3Env;
  const s3EnvEndpoint = s3Env?.FERRY_S3_ENDPOINT;
  if (s3Env !== undefined && !s3EnvEndpoint) {
    throw new Error("ferryd on S3 needs FERRY_S3_ENDPOINT in s3Env");
  }
  const storage = s3Env === undefined ? [] : ["--storage", "s3"];
  const [run, ...rest] = launchArgs("ferryd", [...args, ...storage], { s3EnvEndpoint });
  return new Deno.Command(Deno.execPath(), {
    args: [run as string, ...(options.denoFlags ?? []), ...rest],
    ...(s3Env === undefined ? {} : { env: s3Env }),
    ...io,
    stderr: "piped",
  });
}

/** Adds a user through `ferryd user add --password-stdin`. */
export async function addUser(
  dataDir: string,
  name: string,
  password: string,
  options: AddUserOptions = {},
): Promise<void> {
  const child = ferrydCommand(
    ["user", "add", name, "--password-stdin", "--data", dataDir, ...(options.args ?? [])],
    { s3Env: options.s3Env },
    { stdin: "piped", stdout: "null" },
  ).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(`${password}\n`));
  await writer.close();
  const output = await child.output();
  if (!output.success) {
    const reason = new TextDecoder().decode(output.stderr);
    throw new Error(`Cannot add user "${name}": ${reason}`);
  }
}

/** Starts `ferryd serve` on 127.0.0.1, port 0, and waits until it listens. */
export async function startFerryd(options: ScriptFerrydOptions): Promise<ScriptFerryd> {
  const args = ["serve", "--data", options.dataDir, "--host", "127.0.0.1", "--port", "0"];
  const child = ferrydCommand([...args, ...(options.args ?? [])], options, {
    stdin: "null",
    stdout: "null",
  }).spawn();
  let text = "";
  const ready = Promise.withResolvers<number>();
  // Read stderr to the end, so that ferryd never writes to a closed pipe.
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
      const listening = / listening on \S+:(\d+)\n/.exec(text);
      if (listening && text.includes("Host key fingerprint")) ready.resolve(Number(listening[1]));
    }
    ready.reject(new Error(`ferryd exited before it listened:\n${text}`));
  })();
  const timeout = setTimeout(
    () => ready.reject(new Error(`ferryd did not start:\n${text}`)),
    30_000,
  );
  let stopped: Promise<number> | undefined;
  const stop = (signal: Deno.Signal = "SIGTERM"): Promise<number> =>
    stopped ??= (async () => {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      const status = await child.status;
      await reading;
      return status.code;
    })();
  let port: number;
  try {
    port = await ready.promise;
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timeout);
  }
  return {
    process: child,
    port,
    server: `127.0.0.1:${port}`,
    stop,
    async [Symbol.asyncDispose](): Promise<void> {
      await stop("SIGKILL");
    },
  };
}
