import assert from "node:assert/strict";
import { DirectorySyncs } from "./directory_sync.ts";

Deno.test("DirectorySyncs - callers before a sync starts share it; later ones get the next", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const syncs = new DirectorySyncs();
    const first = syncs.sync(dir);
    const joined = syncs.sync(dir);
    assert.equal(joined, first, "a caller joins the batch that has not started");
    await Promise.resolve(); // the first batch starts
    const next = syncs.sync(dir);
    assert.notEqual(next, first, "a caller after the start gets a new batch");
    await Promise.all([first, joined, next]);
    const other = syncs.sync(`${dir}/missing`);
    await other; // a folder that cannot be opened is best effort, not an error
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
