import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { EARLY_SYNC_BYTES } from "../local_fs/early_sync.ts";
import { LocalStorage } from "./local_storage.ts";
import { listNames, putText, readText, rejectsWith, sha256Hex, tempData } from "./_test_helpers.ts";

const encoder = new TextEncoder();

async function partialNames(state: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(`${state}/partial`))).map((e) => e.name).sort();
}

Deno.test("LocalUpload commits verified bytes atomically and leaves no partial", async () => {
  await using t = await tempData();
  await t.storage.makeDirectory("d");
  const bytes = encoder.encode("hello, ferry");
  const sink = await t.storage.openUpload("d/a.txt", {
    size: bytes.byteLength,
    overwrite: false,
    resume: false,
    mtime: Date.UTC(2020, 0, 2, 3, 4, 5),
  });
  assert.equal(sink.offset, 0);
  await sink.write(bytes.subarray(0, 5));
  await rejectsWith(t.storage.stat("d/a.txt"), "not_found");
  assert.equal((await partialNames(t.state)).length, 2);
  await sink.write(bytes.subarray(5));
  const entry = await sink.commit(sha256Hex(bytes).toUpperCase());
  assert.deepEqual(entry, {
    name: "a.txt",
    kind: "file",
    size: bytes.byteLength,
    mtime: Date.UTC(2020, 0, 2, 3, 4, 5),
  });
  assert.equal(await Deno.readTextFile(`${t.files}/d/a.txt`), "hello, ferry");
  assert.deepEqual(await listNames(t.storage, "d"), ["a.txt"]);
  assert.deepEqual(await listNames(t.storage, ""), ["d"]);
  assert.deepEqual(await partialNames(t.state), []);
  await putText(t.storage, "empty", "");
  assert.equal((await t.storage.stat("empty")).size, 0);
});

Deno.test("LocalUpload.commit() with a wrong hash gives integrity and no file", async () => {
  await using t = await tempData();
  const sink = await t.storage.openUpload("a.txt", { size: 3, overwrite: false, resume: false });
  await sink.write(encoder.encode("abc"));
  await rejectsWith(sink.commit(sha256Hex("abd")), "integrity");
  await rejectsWith(t.storage.stat("a.txt"), "not_found");
  assert.deepEqual(await partialNames(t.state), []);
  await putText(t.storage, "a.txt", "abc"); // the lock was released
  await assert.rejects(sink.commit(sha256Hex("abc")), TypeError);
  await assert.rejects(sink.write(encoder.encode("x")), TypeError);
});

Deno.test("LocalUpload.commit() of too few bytes gives integrity and frees the lock", async () => {
  await using t = await tempData();
  const sink = await t.storage.openUpload("a.txt", { size: 4, overwrite: false, resume: false });
  await sink.write(encoder.encode("abc"));
  const message = await rejectsWith(sink.commit(sha256Hex("abc")), "integrity");
  assert.equal(message, 'Cannot commit "a.txt": received 3 of 4 bytes');
  await rejectsWith(t.storage.stat("a.txt"), "not_found");
  await putText(t.storage, "a.txt", "abcd");
});

Deno.test("LocalUpload.write() past the announced size gives too_large", async () => {
  await using t = await tempData();
  const sink = await t.storage.openUpload("a.txt", { size: 4, overwrite: false, resume: false });
  await sink.write(encoder.encode("abc"));
  await rejectsWith(sink.write(encoder.encode("de")), "too_large");
  await sink.write(encoder.encode("d"));
  await rejectsWith(sink.write(encoder.encode("e")), "too_large");
  await sink.abort();
  await sink.abort();
  await putText(t.storage, "a.txt", "fine");
});

Deno.test("LocalStorage.openUpload() is busy for a second upload of a path until abort", async () => {
  await using t = await tempData();
  const options = { size: 1, overwrite: false, resume: false };
  const first = await t.storage.openUpload("a.txt", options);
  const message = await rejectsWith(t.storage.openUpload("a.txt", options), "busy");
  assert.equal(message, 'Cannot write "a.txt": another upload is in progress');
  // A second storage on the same data folder shares the lock table.
  const again = await LocalStorage.open(t.data, { resumeMinBytes: 0 });
  await rejectsWith(again.openUpload("a.txt", options), "busy");
  await first.abort();
  const second = await t.storage.openUpload("a.txt", options);
  await second.abort();
});

Deno.test("LocalStorage.openUpload() refuses to overwrite unless asked", async () => {
  await using t = await tempData();
  await putText(t.storage, "a.txt", "old");
  await rejectsWith(putText(t.storage, "a.txt", "new"), "exists");
  await t.storage.makeDirectory("d");
  await rejectsWith(putText(t.storage, "d", "x", { overwrite: true }), "is_directory");
  await rejectsWith(putText(t.storage, "none/a.txt", "x"), "not_found");
  await rejectsWith(putText(t.storage, "a.txt/b", "x"), "not_directory");
  await rejectsWith(putText(t.storage, "", "x"), "is_directory");
  await putText(t.storage, "a.txt", "new", { overwrite: true });
  assert.equal(await Deno.readTextFile(`${t.files}/a.txt`), "new");
});

Deno.test("LocalUpload.commit() without overwrite refuses a target created meanwhile", async () => {
  await using t = await tempData();
  const sink = await t.storage.openUpload("a.txt", { size: 3, overwrite: false, resume: false });
  await sink.write(encoder.encode("new"));
  await Deno.writeTextFile(`${t.files}/a.txt`, "sneaky");
  await rejectsWith(sink.commit(sha256Hex("new")), "exists");
  assert.equal(await Deno.readTextFile(`${t.files}/a.txt`), "sneaky");
  // The verified partial is kept: a forced resume commits it without resending.
  const forced = await t.storage.openUpload("a.txt", { size: 3, overwrite: true, resume: true });
  assert.equal(forced.offset, 3);
  await forced.commit(sha256Hex("new"));
  assert.equal(await Deno.readTextFile(`${t.files}/a.txt`), "new");
});

Deno.test("LocalUpload resumes from the partial length and commits the right bytes", async () => {
  await using t = await tempData();
  const whole = encoder.encode("0123456789".repeat(10_000));
  const options = { size: whole.byteLength, overwrite: false, resume: true, mtime: 1_000 };
  const first = await t.storage.openUpload("big.bin", options);
  assert.equal(first.offset, 0);
  await first.write(whole.subarray(0, 70_001));
  await first.abort();
  const other = await t.storage.openUpload("big.bin", { ...options, mtime: 2_000 });
  assert.equal(other.offset, 0, "a different mtime is a different upload");
  await other.abort();
  const second = await t.storage.openUpload("big.bin", options);
  await second.write(whole.subarray(0, 70_001));
  await second.abort();
  const third = await t.storage.openUpload("big.bin", options);
  assert.equal(third.offset, 70_001);
  await third.write(whole.subarray(third.offset));
  await third.commit(sha256Hex(whole));
  assert.deepEqual(await Deno.readFile(`${t.files}/big.bin`), whole);
});

Deno.test("LocalUpload resumed after a restart hashes the partial in the background, buffered writes or not", async () => {
  await using t = await tempData();
  const whole = new Uint8Array(6 * 1024 * 1024 + 5).map((_, i) => (i * 31) % 253);
  const options = { size: whole.byteLength, overwrite: false, resume: true, mtime: 1_000 };
  const cut = 4 * 1024 * 1024;
  const first = await t.storage.openUpload("big.bin", options);
  for (let at = 0; at < cut; at += 65_514) {
    await first.write(whole.subarray(at, Math.min(cut, at + 65_514)));
  }
  await first.abort();
  // A new storage has no hash state in memory (as after a restart): the bytes
  // already on disk are hashed by a background reader while the rest arrives
  // in messages that the writer buffers.
  const restarted = await LocalStorage.open(t.data, { resumeMinBytes: 0 });
  const second = await restarted.openUpload("big.bin", options);
  assert.equal(second.offset, cut);
  for (let at = cut; at < whole.byteLength; at += 65_514) {
    await second.write(whole.subarray(at, at + 65_514));
  }
  await second.commit(sha256Hex(whole));
  assert.deepEqual(await Deno.readFile(`${t.files}/big.bin`), whole);
});

Deno.test("LocalUpload without resume truncates an earlier partial", async () => {
  await using t = await tempData();
  const options = { size: 6, overwrite: false, resume: true };
  const first = await t.storage.openUpload("a.txt", options);
  await first.write(encoder.encode("abc"));
  await first.abort();
  const fresh = await t.storage.openUpload("a.txt", { ...options, resume: false });
  assert.equal(fresh.offset, 0);
  await fresh.write(encoder.encode("xyz"));
  await fresh.abort();
  const resumed = await t.storage.openUpload("a.txt", options);
  assert.equal(resumed.offset, 3);
  await resumed.write(encoder.encode("123"));
  await resumed.commit(sha256Hex("xyz123"));
  assert.equal(await Deno.readTextFile(`${t.files}/a.txt`), "xyz123");
});

Deno.test("LocalUpload with overwrite leaves open readers on the old version", async () => {
  await using t = await tempData();
  await putText(t.storage, "a.txt", "old version");
  const reading = await t.storage.openRead("a.txt", 0);
  await putText(t.storage, "a.txt", "new version", { overwrite: true });
  assert.equal(await readText(reading.bytes), "old version");
  assert.equal(await readText((await t.storage.openRead("a.txt", 0)).bytes), "new version");
});

Deno.test("LocalUpload.commit() waits for a pending write", async () => {
  await using t = await tempData();
  // Big enough to go through the buffered writer, whose write awaits the file:
  // a commit that did not wait would see too few bytes (a small upload writes at once).
  const bytes = new Uint8Array(200_000).fill(7);
  const sink = await t.storage.openUpload("a.bin", {
    size: bytes.byteLength,
    overwrite: false,
    resume: false,
  });
  const writing = sink.write(bytes);
  const committing = sink.commit(sha256Hex(bytes));
  await writing;
  assert.equal((await committing).size, bytes.byteLength);
  assert.equal(sink.sha256, sha256Hex(bytes));
  assert.deepEqual(await Deno.readFile(`${t.files}/a.bin`), bytes);
});

Deno.test("LocalStorage.openUpload() refuses bad sizes with bad_request", async () => {
  await using t = await tempData();
  for (const size of [-1, 1.5, Number.NaN, 2 ** 60]) {
    await rejectsWith(
      t.storage.openUpload("a.txt", { size, overwrite: false, resume: false }),
      "bad_request",
    );
  }
});

Deno.test("LocalUpload keeps no resume record for uploads under RESUME_MIN_BYTES", async () => {
  await using t = await tempData();
  {
    const storage = await LocalStorage.open(t.data);
    const upload = await storage.openUpload("small.txt", {
      size: 5,
      overwrite: false,
      resume: true,
    });
    const names = [];
    for await (const entry of Deno.readDir(`${t.state}/partial`)) names.push(entry.name);
    assert.deepEqual(
      names.filter((name) => name.endsWith(".json")),
      [],
      "no record for a small upload",
    );
    await upload.write(new TextEncoder().encode("hello"));
    await upload.commit(sha256Hex(new TextEncoder().encode("hello")));
    assert.equal(await Deno.readTextFile(`${t.files}/small.txt`), "hello");
  }
});

Deno.test("LocalUpload of more than EARLY_SYNC_BYTES: flushed while it comes, committed, or kept on abort", async () => {
  await using t = await tempData();
  const chunk = new Uint8Array(256 * 1024).map((_, i) => i % 251);
  const size = EARLY_SYNC_BYTES * 2 + 7;
  const whole = createHash("sha256");
  const sink = await t.storage.openUpload("big.bin", { size, overwrite: false, resume: false });
  for (let at = 0; at < size; at += chunk.byteLength) {
    const piece = chunk.subarray(0, Math.min(chunk.byteLength, size - at));
    await sink.write(piece);
    whole.update(piece);
  }
  await sink.commit(whole.digest("hex"));
  assert.equal((await Deno.stat(`${t.files}/big.bin`)).size, size);
  // Aborted in the middle of a flush: what was written stays for a resume.
  const cut = await t.storage.openUpload("cut.bin", { size, overwrite: false, resume: true });
  for (let at = 0; at < EARLY_SYNC_BYTES + chunk.byteLength; at += chunk.byteLength) {
    await cut.write(chunk);
  }
  await cut.abort();
  assert.equal(cut.keptBytes, EARLY_SYNC_BYTES + chunk.byteLength);
});
