/**
 * What the plan tests share: a real ferryd (tests/harness) with a client
 * connected as alice, and a working folder that local arguments name.
 *
 * The tests spell local paths inside the working folder (`t.local("a.txt")`)
 * and read them back relative to it (`t.relative(job.local)`), rather than
 * changing the current folder: `deno test --parallel` runs the test files
 * as workers of one process, which share one current folder, so a `chdir`
 * here would move every other test's children into a folder that is later
 * deleted ("Failed getting cwd").
 *
 * @module
 */

import { openWorld, type World } from "../harness/fixture.ts";
import type { FerryClient } from "../../lib/client/ferry_client.ts";

/** Remote arguments as the CLI resolves them at the root: empty and `.` segments dropped. */
export const AT_ROOT = {
  resolveRemote: (arg: string): string =>
    arg.split("/").filter((segment) => segment !== "" && segment !== ".").join("/"),
};

/** A world with a connected client; disposing it closes both. */
export interface PlanWorld extends AsyncDisposable {
  /** The server, its files and the working folder. */
  world: World;
  /** A client logged in as alice. */
  client: FerryClient;
  /** `path` in the working folder, as an absolute local argument. */
  local(path: string): string;
  /** A local path the plan made, relative to the working folder. */
  relative(path: string): string;
}

/** Starts a ferryd and connects a client. */
export async function openPlanWorld(): Promise<PlanWorld> {
  const world = await openWorld();
  const client = await world.connect();
  const prefix = `${world.work}/`;
  return {
    world,
    client,
    local: (path) => `${prefix}${path}`,
    relative: (path) => {
      if (!path.startsWith(prefix)) throw new Error(`${path} is not in ${world.work}`);
      return path.slice(prefix.length);
    },
    async [Symbol.asyncDispose](): Promise<void> {
      await client.close().catch(() => {});
      await world[Symbol.asyncDispose]();
    },
  };
}
