/**
 * A real ferryd process with its web front end, started with the sandbox
 * the launcher would give it for the same arguments (so the test proves the
 * grant holds the web address).
 *
 * @module
 */

import { serverSandboxConfig } from "../../lib/cli/ferryd/server_args.ts";
import { serverDenoFlags } from "../../lib/sandbox/permission_flags.ts";
import { ROOT, spawnUntilReady } from "../harness/ferryd_process.ts";

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
  const started = await spawnUntilReady(
    [...serverDenoFlags(serverSandboxConfig(args)), `${ROOT}/server.ts`, ...args],
    (text) => {
      const web = /Web client on (\S+)/.exec(text);
      const listening = / listening on \S+:(\d+)\n/.exec(text);
      return web && listening ? { url: web[1] as string, port: Number(listening[1]) } : undefined;
    },
  );
  const { url, port } = started.ready;
  return {
    url,
    port,
    dataDir,
    output: started.output,
    async [Symbol.asyncDispose](): Promise<void> {
      await started.stop("SIGTERM");
    },
  };
}
