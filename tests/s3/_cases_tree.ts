/**
 * S3 cases: folders, listings, removal and moves. The steps both back ends
 * share are in `lib/storage/_storage_contract.ts`; these add what is S3's own.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  checkFileMoves,
  checkFolderMoves,
  checkFolders,
  checkRemoveFiles,
} from "../../lib/storage/_storage_contract.ts";
import { listNames, putText, rejectsWith } from "../../lib/storage/_test_helpers.ts";
import { mapLimit } from "../../lib/storage/s3/s3_tree.ts";
import type { S3Case } from "./_cases_transfer.ts";
import type { S3World } from "./_world.ts";

async function statRoot(world: S3World): Promise<void> {
  const s = await world.open(world.newPrefix("stat"));
  await s.makeDirectory("d");
  await putText(s, "d/a.txt", "hello");
  const file = await s.stat("d/a.txt");
  assert.equal(file.kind, "file");
  assert.equal(file.size, 5);
  assert.ok(file.mtime > 0);
  assert.deepEqual({ ...(await s.stat("d")), mtime: 0 }, {
    name: "d",
    kind: "dir",
    size: 0,
    mtime: 0,
  });
  assert.deepEqual(await s.stat(""), { name: "", kind: "dir", size: 0, mtime: 0 });
  await rejectsWith(s.stat("d/none"), "not_found");
  await rejectsWith(s.stat("d/a.txt/x"), "not_directory");
  await rejectsWith(s.openRead("d/a.txt/x", 0), "not_directory");
  await rejectsWith(Array.fromAsync(s.list("d/a.txt")), "not_directory");
  await rejectsWith(Array.fromAsync(s.list("none")), "not_found");
  assert.deepEqual(await listNames(s, ""), ["d"]);
}

async function listingPages(world: S3World): Promise<void> {
  const prefix = world.newPrefix("pages");
  const raw = world.raw();
  const names = Array.from({ length: 1_200 }, (_, i) => `f${String(i).padStart(4, "0")}.txt`);
  const folders = Array.from({ length: 30 }, (_, i) => `sub${i}`);
  await raw.put(`${prefix}files/big/`, "");
  await mapLimit([...names, ...folders.map((f) => `${f}/x`)], 32, async (name) => {
    await raw.put(`${prefix}files/big/${name}`, "x");
  });
  // Keys no client could name are left out of listings.
  await raw.put(`${prefix}files/big/bad\u0001name`, "x");
  for (const exact of [false, true]) {
    const s = await world.open(prefix, { pageSize: 100, exactListTimes: exact });
    const entries = await Array.fromAsync(s.list("big"));
    assert.equal(entries.length, 1_230);
    const files = entries.filter((e) => e.kind === "file").map((e) => e.name).sort();
    assert.deepEqual(files, names);
    const dirs = entries.filter((e) => e.kind === "dir").map((e) => e.name).sort();
    assert.deepEqual(dirs, [...folders].sort());
  }
  // The listing is streamed: the first entry arrives after one page.
  const s = await world.open(prefix, { pageSize: 100, exactListTimes: false });
  const iterator = s.list("big")[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).done, false);
  await iterator.return?.();
}

async function folders(world: S3World): Promise<void> {
  await checkFolders(await world.open(world.newPrefix("folders")));
}

async function removeFiles(world: S3World): Promise<void> {
  await checkRemoveFiles(await world.open(world.newPrefix("remove")));
}

async function rename(world: S3World): Promise<void> {
  const prefix = world.newPrefix("rename");
  const s = await world.open(prefix, { pageSize: 50 });
  await checkFileMoves(s);
  // A folder with more keys than a page moves whole, empty subfolders included.
  await s.makeDirectory("d/empty");
  for (let i = 0; i < 120; i++) await world.raw().put(`${prefix}files/d/e/n${i}`, String(i));
  await checkFolderMoves(s);
  assert.deepEqual(await listNames(s, "moved"), ["e", "empty"]);
  assert.equal((await listNames(s, "moved/e")).length, 121);
  assert.deepEqual(await world.keys(`${prefix}files/d/`), [], "nothing left at the source");
  assert.deepEqual(await world.keys(`${prefix}state/`), [], "every lease was released");
}

/** The folder and listing cases. */
export const TREE_CASES: S3Case[] = [
  ["stat of files, folders and the root; list errors", statRoot],
  ["listing 1,230 entries in pages of 100, streamed", listingPages],
  ["makeDirectory() and removeDirectory() behave like the local folder", folders],
  ["remove() removes files only", removeFiles],
  ["rename() moves files and folders with the checks of the local folder", rename],
];
