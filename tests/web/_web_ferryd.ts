/**
 * A real ferryd process with its web front end, started with the sandbox
 * the launcher would give it for the same arguments (so the test proves the
 * grant holds the web address).
 *
 * @module
 */

import { serverSandboxConfig } from "../../lib/cli/ferryd/server_args.ts";
import { serverDenoFlags } from "../../lib/sandbox/permission_flags.ts";
import { ROOT } from "../harness/ferryd_process.ts";

/** A running ferryd with `--web`. */
export interface WebFerryd extends AsyncDisposable {
  /** The page's URL. */
  url: string;
  /** The ferry protocol's port. */
  port: number;
  /** The data folder. */
  dataDir: string;
  /** What it printed so far. */
  output(): string;
}

/**
 * Starts `server.ts serve --port 0 --web 127.0.0.1:0` on `dataDir` with
 * `extra` arguments; both ports are read from ferryd's start lines.
 */
export async function startWebFerryd(dataDir: string, extra: string[] = []): Promise<WebFerryd> {
  const args = [
    "serve",
    "--data",
    dataDir,
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--web",
    "127.0.0.1:0",
    ...extra,
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...serverDenoFlags(serverSandboxConfig(args)), `${ROOT}/server.ts`, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const ready = Promise.withResolvers<{ url: string; port: number }>();
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
      const web = /Web client on (\S+)/.exec(text);
      const listening = / listening on \S+:(\d+)\n/.exec(text);
      if (web && listening) ready.resolve({ url: web[1] as string, port: Number(listening[1]) });
    }
    ready.reject(new Error(`ferryd exited before it listened:\n${text}`));
  })();
  const timer = setTimeout(() => ready.reject(new Error(`ferryd did not start:\n${text}`)), 30_000);
  let url: string;
  let port: number;
  try {
    ({ url, port } = await ready.promise);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    await reading;
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    url,
    port,
    dataDir,
    output: () => text,
    async [Symbol.asyncDispose](): Promise<void> {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
      await reading;
    },
  };
}
