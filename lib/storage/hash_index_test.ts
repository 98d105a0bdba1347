import assert from "node:assert/strict";
import { fileStamp, HashIndex, TREE_BATCH_ROWS } from "./hash_index.ts";

const A = "a".repeat(64);
const B = "b".repeat(64);
const STAMP = { size: 10, mtime: 1_700_000_000_123, ino: 42 };

async function withIndex(
  run: (index: HashIndex, file: string) => Promise<void> | void,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/index.sqlite`;
  const index = HashIndex.open(file);
  try {
    await run(index, file);
  } finally {
    index.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("HashIndex - a row is trusted only with its size, mtime and inode", () =>
  withIndex((index) => {
    index.record("x", STAMP, A.toUpperCase());
    assert.equal(index.lookup("x", STAMP), A);
    for (const changed of [{ size: 11 }, { mtime: STAMP.mtime + 1 }, { ino: 43 }]) {
      index.record("x", STAMP, A);
      assert.equal(index.lookup("x", { ...STAMP, ...changed }), undefined);
      assert.equal(index.lookup("x", STAMP), undefined, "the stale row was dropped");
    }
    assert.equal(index.lookup("never", STAMP), undefined);
  }));

Deno.test("HashIndex - what is not a SHA-256 is not recorded", () =>
  withIndex((index) => {
    for (const bad of ["", "abc", "g".repeat(64), A + "a"]) index.record("x", STAMP, bad);
    assert.equal(index.size(), 0);
  }));

Deno.test("HashIndex - rows survive closing and reopening the file, in WAL mode", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/index.sqlite`;
    const first = HashIndex.open(file);
    first.record("dir/x", STAMP, A);
    first.close();
    const second = HashIndex.open(file);
    assert.equal(second.lookup("dir/x", STAMP), A);
    second.close();
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(file);
    assert.deepEqual({ ...db.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HashIndex - move takes a file, or a folder's rows in batches, and nothing beside", () =>
  withIndex(async (index) => {
    const inside = TREE_BATCH_ROWS * 2 + 3;
    for (let i = 0; i < inside; i++) index.record(`d/sub/f${i}`, STAMP, A);
    index.record("d", STAMP, B); // a file named like the folder is not inside it
    index.record("d0", STAMP, B);
    index.record("d.txt", STAMP, B);
    index.record("dé/ü", STAMP, B);
    index.record("e/old", STAMP, B); // replaced by the moved row
    await index.move("d/sub", "e");
    assert.equal(index.lookup("e/f0", STAMP), A);
    assert.equal(index.lookup(`e/f${inside - 1}`, STAMP), A);
    assert.equal(index.lookup("d/sub/f0", STAMP), undefined);
    assert.equal(index.size(), inside + 5);
    await index.move("dé", "ö😀");
    assert.equal(index.lookup("ö😀/ü", STAMP), B, "non-ASCII prefixes are cut by character");
    await index.move("d.txt", "e/old");
    assert.equal(index.lookup("e/old", STAMP), B);
    assert.equal(index.lookup("d", STAMP), B);
    assert.equal(index.lookup("d0", STAMP), B);
  }));

Deno.test("HashIndex - forgetTree drops a folder's rows and the path's own, nothing beside", () =>
  withIndex(async (index) => {
    for (let i = 0; i < TREE_BATCH_ROWS + 7; i++) index.record(`d/x/${i}`, STAMP, A);
    index.record("d", STAMP, A);
    index.record("d0", STAMP, B);
    index.record("dd/y", STAMP, B);
    await index.forgetTree("d");
    assert.equal(index.size(), 2);
    index.forget("d0");
    assert.equal(index.lookup("dd/y", STAMP), B);
    assert.equal(index.size(), 1);
  }));

Deno.test("HashIndex - a file that is no index gives a clear error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/index.sqlite`, "not a database, just some text ".repeat(40));
    assert.throws(() => HashIndex.open(`${dir}/index.sqlite`), /deleting it is safe/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fileStamp() - a folder has none; a file has its size, mtime and inode", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(fileStamp(await Deno.stat(dir)), undefined);
    await Deno.writeTextFile(`${dir}/f`, "12345");
    const info = await Deno.stat(`${dir}/f`);
    assert.deepEqual(fileStamp(info), { size: 5, mtime: info.mtime?.getTime(), ino: info.ino });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
