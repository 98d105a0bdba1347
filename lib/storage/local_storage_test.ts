import assert from "node:assert/strict";
import { LocalStorage } from "./local_storage.ts";
import { listNames, putText, readBytes, readText, rejectsWith, tempData } from "./_test_helpers.ts";
import type { TempData } from "./_test_helpers.ts";
import {
  checkFileMoves,
  checkFolderMoves,
  checkFolders,
  checkRemoveFiles,
} from "./_storage_contract.ts";

const NO_OVERWRITE = { overwrite: false, resume: false, size: 1 };

/** Links out of the root: a file, a folder, and the server's own state folder. */
async function plantEscapes(t: TempData): Promise<void> {
  await Deno.symlink(`${t.outside}/secret.txt`, `${t.files}/out_file`);
  await Deno.symlink("../../outside", `${t.files}/out_dir`);
  await Deno.symlink("../state", `${t.files}/state_link`);
}

Deno.test("LocalStorage.open() creates files and a private state folder", async () => {
  await using t = await tempData();
  assert.equal((await Deno.stat(t.files)).isDirectory, true);
  assert.equal((await Deno.stat(t.state)).mode! & 0o777, 0o700);
  assert.equal((await Deno.stat(`${t.state}/partial`)).mode! & 0o777, 0o700);
  await LocalStorage.open(t.data); // opening again is fine
});

Deno.test("LocalStorage.stat() describes files, folders and the root", async () => {
  await using t = await tempData();
  await Deno.mkdir(`${t.files}/d`);
  await Deno.writeTextFile(`${t.files}/d/a.txt`, "hello");
  const file = await t.storage.stat("d/a.txt");
  assert.equal(file.name, "a.txt");
  assert.equal(file.kind, "file");
  assert.equal(file.size, 5);
  assert.ok(file.mtime > 0);
  assert.deepEqual({ ...(await t.storage.stat("d")), mtime: 0 }, {
    name: "d",
    kind: "dir",
    size: 0,
    mtime: 0,
  });
  assert.equal((await t.storage.stat("")).kind, "dir");
  await rejectsWith(t.storage.stat("d/none"), "not_found");
});

Deno.test("LocalStorage refuses links leading outside for every operation", async () => {
  await using t = await tempData();
  await plantEscapes(t);
  await Deno.writeTextFile(`${t.files}/in.txt`, "in");
  const s = t.storage;
  for (
    const path of ["out_file", "out_dir", "out_dir/secret.txt", "state_link", "state_link/partial"]
  ) {
    await rejectsWith(s.stat(path), "invalid_path");
    await rejectsWith(s.openRead(path, 0), "invalid_path");
    await rejectsWith(s.openUpload(path, { ...NO_OVERWRITE, overwrite: true }), "invalid_path");
    await rejectsWith(s.rename(path, "moved", { overwrite: true }), "invalid_path");
    await rejectsWith(s.remove(path), "invalid_path");
    await rejectsWith(s.removeDirectory(path, { recursive: true }), "invalid_path");
    await rejectsWith(Array.fromAsync(s.list(path)), "invalid_path");
  }
  await rejectsWith(s.openUpload("out_dir/new.txt", NO_OVERWRITE), "invalid_path");
  await rejectsWith(s.makeDirectory("out_dir/new"), "invalid_path");
  await rejectsWith(s.rename("in.txt", "out_dir/in.txt", { overwrite: true }), "invalid_path");
  await rejectsWith(s.rename("in.txt", "state_link/in.txt", { overwrite: true }), "invalid_path");
  assert.deepEqual(await listNames(s, ""), ["in.txt"]);
  assert.equal(await Deno.readTextFile(`${t.outside}/secret.txt`), "secret");
  assert.deepEqual((await Array.fromAsync(Deno.readDir(t.outside))).map((e) => e.name), [
    "secret.txt",
  ]);
});

Deno.test("LocalStorage follows links that stay inside; remove takes the link only", async () => {
  await using t = await tempData();
  await Deno.mkdir(`${t.files}/d`);
  await Deno.writeTextFile(`${t.files}/d/a.txt`, "hello");
  await Deno.symlink("d/a.txt", `${t.files}/file_link`);
  await Deno.symlink("d", `${t.files}/dir_link`);
  const s = t.storage;
  assert.equal((await s.stat("file_link")).size, 5);
  assert.equal(await readText((await s.openRead("file_link", 1)).bytes), "ello");
  assert.deepEqual(await listNames(s, "dir_link"), ["a.txt"]);
  const root = await Array.fromAsync(s.list(""));
  root.sort((a, b) => a.name.localeCompare(b.name));
  assert.deepEqual(root.map((e) => [e.name, e.kind, e.size]), [
    ["d", "dir", 0],
    ["dir_link", "dir", 0],
    ["file_link", "file", 5],
  ]);
  await s.remove("file_link");
  await rejectsWith(s.remove("dir_link"), "is_directory");
  await s.removeDirectory("dir_link", { recursive: true });
  assert.deepEqual(await listNames(s, ""), ["d"]);
  assert.equal(await Deno.readTextFile(`${t.files}/d/a.txt`), "hello");
});

Deno.test("LocalStorage.list() skips dangling links and names no client could send", async () => {
  await using t = await tempData();
  await Deno.symlink("missing", `${t.files}/dangling`);
  await Deno.writeTextFile(`${t.files}/bad\nname`, "x");
  await Deno.writeTextFile(`${t.files}/good`, "x");
  assert.deepEqual(await listNames(t.storage, ""), ["good"]);
  await rejectsWith(Array.fromAsync(t.storage.list("good")), "not_directory");
  await rejectsWith(Array.fromAsync(t.storage.list("none")), "not_found");
});

Deno.test("LocalStorage.removeDirectory() never follows a link inside the folder", async () => {
  await using t = await tempData();
  await Deno.mkdir(`${t.files}/d/e`, { recursive: true });
  await Deno.symlink(t.outside, `${t.files}/d/e/out`);
  await t.storage.removeDirectory("d", { recursive: true });
  assert.equal(await Deno.readTextFile(`${t.outside}/secret.txt`), "secret");
  assert.deepEqual(await listNames(t.storage, ""), []);
});

Deno.test("LocalStorage.openRead() reads from an offset into a reused buffer", async () => {
  await using t = await tempData();
  const small = "0123456789".repeat(1000);
  await Deno.writeTextFile(`${t.files}/n.txt`, small);
  const { entry, bytes } = await t.storage.openRead("n.txt", 3);
  assert.equal(entry.size, 10_000);
  assert.equal(new TextDecoder().decode(await readBytes(bytes, 333)), small.slice(3));
  // Past DIRECT_IO_MAX_BYTES the file is read chunk by chunk, not at once.
  const big = "abcdefghijklmnopq".repeat(10_000);
  await Deno.writeTextFile(`${t.files}/big.txt`, big);
  const bigRead = await t.storage.openRead("big.txt", 5);
  assert.equal(new TextDecoder().decode(await readBytes(bigRead.bytes, 4096)), big.slice(5));
  assert.equal(await readText((await t.storage.openRead("n.txt", 10_000)).bytes), "");
  await rejectsWith(t.storage.openRead("n.txt", 10_001), "bad_request");
  await rejectsWith(t.storage.openRead("n.txt", -1), "bad_request");
  await rejectsWith(t.storage.openRead("", 0), "is_directory");
  await rejectsWith(t.storage.openRead("none", 0), "not_found");
});

Deno.test("LocalStorage.makeDirectory() and removeDirectory() behave", async () => {
  await using t = await tempData();
  await checkFolders(t.storage);
  assert.equal((await Deno.stat(t.files)).isDirectory, true);
});

Deno.test("LocalStorage.remove() removes files only", async () => {
  await using t = await tempData();
  await checkRemoveFiles(t.storage);
});

Deno.test("LocalStorage.rename() moves files and folders with the checks", async () => {
  await using t = await tempData();
  await checkFileMoves(t.storage);
  await checkFolderMoves(t.storage);
});

Deno.test("LocalStorage.rename() refuses moving a folder into itself through a link", async () => {
  await using t = await tempData();
  await Deno.mkdir(`${t.files}/d`);
  await Deno.symlink("d", `${t.files}/alias`);
  await rejectsWith(t.storage.rename("d", "alias/d2", { overwrite: false }), "invalid_path");
  await t.storage.rename("alias", "d/alias", { overwrite: false });
});

Deno.test("LocalStorage.rename() and remove() are busy while an upload holds the path", async () => {
  await using t = await tempData();
  const s = t.storage;
  await s.makeDirectory("d");
  await putText(s, "d/a.txt", "old");
  const sink = await s.openUpload("d/a.txt", { size: 3, overwrite: true, resume: false });
  await rejectsWith(s.rename("d/a.txt", "b.txt", { overwrite: false }), "busy");
  await putText(s, "c.txt", "c");
  await rejectsWith(s.rename("c.txt", "d/a.txt", { overwrite: true }), "busy");
  await rejectsWith(s.rename("d", "e", { overwrite: false }), "busy");
  await rejectsWith(s.remove("d/a.txt"), "busy");
  await rejectsWith(s.removeDirectory("d", { recursive: true }), "busy");
  await sink.abort();
  await s.rename("d", "e", { overwrite: false });
});
