/**
 * S3 cases: parts on their way two at a time ({@linkcode PartSender}),
 * through a {@linkcode FaultProxy} in front of the real RGW that holds or
 * fails chosen UploadParts. The record must only ever claim parts that
 * completed, in order, and a resume from it must give the whole file.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readBytes, sha256Hex } from "../../lib/storage/_test_helpers.ts";
import { listParts } from "../../lib/storage/s3/s3_multipart.ts";
import { S3Storage } from "../../lib/storage/s3/s3_storage.ts";
import type { UploadRecord } from "../../lib/storage/s3/upload_state.ts";
import type { UploadSink } from "../../lib/storage/storage.ts";
import type { S3Case } from "./_cases_transfer.ts";
import { FaultProxy } from "./_fault_proxy.ts";
import type { S3World } from "./_world.ts";
import { randomBytes, writeAll } from "./_world.ts";

const MIB = 1024 * 1024;
const OPTIONS = { partSize: 5 * MIB, partBuffers: 2 };

/** Resolves when `when` resolves or after `ms`, whichever comes first. */
function within(when: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    when.then(() => {}),
    new Promise<void>((resolve) => timer = setTimeout(resolve, ms)),
  ]).finally(() => clearTimeout(timer));
}

/** The one upload record below `prefix`, as stored. */
async function storedRecord(world: S3World, prefix: string): Promise<UploadRecord> {
  const keys = (await world.keys(`${prefix}state/uploads/`)).filter((k) => k.endsWith(".json"));
  assert.equal(keys.length, 1, `one upload record: ${keys}`);
  const got = await world.raw().getBytes(keys[0] as string);
  return JSON.parse(new TextDecoder().decode(got?.bytes));
}

/** Opens a storage through `proxy`, on `prefix`. */
function throughProxy(world: S3World, proxy: FaultProxy, prefix: string): Promise<S3Storage> {
  const config = { ...world.config(prefix), endpoint: proxy.endpoint };
  return S3Storage.open(config, { createBucket: true, ...OPTIONS });
}

/** Opens the upload of `big.bin` (`size` bytes, resumable) through `proxy`, on `prefix`. */
async function openThroughProxy(
  world: S3World,
  proxy: FaultProxy,
  prefix: string,
  size: number,
): Promise<UploadSink> {
  const s = await throughProxy(world, proxy, prefix);
  return await s.openUpload("big.bin", { size, overwrite: false, resume: true });
}

/** Resumes `path` straight on the RGW and checks that the whole file arrives. */
async function resumeAndCheck(
  world: S3World,
  prefix: string,
  bytes: Uint8Array,
  offset: number,
): Promise<void> {
  const direct = await world.open(prefix, OPTIONS);
  const resumed = await direct.openUpload("big.bin", {
    size: bytes.byteLength,
    overwrite: false,
    resume: true,
  });
  assert.equal(resumed.offset, offset);
  await writeAll(resumed, bytes.subarray(resumed.offset));
  await resumed.commit(sha256Hex(bytes));
  const read = await direct.openRead("big.bin", 0);
  assert.equal(sha256Hex(await readBytes(read.bytes)), sha256Hex(bytes));
  assert.deepEqual(await world.multipartUploads(prefix), [], "the parts were used or freed");
}

async function firstPartFailsAfterSecond(world: S3World): Promise<void> {
  const prefix = world.newPrefix("parts-first-fails");
  await using proxy = new FaultProxy(world.cluster.endpoint);
  const second = Promise.withResolvers<void>();
  let secondWhileFirstHeld = false;
  proxy.decide = (line) => {
    if (line.includes("partNumber=2&")) {
      secondWhileFirstHeld = true;
      second.resolve();
    }
    // Part 1 is answered only once part 2 is on its way, and then it fails.
    if (line.includes("partNumber=1&")) return { wait: within(second.promise, 15_000), fail: true };
    return {};
  };
  const bytes = randomBytes(16 * MIB + 7);
  const sink = await openThroughProxy(world, proxy, prefix, bytes.byteLength);
  await assert.rejects(writeAll(sink, bytes));
  await sink.abort();
  assert.ok(secondWhileFirstHeld, "part 2 went while part 1 was on its way");
  const record = await storedRecord(world, prefix);
  assert.deepEqual(record.parts, [], "the record claims no part: part 1 failed");
  const held = await listParts(world.raw(), record.key, record.uploadId as string);
  assert.equal(held?.get(2)?.size, 5 * MIB, "part 2 is in the store, yet not claimed");
  assert.equal(held?.has(1), false);
  await resumeAndCheck(world, prefix, bytes, 0);
}

async function secondPartFails(world: S3World): Promise<void> {
  const prefix = world.newPrefix("parts-second-fails");
  await using proxy = new FaultProxy(world.cluster.endpoint);
  const third = Promise.withResolvers<void>();
  proxy.decide = (line) => {
    if (line.includes("partNumber=3&")) third.resolve();
    // Part 2 fails once part 3 is on its way.
    if (line.includes("partNumber=2&")) return { wait: within(third.promise, 15_000), fail: true };
    return {};
  };
  const bytes = randomBytes(21 * MIB);
  const sink = await openThroughProxy(world, proxy, prefix, bytes.byteLength);
  await assert.rejects(writeAll(sink, bytes));
  await sink.abort();
  assert.ok(proxy.seen.some((line) => line.includes("partNumber=3&")), "part 3 went too");
  const record = await storedRecord(world, prefix);
  assert.deepEqual(record.parts.map((part) => part.number), [1], "only part 1 is claimed");
  assert.equal(record.tail, undefined, "no tail after a gap");
  await resumeAndCheck(world, prefix, bytes, 5 * MIB);
}

async function abortWithPartOnItsWay(world: S3World): Promise<void> {
  const prefix = world.newPrefix("parts-abort");
  await using proxy = new FaultProxy(world.cluster.endpoint);
  const aborting = Promise.withResolvers<void>();
  proxy.decide = (line) =>
    line.includes("partNumber=2&") ? { wait: within(aborting.promise, 15_000) } : {};
  const bytes = randomBytes(16 * MIB + 3);
  const sink = await openThroughProxy(world, proxy, prefix, bytes.byteLength);
  // Part 1 stored, part 2 held at the proxy, 2 MiB in the next buffer.
  await writeAll(sink, bytes.subarray(0, 12 * MIB));
  const abort = sink.abort();
  aborting.resolve();
  await abort;
  const record = await storedRecord(world, prefix);
  assert.deepEqual(record.parts.map((part) => part.number), [1, 2], "the part on its way counts");
  assert.equal(record.tail?.size, 2 * MIB, "and the bytes after it are the tail");
  await resumeAndCheck(world, prefix, bytes, 12 * MIB);
}

/** The cases of parts on their way at once. */
export const PART_CASES: S3Case[] = [
  [
    "two parts at once: part 1 fails after part 2 went; the record claims neither",
    firstPartFailsAfterSecond,
  ],
  ["part 2 fails while part 3 goes: the record stops at part 1; resume", secondPartFails],
  ["abort with a part on its way: it is recorded, then the tail; resume", abortWithPartOnItsWay],
];
