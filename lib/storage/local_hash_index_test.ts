import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { LocalStorage } from "./local_storage.ts";
import { ScopedStorage } from "./scoped_storage.ts";
import { HASH_INDEX_FILE } from "./hash_index.ts";
import { putText, readText, sha256Hex, tempData } from "./_test_helpers.ts";
import type { TempData } from "./_test_helpers.ts";
import type { ReadSource } from "./storage.ts";
import { cancelUnread } from "../core/byte_source.ts";

/** The paths the index holds, read through a second connection. */
function indexedPaths(t: TempData): string[] {
  const db = new DatabaseSync(`${t.state}/${HASH_INDEX_FILE}`);
  try {
    return db.prepare("SELECT path FROM files ORDER BY path").all().map((row) => String(row.path));
  } finally {
    db.close();
  }
}

/** Flips the first byte of a file in place, keeping its size, mtime and inode. */
async function flipFirstByte(file: string): Promise<void> {
  const before = await Deno.stat(file);
  using handle = await Deno.open(file, { read: true, write: true });
  const byte = new Uint8Array(1);
  await handle.read(byte);
  byte[0] = byte[0]! ^ 0xff;
  await handle.seek(0, Deno.SeekMode.Start);
  await handle.write(byte);
  await handle.utime(before.atime!, before.mtime!);
  const after = await Deno.stat(file);
  assert.deepEqual([after.size, after.mtime, after.ino], [before.size, before.mtime, before.ino]);
}

/** Opens a file from 0 and closes it again, keeping what the source says. */
async function opened(storage: LocalStorage, path: string): Promise<ReadSource> {
  const source = await storage.openRead(path, 0);
  await cancelUnread(source.bytes);
  return source;
}

Deno.test("hash index - an upload's verified hash is given without reading the file", async () => {
  await using t = await tempData();
  await putText(t.storage, "a.txt", "hello");
  await flipFirstByte(`${t.files}/a.txt`);
  // Had it read the file, it would give the hash of the flipped bytes.
  assert.equal(await t.storage.knownSha256("a.txt"), sha256Hex("hello"));
  const source = await t.storage.openRead("a.txt", 0);
  assert.equal(source.sha256, sha256Hex("hello"));
  assert.equal(source.recordSha256, undefined);
  assert.notEqual(await readText(source.bytes), "hello", "the bytes are the flipped ones");
  assert.equal((await t.storage.openRead("a.txt", 2)).sha256, sha256Hex("hello"));
});

Deno.test("hash index - survives closing and reopening the storage", async () => {
  await using t = await tempData();
  await t.storage.makeDirectory("d");
  await putText(t.storage, "d/a.txt", "persist");
  t.storage.close();
  const again = await LocalStorage.open(t.data);
  await flipFirstByte(`${t.files}/d/a.txt`);
  assert.equal(await again.knownSha256("d/a.txt"), sha256Hex("persist"));
  again.close();
});

Deno.test("hash index - a file changed by hand (same size, new mtime) is not trusted", async () => {
  await using t = await tempData();
  await putText(t.storage, "a.txt", "hello");
  await Deno.writeTextFile(`${t.files}/a.txt`, "HELLO");
  await Deno.utime(`${t.files}/a.txt`, new Date(), new Date(Date.now() + 5000));
  assert.equal(await t.storage.knownSha256("a.txt"), undefined);
  assert.deepEqual(indexedPaths(t), [], "the stale row was dropped");
  const source = await opened(t.storage, "a.txt");
  assert.equal(source.sha256, undefined);
  await source.recordSha256?.(sha256Hex("HELLO"));
  assert.equal(await t.storage.knownSha256("a.txt"), sha256Hex("HELLO"));
});

Deno.test("hash index - a hash recorded for a file that changed after it was opened is not trusted", async () => {
  await using t = await tempData();
  await Deno.writeTextFile(`${t.files}/a.txt`, "first");
  const source = await opened(t.storage, "a.txt");
  assert.equal(source.sha256, undefined);
  await Deno.writeTextFile(`${t.files}/a.txt`, "later, longer");
  await source.recordSha256?.(sha256Hex("first"));
  assert.equal(await t.storage.knownSha256("a.txt"), undefined);
  assert.equal((await t.storage.openRead("a.txt", 5)).recordSha256, undefined, "only from 0");
});

Deno.test("hash index - follows the rename of a file and the move of a folder", async () => {
  await using t = await tempData();
  await t.storage.makeDirectory("d");
  await t.storage.makeDirectory("d/sub");
  await putText(t.storage, "d/sub/x.txt", "x");
  await putText(t.storage, "d/y.txt", "y");
  await putText(t.storage, "top.txt", "top");
  await putText(t.storage, "old.txt", "old");
  await t.storage.rename("top.txt", "old.txt", { overwrite: true });
  assert.equal(await t.storage.knownSha256("old.txt"), sha256Hex("top"));
  await t.storage.rename("d", "e", { overwrite: false });
  assert.deepEqual(indexedPaths(t), ["e/sub/x.txt", "e/y.txt", "old.txt"]);
  await flipFirstByte(`${t.files}/e/sub/x.txt`);
  assert.equal(await t.storage.knownSha256("e/sub/x.txt"), sha256Hex("x"));
});

Deno.test("hash index - delete and recursive rmdir drop the rows", async () => {
  await using t = await tempData();
  await t.storage.makeDirectory("d");
  await t.storage.makeDirectory("d/sub");
  await putText(t.storage, "d/sub/x.txt", "x");
  await putText(t.storage, "d/y.txt", "y");
  await putText(t.storage, "d.txt", "beside");
  await putText(t.storage, "z.txt", "z");
  await t.storage.remove("z.txt");
  assert.deepEqual(indexedPaths(t), ["d.txt", "d/sub/x.txt", "d/y.txt"]);
  await t.storage.removeDirectory("d", { recursive: true });
  assert.deepEqual(indexedPaths(t), ["d.txt"]);
});

Deno.test("hash index - keep-both records the name the upload got; forgetSha256 forgets", async () => {
  await using t = await tempData();
  await putText(t.storage, "a.txt", "one");
  const second = await putText(t.storage, "a.txt", "two", { keepBoth: true });
  assert.equal(second.name, "a (1).txt");
  assert.equal(await t.storage.knownSha256("a (1).txt"), sha256Hex("two"));
  await t.storage.forgetSha256("a.txt");
  assert.deepEqual(indexedPaths(t), ["a (1).txt"]);
});

Deno.test("hash index - a user's home maps its paths", async () => {
  await using t = await tempData();
  await t.storage.makeDirectory("home");
  const home = new ScopedStorage(t.storage, "home");
  await putText(home, "a.txt", "mine");
  assert.deepEqual(indexedPaths(t), ["home/a.txt"]);
  assert.equal(await home.knownSha256("a.txt"), sha256Hex("mine"));
  await home.forgetSha256("a.txt");
  assert.equal(await t.storage.knownSha256("home/a.txt"), undefined);
});

Deno.test("hash index - its files stay in the state folder", async () => {
  await using t = await tempData();
  await putText(t.storage, "a.txt", "a");
  const inState = [];
  for await (const entry of Deno.readDir(t.state)) inState.push(entry.name);
  assert.ok(inState.includes(HASH_INDEX_FILE), inState.join());
  const inFiles = [];
  for await (const entry of Deno.readDir(t.files)) inFiles.push(entry.name);
  assert.deepEqual(inFiles, ["a.txt"]);
});
