/**
 * S3 cases: the server state in the bucket (host key, users) shared by
 * every instance, with conditional writes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadOrCreateHostKey } from "../../lib/server/host_key.ts";
import { UserStore } from "../../lib/server/user_store.ts";
import { S3StateStore } from "../../lib/storage/s3/s3_state_store.ts";
import type { S3Case } from "./_cases_transfer.ts";
import type { S3World } from "./_world.ts";

async function oneHostKey(world: S3World): Promise<void> {
  const prefix = world.newPrefix("hostkey");
  const stores = await Promise.all(
    Array.from({ length: 6 }, () => S3StateStore.open(world.config(prefix))),
  );
  // Six servers start at once: one creates the key (If-None-Match: *), all present it.
  const keys = await Promise.all(stores.map((store) => loadOrCreateHostKey(store)));
  for (const key of keys) assert.deepEqual(key.publicKey, keys[0]?.publicKey);
  assert.deepEqual(await world.keys(`${prefix}state/`), [`${prefix}state/host_key`]);
  assert.equal(stores[0]?.describe("host_key"), `s3://ferry-test/${prefix}state/host_key`);
}

async function sharedUsers(world: S3World): Promise<void> {
  const prefix = world.newPrefix("users");
  const [a, b] = await Promise.all([0, 1].map(() => S3StateStore.open(world.config(prefix))));
  const first = new UserStore(a as S3StateStore);
  const second = new UserStore(b as S3StateStore);
  assert.equal(await first.get("ann"), undefined);
  // Two instances add users at the same moment: If-Match and retries lose none.
  await Promise.all(
    Array.from(
      { length: 8 },
      (_, i) =>
        (i % 2 === 0 ? first : second).update((users) =>
          users.set(`user${i}`, { permissions: ["list"], keys: [] })
        ),
    ),
  );
  assert.deepEqual([...(await first.load()).keys()].sort(), [
    "user0",
    "user1",
    "user2",
    "user3",
    "user4",
    "user5",
    "user6",
    "user7",
  ]);
  // A cached copy is revalidated (304 while unchanged) and sees the other's change.
  assert.ok(await first.get("user1", { fresh: true }));
  await second.update((users) => users.delete("user1"));
  assert.equal(await first.get("user1", { fresh: true }), undefined);
  assert.ok(await first.get("user2", { fresh: true }));
}

/** The cases of the shared server state. */
export const STATE_CASES: S3Case[] = [
  ["one host key for all instances, even when they start at once", oneHostKey],
  ["one users file: concurrent changes are all kept, caches revalidated", sharedUsers],
];
