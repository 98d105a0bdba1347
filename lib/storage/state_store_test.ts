import assert from "node:assert/strict";
import { loadOrCreateHostKey } from "../server/host_key.ts";
import { UserStore } from "../server/user_store.ts";
import { LocalStateStore, type StateObject, type StateStore } from "./state_store.ts";

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

/** A store where another writer changes the object before each of the first `races` writes. */
class RacingStore implements StateStore {
  #inner: StateStore;
  #races: number;
  constructor(inner: StateStore, races: number) {
    this.#inner = inner;
    this.#races = races;
  }
  describe(name: string): string {
    return this.#inner.describe(name);
  }
  read(name: string): Promise<StateObject | undefined> {
    return this.#inner.read(name);
  }
  readIfChanged(name: string, version: string): Promise<StateObject | "unchanged" | undefined> {
    return this.#inner.readIfChanged(name, version);
  }
  async replace(name: string, bytes: Uint8Array, version: string | undefined): Promise<boolean> {
    if (this.#races-- > 0) {
      const other = new UserStore(this.#inner);
      await other.update((users) =>
        users.set(`other${this.#races}`, { permissions: [], keys: [] })
      );
    }
    return await this.#inner.replace(name, bytes, version);
  }
}

Deno.test("UserStore.update() - redoes a change made on an old version, losing nobody's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new LocalStateStore(dir);
    const users = new UserStore(new RacingStore(store, 2));
    await users.update((all) => all.set("ann", { permissions: ["list"], keys: [] }));
    const names = [...(await new UserStore(store).load()).keys()].sort();
    assert.deepEqual(names, ["ann", "other0", "other1"]);
    assert.equal((await users.get("ann"))?.permissions[0], "list");
    await new UserStore(store).update((all) => all.delete("ann"));
    assert.equal(await users.get("ann", { fresh: true }), undefined, "seen at the next login");
    const never = new UserStore(new RacingStore(store, 100));
    await assert.rejects(
      never.update((all) => all.set("bob", { permissions: [], keys: [] })),
      /other writers kept changing it/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

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
