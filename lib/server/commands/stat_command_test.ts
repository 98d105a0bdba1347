import assert from "node:assert/strict";
import { addSha256, storedSha256 } from "./stat_command.ts";
import { CountedStorage } from "../counted_storage.ts";
import { FolderUsage } from "../folder_usage.ts";
import { putText, sha256Hex, tempData } from "../../storage/_test_helpers.ts";
import type { Entry } from "../../core/entry.ts";

/** Rewrites a file in place with other bytes of the same length, keeping its mtime and inode. */
async function replaceKeepingStamp(file: string, text: string): Promise<void> {
  const before = await Deno.stat(file);
  using handle = await Deno.open(file, { write: true });
  await handle.write(new TextEncoder().encode(text));
  await handle.utime(before.atime!, before.mtime!);
}

Deno.test("storedSha256() - an indexed file is not read; an unindexed one is read and recorded", async () => {
  await using t = await tempData();
  const signal = new AbortController().signal;
  await putText(t.storage, "up.txt", "uploaded");
  await replaceKeepingStamp(`${t.files}/up.txt`, "UPLOADED");
  assert.equal(await storedSha256(t.storage, "up.txt", signal), sha256Hex("uploaded"));

  await Deno.writeTextFile(`${t.files}/hand.txt`, "by hand");
  assert.equal(await t.storage.knownSha256("hand.txt"), undefined);
  assert.equal(await storedSha256(t.storage, "hand.txt", signal), sha256Hex("by hand"));
  assert.equal(await t.storage.knownSha256("hand.txt"), sha256Hex("by hand"), "recorded");
});

Deno.test("addSha256() - files get their hash, folders none; an aborted signal stops it", async () => {
  await using t = await tempData();
  await Deno.mkdir(`${t.files}/d`);
  await Deno.writeTextFile(`${t.files}/a.txt`, "a");
  // The counted wrapper (a user with a quota) passes the index through.
  const storage = new CountedStorage(t.storage, new FolderUsage(t.storage));
  const page: Entry[] = [
    { name: "a.txt", kind: "file", size: 1, mtime: 0 },
    { name: "d", kind: "dir", size: 0, mtime: 0 },
    { name: "gone.txt", kind: "file", size: 1, mtime: 0 },
  ];
  await addSha256(storage, "", page, new AbortController().signal);
  assert.deepEqual(page.map((entry) => entry.sha256), [sha256Hex("a"), undefined, undefined]);
  assert.equal(await storage.knownSha256?.("a.txt"), sha256Hex("a"));
  const stop = new AbortController();
  stop.abort(new Error("cancelled"));
  await assert.rejects(addSha256(storage, "", page, stop.signal), /cancelled/);
});
