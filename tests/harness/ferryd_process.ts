/**
 * Runs a real ferryd process on loopback for the integration tests, under
 * exactly the permission flags the shipped binary gets. A data folder whose
 * `state/s3.json` exists (see {@linkcode writeS3Settings}) is served with
 * `--storage s3`, under the S3 variant of those flags.
 *
 * @module
 */

import { runToEnd } from "./run_process.ts";
import { serverDenoFlags } from "../../lib/sandbox/permission_flags.ts";
import type { S3StorageConfig } from "../../lib/storage/s3/s3_config.ts";

/** The repository root. */
export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** Options of {@linkcode startFerryd}. */
export interface StartFerrydOptions {
  /** Reuse a data folder (for restarts); a new temp folder otherwise. */
  dataDir?: string;
  /** Listen on this port; otherwise port 0, and ferryd says which port the system picked. */
  port?: number;
  /** More `serve` arguments. */
  args?: string[];
  /** Deno flags before the sandbox's, such as `--cpu-prof` (scripts/bench/profile.ts). */
  denoFlags?: string[];
  /** Environment variables added to this process's (such as an empty `DENO_DIR`). */
  env?: Record<string, string>;
  /**
   * Keep the files (and host key, users, partial uploads) in S3: written
   * to `DATA/state/s3.json` before the start.
   */
  s3?: S3StorageConfig;
}

/**
 * Writes the S3 settings of a data folder (`DATA/state/s3.json`, mode
 * 0600, creating the bucket when missing): ferryd then runs with
 * `--storage s3`.
 */
export async function writeS3Settings(dataDir: string, config: S3StorageConfig): Promise<void> {
  await Deno.mkdir(`${dataDir}/state`, { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(
    `${dataDir}/state/s3.json`,
    JSON.stringify({ ...config, createBucket: true }, null, 2),
    { mode: 0o600 },
  );
}

/** The S3 settings of a data folder, when it has some. */
export function s3SettingsOf(dataDir: string): S3StorageConfig | undefined {
  try {
    const { createBucket: _, ...config } = JSON.parse(
      Deno.readTextFileSync(`${dataDir}/state/s3.json`),
    );
    return config;
  } catch {
    return undefined;
  }
}

/** The sandbox flags, and `--storage s3` when the data folder is on S3. */
function sandboxed(dataDir: string, port: number): { flags: string[]; storage: string[] } {
  const s3 = s3SettingsOf(dataDir);
  const base = { dataDir, hostname: "127.0.0.1", port };
  return s3 === undefined ? { flags: serverDenoFlags(base), storage: [] } : {
    flags: serverDenoFlags({ ...base, storage: "s3", s3Endpoint: s3.endpoint }),
    storage: ["--storage", "s3"],
  };
}

/** A running ferryd process. */
export interface Ferryd {
  /** The process. */
  process: Deno.ChildProcess;
  /** Its data folder. */
  dataDir: string;
  /** Its port on 127.0.0.1. */
  port: number;
  /** `127.0.0.1:port`. */
  server: string;
  /** Its host key fingerprint as printed at start. */
  fingerprint: string;
  /** Everything it wrote to stderr so far. */
  log(): string;
  /** Sends a signal and waits for the exit; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** Runs `server.ts` with the server's sandbox flags and returns its output. */
export async function runServerCommand(
  dataDir: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { flags, storage } = sandboxed(dataDir, 7878);
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, `${ROOT}/server.ts`, ...args, "--data", dataDir, ...storage],
    cwd: ROOT, // not the test process's (see startFerryd)
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  return await runToEnd(command, stdin);
}

/** Adds a user through `server.ts user add --password-stdin`. */
export async function addUser(
  dataDir: string,
  name: string,
  password: string,
  extra: string[] = [],
): Promise<void> {
  const result = await runServerCommand(dataDir, [
    "user",
    "add",
    name,
    "--password-stdin",
    ...extra,
  ], `${password}\n`);
  if (result.code !== 0) throw new Error(`Cannot add user "${name}": ${result.stderr}`);
}

/** A ferryd process started by {@linkcode spawnUntilReady}. */
export interface SpawnedFerryd<T> {
  /** The process. */
  child: Deno.ChildProcess;
  /** What `ready` found in its output. */
  ready: T;
  /** What it printed so far. */
  output(): string;
  /** Sends `signal` (once) and resolves with the exit code when its output has ended. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/**
 * Runs `deno run ARGS` in the checkout and waits until `ready` finds what
 * it needs in ferryd's output (stderr); killed and thrown, with the output,
 * when it exits first or takes 30 s. It runs in the checkout, whatever the
 * test process's folder is (when tests still changed it, a ferryd started
 * in a folder that then went away lost its cwd, and its scrypt Worker
 * failed to start with NotFound).
 *
 * @param runArgs What follows `deno run`: flags, `server.ts` and its arguments.
 * @param ready Returns what it waits for, or `undefined` while the output lacks it.
 * @param options `env`: variables added to this process's; `cwd`: where it
 *   runs, when a test needs another folder than the checkout.
 * @returns The process, what `ready` returned, its output and a way to stop it.
 */
export async function spawnUntilReady<T>(
  runArgs: string[],
  ready: (output: string) => T | undefined,
  options: { env?: Record<string, string> | undefined; cwd?: string } = {},
): Promise<SpawnedFerryd<T>> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...runArgs],
    ...(options.env ? { env: options.env } : {}),
    cwd: options.cwd ?? ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const found = Promise.withResolvers<T>();
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
      const value = ready(text);
      if (value !== undefined) found.resolve(value);
    }
    found.reject(new Error(`ferryd exited before it listened:\n${text}`));
  })();
  const timeout = setTimeout(
    () => found.reject(new Error(`ferryd did not start:\n${text}`)),
    30_000,
  );
  let value: T;
  try {
    value = await found.promise;
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    await reading;
    throw error;
  } finally {
    clearTimeout(timeout);
  }
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
  return { child, ready: value, output: () => text, stop };
}

/**
 * Starts ferryd and waits until it listens.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startFerryd } from "./ferryd_process.ts";
 * await using server = await startFerryd();
 * assert.ok(server.port > 0); // port 0: the system picked one, ferryd said which
 * assert.match(server.fingerprint, /^SHA256:/);
 * ```
 */
export async function startFerryd(
  options: StartFerrydOptions = {},
): Promise<Ferryd & AsyncDisposable> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "ferryd-test-" });
  const askedPort = options.port ?? 0;
  if (options.s3 !== undefined) await writeS3Settings(dataDir, options.s3);
  const { flags, storage } = sandboxed(dataDir, askedPort);
  const started = await spawnUntilReady(
    [
      ...(options.denoFlags ?? []),
      ...flags,
      `${ROOT}/server.ts`,
      "serve",
      "--data",
      dataDir,
      "--host",
      "127.0.0.1",
      "--port",
      String(askedPort),
      ...storage,
      ...(options.args ?? []),
    ],
    (text) => {
      const listening = / listening on \S+:(\d+)\n/.exec(text);
      const key = /Host key fingerprint (SHA256:\S+)/.exec(text);
      return listening && key
        ? { port: Number(listening[1]), fingerprint: key[1] as string }
        : undefined;
    },
    { env: options.env },
  );
  const { child, stop } = started;
  const { port, fingerprint } = started.ready;
  return {
    process: child,
    dataDir,
    port,
    server: `127.0.0.1:${port}`,
    fingerprint,
    log: started.output,
    stop,
    async [Symbol.asyncDispose](): Promise<void> {
      await stop("SIGKILL");
      if (!options.dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}
