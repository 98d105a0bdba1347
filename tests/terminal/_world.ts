/**
 * The terminal suite's world: a ferryd, a user's own folder outside the
 * checkout, and `deno task --config ROOT/deno.json client ...` started in
 * it on a pseudo-terminal, as the README's Quick start is typed.
 *
 * @module
 */

import { DENO_DIR } from "../harness/deno_dir.ts";
import { ROOT } from "../harness/ferryd_process.ts";
import { openWorld, type World } from "../harness/fixture.ts";
import { ensureScript, PtySession } from "../harness/pty_session.ts";

/** Whether the suite can run (`script` there, or installed under CI). */
export const HAS_PTY: boolean = await ensureScript();

/** The test name suffix when it cannot. */
export const SKIPPED: string = HAS_PTY ? "" : " (skipped: no `script` command)";

/** A server and a person's folder. */
export interface TerminalWorld extends AsyncDisposable {
  /** The server side. */
  world: World;
  /** The person's folder (not in the checkout). */
  folder: string;
  /** Starts `deno task client ARGS` in the folder on a terminal. */
  client(args: string[], env?: Record<string, string>): PtySession;
}

/**
 * Opens the world. `FERRY_SERVER` and `FERRY_USER` are exported as the
 * Quick start says; no password and no trust flag: the client asks.
 */
export async function openTerminalWorld(
  serverConfig: Record<string, unknown> = {},
): Promise<TerminalWorld> {
  const dataDir = await Deno.makeTempDir({ prefix: "ferryd-terminal-" });
  await Deno.mkdir(`${dataDir}/state`, { recursive: true });
  await Deno.writeTextFile(`${dataDir}/state/config.json`, JSON.stringify(serverConfig));
  const world = await openWorld({ dataDir });
  const folder = await Deno.makeTempDir({ prefix: "ferry-person-" });
  const home = await Deno.makeTempDir({ prefix: "ferry-person-home-" });
  return {
    world,
    folder,
    client: (args, env = {}) =>
      new PtySession(["deno", "task", "-q", "--config", `${ROOT}/deno.json`, "client", ...args], {
        cwd: folder,
        env: {
          PATH: Deno.env.get("PATH") ?? "",
          HOME: home,
          DENO_DIR,
          NO_COLOR: "1",
          FERRY_SERVER: world.server.server,
          FERRY_USER: "alice",
          ...env,
        },
      }),
    async [Symbol.asyncDispose](): Promise<void> {
      await world[Symbol.asyncDispose]();
      for (const dir of [dataDir, folder, home]) {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  };
}
