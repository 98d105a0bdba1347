import assert from "node:assert/strict";
import { fsError, isDiskFull } from "../local_fs/fs_error.ts";
import { LocalStorage } from "./local_storage.ts";
import { rejectsWith, sha256Hex, tempData } from "./_test_helpers.ts";

// What an upload that does not commit leaves in state/partial, and what listPartials says of it.

const encoder = new TextEncoder();

async function partialNames(state: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(`${state}/partial`))).map((e) => e.name).sort();
}

Deno.test("an upload too small to resume leaves nothing, however it ends", async () => {
  await using t = await tempData();
  const storage = await LocalStorage.open(t.data); // RESUME_MIN_BYTES: 1 MiB
  const options = { size: 5, overwrite: false, resume: true };
  const aborted = await storage.openUpload("a.txt", options);
  await aborted.write(encoder.encode("abc"));
  await aborted.abort();
  assert.equal(aborted.keptBytes, 0);
  const short = await storage.openUpload("b.txt", options);
  await short.write(encoder.encode("abc"));
  await rejectsWith(short.commit(sha256Hex("abc")), "integrity");
  const over = await storage.openUpload("c.txt", options);
  await rejectsWith(over.write(encoder.encode("abcdef")), "too_large");
  await over.abort();
  assert.deepEqual(await partialNames(t.state), []);
  assert.deepEqual(await Array.fromAsync(storage.listPartials()), []);
});

Deno.test("a resumable upload keeps its bytes, and listPartials counts them once it ended", async () => {
  await using t = await tempData(); // every upload keeps a record here
  const sink = await t.storage.openUpload("d.bin", { size: 5, overwrite: false, resume: true });
  await sink.write(encoder.encode("abc"));
  assert.deepEqual(await Array.fromAsync(t.storage.listPartials()), [], "its upload holds it");
  await sink.abort();
  assert.equal(sink.keptBytes, 3);
  assert.deepEqual(await Array.fromAsync(t.storage.listPartials()), [{ path: "d.bin", bytes: 3 }]);
  const resumed = await t.storage.openUpload("d.bin", { size: 5, overwrite: false, resume: true });
  assert.equal(resumed.offset, 3);
  await resumed.write(encoder.encode("de"));
  await resumed.commit(sha256Hex("abcde"));
  assert.equal(resumed.keptBytes, 0);
  assert.deepEqual(await Array.fromAsync(t.storage.listPartials()), []);
});

// What an upload that meets a full disk leaves is tested on a real full disk (a small tmpfs):
// tests/full_disk_test.ts. (/dev/full would do here, but Deno grants it only with --allow-all.)

Deno.test("isDiskFull() tells ENOSPC and EDQUOT from other failures, raw or mapped", () => {
  for (const code of ["ENOSPC", "EDQUOT"]) {
    const raw = Object.assign(new Error("No space left on device (os error 28)"), { code });
    assert.ok(isDiskFull(raw), code);
    assert.ok(isDiskFull(fsError(raw, 'Cannot write "x"')), code);
  }
  assert.ok(!isDiskFull(fsError(new Deno.errors.NotFound("gone"), 'Cannot write "x"')));
  assert.ok(!isDiskFull(Object.assign(new Error("I/O error"), { code: "EIO" })));
  assert.ok(!isDiskFull(undefined));
});

Deno.test("the first open in a process deletes partial files without a record", async () => {
  const data = await Deno.makeTempDir({ prefix: "ferry_leftovers_" });
  try {
    const dir = `${data}/state/partial`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.mkdir(`${data}/files`);
    await Deno.writeTextFile(`${dir}/${"a".repeat(64)}.part`, "left by kill -9");
    const storage = await LocalStorage.open(data, { resumeMinBytes: 0 });
    assert.deepEqual(await partialNames(`${data}/state`), []);
    const sink = await storage.openUpload("x", { size: 2, overwrite: false, resume: true });
    await sink.write(encoder.encode("x"));
    await sink.abort();
    await LocalStorage.open(data); // not the first: a running upload's file would be kept
    assert.equal((await partialNames(`${data}/state`)).length, 2);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("a partial left linked to its committed file (kill -9 after the link) never resumes nor changes it", async () => {
  await using t = await tempData();
  const mtime = Date.UTC(2026, 0, 2);
  const first = await t.storage.openUpload("d.bin", {
    size: 5,
    overwrite: false,
    resume: true,
    mtime,
  });
  await first.write(encoder.encode("ab"));
  await first.abort();
  const names = await partialNames(t.state);
  const name = names.find((n) => n.endsWith(".part"));
  assert.ok(name !== undefined && names.length === 2, names.join(", "));
  const data = `${t.state}/partial/${name}`;
  const meta = data.replace(/\.part$/, ".json");
  const record = await Deno.readTextFile(meta);
  const rest = await t.storage.openUpload("d.bin", {
    size: 5,
    overwrite: false,
    resume: true,
    mtime,
  });
  await rest.write(encoder.encode("cde"));
  await rest.commit(sha256Hex("abcde"));
  // What a kill -9 between the hard link into place and the partial's removal leaves.
  await Deno.link(`${t.files}/d.bin`, data);
  await Deno.writeTextFile(meta, record);

  const same = await t.storage.openUpload("d.bin", {
    size: 5,
    overwrite: true,
    resume: true,
    mtime,
  });
  assert.equal(same.offset, 0, "a committed file is not a partial to resume");
  await same.write(encoder.encode("xy"));
  await same.abort();
  assert.equal(await Deno.readTextFile(`${t.files}/d.bin`), "abcde");
  const other = await t.storage.openUpload("d.bin", { size: 7, overwrite: true, resume: true });
  await other.write(encoder.encode("1234"));
  await other.abort();
  assert.equal(await Deno.readTextFile(`${t.files}/d.bin`), "abcde", "not emptied in place");
});
