/**
 * The benchmark's {@linkcode SetAside}: a round's trees are moved out of the
 * way, not deleted, so that the next round's file creations do not pay for
 * thousands of inodes freed a moment ago (docs/PERFORMANCE.md).
 */

import assert from "node:assert/strict";
import { SetAside } from "../scripts/bench/fixtures.ts";

Deno.test("the benchmark sets a round's tree aside instead of deleting it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ferry-set-aside-" });
  try {
    await Deno.mkdir(`${dir}/tree/d00`, { recursive: true });
    await Deno.writeTextFile(`${dir}/tree/d00/f.bin`, "kept");
    await Deno.writeTextFile(`${dir}/one.bin`, "also kept");
    const aside = new SetAside(`${dir}/set-aside`);
    await aside.move(`${dir}/tree`);
    await aside.move(`${dir}/one.bin`);
    await aside.move(`${dir}/never-made`); // a round that failed before making it
    await assert.rejects(Deno.stat(`${dir}/tree`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${dir}/one.bin`), Deno.errors.NotFound);
    assert.equal(await Deno.readTextFile(`${dir}/set-aside/0/d00/f.bin`), "kept");
    assert.equal(await Deno.readTextFile(`${dir}/set-aside/1`), "also kept");
    // The same name can be set aside again in the next round.
    await Deno.mkdir(`${dir}/tree`);
    await aside.move(`${dir}/tree`);
    assert.equal((await Deno.stat(`${dir}/set-aside/2`)).isDirectory, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
