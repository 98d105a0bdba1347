import assert from "node:assert/strict";
import { LocalStateStore, type StateObject } from "./state_store.ts";

const encoder = new TextEncoder();

Deno.test("LocalStateStore - conditional writes, revalidated reads, mode 0600", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new LocalStateStore(dir);
    assert.equal(await store.read("a"), undefined);
    assert.equal(await store.replace("a", encoder.encode("one"), undefined), true);
    assert.equal(await store.replace("a", encoder.encode("two"), undefined), false, "exists");
    const first = await store.read("a") as StateObject;
    assert.equal(new TextDecoder().decode(first.bytes), "one");
    assert.equal((await Deno.stat(`${dir}/a`)).mode! & 0o777, 0o600);
    assert.equal(await store.readIfChanged("a", first.version), "unchanged");
    assert.equal(await store.replace("a", encoder.encode("two"), first.version), true);
    assert.equal(await store.replace("a", encoder.encode("old"), first.version), false, "stale");
    const second = await store.readIfChanged("a", first.version) as StateObject;
    assert.equal(new TextDecoder().decode(second.bytes), "two");
    assert.equal((await Deno.stat(`${dir}/a`)).mode! & 0o777, 0o600);
    assert.equal(store.describe("a"), `${dir}/a`);
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
    assert.deepEqual(names, ["a"], "no temporary file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
