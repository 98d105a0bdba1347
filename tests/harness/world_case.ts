/**
 * Test bodies that run against any back end: each takes a {@linkcode World}
 * and checks the stored files through `world.files`. The core test files
 * register them against the local folder; `tests/s3/` runs the same bodies
 * against a real Ceph RGW.
 *
 * @module
 */

import { openWorld, type World } from "./fixture.ts";

/** A named test body. */
export interface WorldCase {
  /** The test's name. */
  name: string;
  /** The body, given a fresh world. */
  run(world: World): Promise<void>;
}

/** Registers each case as a `Deno.test` against a local ferryd. */
export function testLocally(cases: readonly WorldCase[]): void {
  for (const { name, run } of cases) {
    Deno.test(name, async () => {
      await using world = await openWorld();
      await run(world);
    });
  }
}
