/**
 * What every {@linkcode Storage} back end must do with folders, removal and
 * moves, as steps a test runs on a fresh, empty storage. The local folder's
 * tests (`local_storage_test.ts`) and the S3 cases (`tests/s3/_cases_tree.ts`)
 * run the same steps, so the two back ends cannot drift apart; each adds
 * only what is its own.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Storage } from "./storage.ts";
import { listNames, putText, readText, rejectsWith } from "./_test_helpers.ts";

/** Folders: made once, refused where a file or nothing is, removed only when empty or with `recursive`. */
export async function checkFolders(s: Storage): Promise<void> {
  await s.makeDirectory("d");
  await rejectsWith(s.makeDirectory("d"), "exists");
  await rejectsWith(s.makeDirectory(""), "exists");
  const missing = await rejectsWith(s.makeDirectory("x/y"), "not_found");
  assert.equal(missing, 'Cannot create folder "x/y": folder "x" does not exist');
  await s.makeDirectory("d/e");
  assert.deepEqual(await listNames(s, "d/e"), [], "an empty folder stays");
  await putText(s, "d/e/f.txt", "f");
  await rejectsWith(s.makeDirectory("d/e/f.txt"), "exists");
  await rejectsWith(s.makeDirectory("d/e/f.txt/g"), "not_directory");
  await rejectsWith(s.removeDirectory("d", { recursive: false }), "not_empty");
  await rejectsWith(s.removeDirectory("d/e/f.txt", { recursive: false }), "not_directory");
  await rejectsWith(s.removeDirectory("", { recursive: true }), "invalid_path");
  await rejectsWith(s.removeDirectory("none", { recursive: true }), "not_found");
  await s.removeDirectory("d", { recursive: true });
  await s.makeDirectory("empty");
  await s.removeDirectory("empty", { recursive: false });
  assert.deepEqual(await listNames(s, ""), []);
}

/** `remove()` removes files only. */
export async function checkRemoveFiles(s: Storage): Promise<void> {
  await putText(s, "a.txt", "a");
  await s.makeDirectory("d");
  await rejectsWith(s.remove("d"), "is_directory");
  await rejectsWith(s.remove(""), "is_directory");
  await s.remove("a.txt");
  await rejectsWith(s.remove("a.txt"), "not_found");
  assert.deepEqual(await listNames(s, ""), ["d"]);
}

/**
 * The first half of the moves: files replace files only with `overwrite`
 * (keeping their metadata), and every bad move is refused. Leaves `f.txt`
 * and `d/e/c.txt` (holding "a") for {@linkcode checkFolderMoves}.
 */
export async function checkFileMoves(s: Storage): Promise<void> {
  await putText(s, "a.txt", "a", { mtime: 5_000 });
  await putText(s, "b.txt", "b");
  await s.makeDirectory("d");
  await s.makeDirectory("d/e");
  await rejectsWith(s.rename("a.txt", "b.txt", { overwrite: false }), "exists");
  await s.rename("a.txt", "b.txt", { overwrite: true });
  assert.equal(await readText((await s.openRead("b.txt", 0)).bytes), "a");
  assert.equal((await s.stat("b.txt")).mtime, 5_000, "metadata travels with the file");
  await s.rename("b.txt", "d/e/c.txt", { overwrite: false });
  await rejectsWith(s.rename("none", "x", { overwrite: false }), "not_found");
  await rejectsWith(s.rename("d", "x/y", { overwrite: false }), "not_found");
  await rejectsWith(s.rename("d", "d/e/inner", { overwrite: false }), "invalid_path");
  await rejectsWith(s.rename("d/e", "d", { overwrite: true }), "exists");
  await rejectsWith(s.rename("", "x", { overwrite: false }), "invalid_path");
  await rejectsWith(s.rename("d", "", { overwrite: true }), "invalid_path");
  await putText(s, "f.txt", "f");
  await rejectsWith(s.rename("d", "f.txt", { overwrite: true }), "is_directory");
  await rejectsWith(s.rename("f.txt", "d/e", { overwrite: true }), "is_directory");
}

/** The second half: folder `d` moves whole; a move onto itself changes nothing. */
export async function checkFolderMoves(s: Storage): Promise<void> {
  await s.rename("d", "moved", { overwrite: false });
  await s.rename("moved", "moved", { overwrite: false });
  assert.deepEqual(await listNames(s, ""), ["f.txt", "moved"]);
  assert.equal(await readText((await s.openRead("moved/e/c.txt", 0)).bytes), "a");
}
