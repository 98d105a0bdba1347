import assert from "node:assert/strict";
import { EarlySync } from "./early_sync.ts";

Deno.test("EarlySync starts a sync every N bytes, never two at once, and settle() waits for it", async () => {
  const path = await Deno.makeTempFile();
  try {
    using file = await Deno.open(path, { write: true });
    const early = new EarlySync(file, 10);
    early.appended(9);
    assert.equal(early.started, 0, "not yet 10 bytes");
    early.appended(1);
    assert.equal(early.started, 1);
    early.appended(50); // one runs: none more
    assert.equal(early.started, 1);
    await early.settle();
    early.appended(10);
    assert.equal(early.started, 2, "the next one starts once the first ended");
    await early.settle();
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("EarlySync: a failed sync is thrown by settle(), and no more start", async () => {
  const path = await Deno.makeTempFile();
  try {
    const file = await Deno.open(path, { write: true });
    file.close(); // every sync of it fails
    const early = new EarlySync(file, 1);
    early.appended(1);
    await assert.rejects(() => early.settle(), Deno.errors.BadResource);
    early.appended(5);
    assert.equal(early.started, 1);
    await assert.rejects(() => early.settle(), Deno.errors.BadResource);
  } finally {
    await Deno.remove(path);
  }
});
