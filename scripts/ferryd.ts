/**
 * Runs ferryd for the scripts that measure it (`scripts/load.ts`,
 * `scripts/bench/profile.ts`): through the launcher's {@linkcode launchArgs},
 * so it runs under exactly the grant of `deno task serve`, on 127.0.0.1 and
 * port 0, and the port is read from its "listening on" line. (The tests have
 * their own, in `tests/harness/`, which scripts do not import.)
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
}

/** `deno` with the launcher's arguments for ferryd `args`, with `denoFlags` after `run`. */
function ferrydCommand(
  args: string[],
  denoFlags: string[],
  io: { stdin: "null" | "piped"; stdout: "null" | "piped" },
): Deno.Command {
  const [run, ...rest] = launchArgs("ferryd", args);
  return new Deno.Command(Deno.execPath(), {
    args: [run as string, ...denoFlags, ...rest],
    ...io,
    stderr: "piped",
  });
}

/** Adds a user through `ferryd user add --password-stdin`. */
export async function addUser(dataDir: string, name: string, password: string): Promise<void> {
  const child = ferrydCommand(
    ["user", "add", name, "--password-stdin", "--data", dataDir],
    [],
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
  const child = ferrydCommand([...args, ...(options.args ?? [])], options.denoFlags ?? [], {
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
    stop,
    async [Symbol.asyncDispose](): Promise<void> {
      await stop("SIGKILL");
    },
  };
}
