import assert from "node:assert/strict";
import { LocalStateStore, type StateObject, type StateStore } from "../storage/state_store.ts";
import { UserStore } from "./user_store.ts";

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
