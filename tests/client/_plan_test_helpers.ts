/**
 * What the plan tests share: a real ferryd (tests/harness) with a client
 * connected as alice, and a working folder the local arguments are
 * relative to, as the CLI types them.
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
  /** Runs `body` with the working folder as the current one. */
  inside<T>(body: () => Promise<T>): Promise<T>;
}

/** Starts a ferryd and connects a client. */
export async function openPlanWorld(): Promise<PlanWorld> {
  const world = await openWorld();
  const client = await world.connect();
  return {
    world,
    client,
    async inside<T>(body: () => Promise<T>): Promise<T> {
      const before = Deno.cwd();
      Deno.chdir(world.work);
      try {
        return await body();
      } finally {
        Deno.chdir(before);
      }
    },
    async [Symbol.asyncDispose](): Promise<void> {
      await client.close().catch(() => {});
      await world[Symbol.asyncDispose]();
    },
  };
}
