/**
 * S3 cases: uploads and downloads (round trips, multipart, integrity).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  putText,
  readBytes,
  readText,
  rejectsWith,
  sha256Hex,
} from "../../lib/storage/_test_helpers.ts";
import { ViewReader } from "../../lib/core/byte_source.ts";
import type { S3World } from "./_world.ts";
import { randomBytes, writeAll } from "./_world.ts";

const MIB = 1024 * 1024;
const encoder = new TextEncoder();

/** A named case run as one step of the suite. */
export type S3Case = [name: string, run: (world: S3World) => Promise<void>];

async function smallRoundTrip(world: S3World): Promise<void> {
  const prefix = world.newPrefix("small");
  const s = await world.open(prefix);
  await s.makeDirectory("d");
  const bytes = encoder.encode("hello, ferry");
  const sink = await s.openUpload("d/a.txt", {
    size: bytes.byteLength,
    overwrite: false,
    resume: false,
    mtime: Date.UTC(2020, 0, 2, 3, 4, 5),
  });
  assert.equal(sink.offset, 0);
  await sink.write(bytes.subarray(0, 5));
  await rejectsWith(s.stat("d/a.txt"), "not_found");
  await sink.write(bytes.subarray(5));
  const entry = await sink.commit(sha256Hex(bytes).toUpperCase());
  const expected = { name: "a.txt", kind: "file", size: 12, mtime: Date.UTC(2020, 0, 2, 3, 4, 5) };
  assert.deepEqual(entry, expected);
  assert.deepEqual(await s.stat("d/a.txt"), expected);
  assert.deepEqual(await Array.fromAsync(s.list("d")), [expected]);
  const read = await s.openRead("d/a.txt", 7);
  assert.equal(read.sha256, sha256Hex(bytes));
  assert.equal(read.entry.size, 12);
  assert.equal(await readText(read.bytes), "ferry");
  assert.equal(await readText((await s.openRead("d/a.txt", 12)).bytes), "");
  await rejectsWith(s.openRead("d/a.txt", 13), "bad_request");
  await rejectsWith(s.openRead("d/a.txt", -1), "bad_request");
  await rejectsWith(s.openRead("d", 0), "is_directory");
  await rejectsWith(s.openRead("", 0), "is_directory");
  await rejectsWith(s.openRead("none", 0), "not_found");
  await putText(s, "empty", "");
  assert.equal((await s.stat("empty")).size, 0);
  assert.equal(await readText((await s.openRead("empty", 0)).bytes), "");
  assert.deepEqual(await world.keys(`${prefix}state/`), [], "no state left behind");
}

async function largeRoundTrip(world: S3World): Promise<void> {
  const prefix = world.newPrefix("large");
  const s = await world.open(prefix, { partSize: 5 * MIB });
  const bytes = randomBytes(20 * MIB + 12_345);
  const sink = await s.openUpload("big.bin", {
    size: bytes.byteLength,
    overwrite: false,
    resume: false,
    mtime: 1_000_000,
  });
  await writeAll(sink, bytes);
  const entry = await sink.commit(sha256Hex(bytes));
  assert.deepEqual(entry, {
    name: "big.bin",
    kind: "file",
    size: bytes.byteLength,
    mtime: 1_000_000,
  });
  const head = await world.raw().head(`${prefix}files/big.bin`);
  assert.match(head?.etag ?? "", /-5$/, "stored as a multipart object of 5 parts");
  assert.equal(head?.meta.sha256, sha256Hex(bytes));
  const offset = 7 * MIB + 3;
  const read = await s.openRead("big.bin", offset);
  assert.equal(read.entry.size, bytes.byteLength);
  const got = await readBytes(read.bytes, 100_000);
  assert.equal(got.byteLength, bytes.byteLength - offset);
  assert.equal(sha256Hex(got), sha256Hex(bytes.subarray(offset)));
  // Each read fills the whole buffer (fetch's pieces are at most 64 KiB): full records.
  const whole = await s.openRead("big.bin", 0);
  const reader = new ViewReader(whole.bytes);
  const view = new Uint8Array(256 * 1024);
  const reads: number[] = [];
  for (let got = await reader.read(view); got !== null; got = await reader.read(view)) {
    reads.push(got.byteLength);
  }
  assert.equal(reads.reduce((a, b) => a + b, 0), bytes.byteLength);
  assert.ok(reads.slice(0, -1).every((n) => n === view.byteLength), `short reads: ${reads}`);
  assert.deepEqual(await world.multipartUploads(prefix), []);
}

async function wrongHash(world: S3World): Promise<void> {
  const prefix = world.newPrefix("wrong-hash");
  const s = await world.open(prefix, { partSize: 5 * MIB });
  const bytes = randomBytes(11 * MIB);
  const sink = await s.openUpload("a.bin", {
    size: bytes.byteLength,
    overwrite: false,
    resume: true,
  });
  await writeAll(sink, bytes);
  assert.equal((await world.multipartUploads(prefix)).length, 1, "parts were sent");
  await rejectsWith(sink.commit(sha256Hex("something else")), "integrity");
  await rejectsWith(s.stat("a.bin"), "not_found");
  assert.deepEqual(await world.keys(prefix), [], "nothing visible, no record, no tail");
  assert.deepEqual(await world.multipartUploads(prefix), [], "the parts were freed");
  await assert.rejects(sink.commit(sha256Hex(bytes)), TypeError);
  await assert.rejects(sink.write(encoder.encode("x")), TypeError);
  await putText(s, "a.bin", "the lease was released");
}

async function sizeChecks(world: S3World): Promise<void> {
  const s = await world.open(world.newPrefix("sizes"));
  const short = await s.openUpload("a.txt", { size: 4, overwrite: false, resume: true });
  await short.write(encoder.encode("abc"));
  const message = await rejectsWith(short.commit(sha256Hex("abc")), "integrity");
  assert.equal(message, 'Cannot commit "a.txt": received 3 of 4 bytes');
  const resumed = await s.openUpload("a.txt", { size: 4, overwrite: false, resume: true });
  assert.equal(resumed.offset, 3, "the short upload is kept for a resume");
  await rejectsWith(resumed.write(encoder.encode("de")), "too_large");
  await resumed.write(encoder.encode("d"));
  await rejectsWith(resumed.write(encoder.encode("e")), "too_large");
  await resumed.commit(sha256Hex("abcd"));
  assert.equal(await readText((await s.openRead("a.txt", 0)).bytes), "abcd");
  for (const size of [-1, 1.5, Number.NaN, 2 ** 60]) {
    await rejectsWith(s.openUpload("b", { size, overwrite: false, resume: false }), "bad_request");
  }
  await rejectsWith(putText(s, "", "x"), "is_directory");
  await rejectsWith(putText(s, "none/a.txt", "x"), "not_found");
  await rejectsWith(putText(s, "a.txt/b", "x"), "not_directory");
}

async function overwriteAndReaders(world: S3World): Promise<void> {
  const prefix = world.newPrefix("overwrite");
  const s = await world.open(prefix);
  await putText(s, "a.txt", "old version");
  await rejectsWith(putText(s, "a.txt", "new"), "exists");
  await s.makeDirectory("d");
  await rejectsWith(putText(s, "d", "x", { overwrite: true }), "is_directory");
  const reading = await s.openRead("a.txt", 0);
  await putText(s, "a.txt", "new version", { overwrite: true });
  assert.equal(await readText(reading.bytes), "old version");
  assert.equal(await readText((await s.openRead("a.txt", 0)).bytes), "new version");
  // A file that appears before the commit (another tool): `exists`, data kept.
  const sink = await s.openUpload("b.txt", { size: 3, overwrite: false, resume: false });
  await sink.write(encoder.encode("new"));
  await world.raw().put(`${prefix}files/b.txt`, "sneaky");
  await rejectsWith(sink.commit(sha256Hex("new")), "exists");
  assert.equal(await readText((await s.openRead("b.txt", 0)).bytes), "sneaky");
  const forced = await s.openUpload("b.txt", { size: 3, overwrite: true, resume: true });
  assert.equal(forced.offset, 3, "the verified bytes were kept");
  await forced.commit(sha256Hex("new"));
  assert.equal(await readText((await s.openRead("b.txt", 0)).bytes), "new");
  // Keep both: the second copy gets the next free name.
  const both = await putText(s, "a.txt", "third", { keepBoth: true });
  assert.equal(both.name, "a (1).txt");
  assert.equal(await readText((await s.openRead("a (1).txt", 0)).bytes), "third");
}

/** The transfer cases. */
export const TRANSFER_CASES: S3Case[] = [
  ["round trip of small files, from offsets, with the stored SHA-256", smallRoundTrip],
  ["round trip of 20 MiB as a multipart upload, read back from an offset", largeRoundTrip],
  ["a wrong hash gives integrity and leaves nothing, parts freed", wrongHash],
  ["short uploads resume; too_large past the size; bad sizes refused", sizeChecks],
  ["overwrite, readers keep the old version, exists at commit, keep both", overwriteAndReaders],
];
