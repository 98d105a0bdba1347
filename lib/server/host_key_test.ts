import assert from "node:assert/strict";
import { LocalStateStore } from "../storage/state_store.ts";
import { loadOrCreateHostKey } from "./host_key.ts";

Deno.test("loadOrCreateHostKey() - made once, then loaded; a damaged one is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new LocalStateStore(dir);
    const made = await loadOrCreateHostKey(store);
    const loaded = await loadOrCreateHostKey(store);
    assert.deepEqual(loaded.publicKey, made.publicKey);
    await Deno.writeTextFile(`${dir}/host_key`, "garbage\n");
    await assert.rejects(loadOrCreateHostKey(store), /host_key": the file is damaged/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
