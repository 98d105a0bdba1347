/**
 * S3 cases with several servers on one bucket: resume through another
 * instance, two writers, and a server killed in the middle of an upload.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isFerryError } from "../../lib/core/errors.ts";
import {
  putText,
  readBytes,
  readText,
  rejectsWith,
  sha256Hex,
} from "../../lib/storage/_test_helpers.ts";
import type { UploadSink } from "../../lib/storage/storage.ts";
import type { S3Case } from "./_cases_transfer.ts";
import type { S3World } from "./_world.ts";
import { randomBytes, writeAll } from "./_world.ts";

const MIB = 1024 * 1024;

async function resumeElsewhere(world: S3World): Promise<void> {
  const prefix = world.newPrefix("resume");
  const bytes = randomBytes(17 * MIB + 777);
  const options = { size: bytes.byteLength, overwrite: false, resume: true, mtime: 42_000 };
  const first = await world.open(prefix, { partSize: 5 * MIB });
  const sink = await first.openUpload("big.bin", options);
  const cut = 12 * MIB + 4_321; // two parts and a tail
  await writeAll(sink, bytes.subarray(0, cut));
  await sink.abort();
  assert.deepEqual(await world.keys(`${prefix}files/`), [], "nothing visible");
  // Another server, with another part size configured: the record's wins.
  const second = await world.open(prefix, { partSize: 8 * MIB });
  const other = await second.openUpload("big.bin", { ...options, mtime: 1 });
  assert.equal(other.offset, 0, "a different mtime is a different upload");
  await other.abort();
  const fresh = await second.openUpload("big.bin", options);
  assert.equal(fresh.offset, 0, "the upload with another mtime replaced it");
  await writeAll(fresh, bytes.subarray(0, cut));
  await fresh.abort();
  const third = await world.open(prefix, { partSize: 6 * MIB });
  const resumed = await third.openUpload("big.bin", options);
  assert.equal(resumed.offset, cut, "resumed at the exact byte, tail included");
  await writeAll(resumed, bytes.subarray(resumed.offset));
  const entry = await resumed.commit(sha256Hex(bytes));
  assert.equal(entry.size, bytes.byteLength);
  const read = await first.openRead("big.bin", 0);
  assert.equal(read.sha256, sha256Hex(bytes));
  assert.equal(
    sha256Hex(await readBytes(read.bytes)),
    sha256Hex(bytes),
  );
  assert.deepEqual(await world.keys(`${prefix}state/`), []);
  assert.deepEqual(await world.multipartUploads(prefix), []);
}

async function twoWriters(world: S3World): Promise<void> {
  const prefix = world.newPrefix("writers");
  const a = await world.open(prefix);
  const b = await world.open(prefix);
  const options = { size: 5, overwrite: true, resume: false };
  const held = await a.openUpload("x.txt", options);
  const message = await rejectsWith(b.openUpload("x.txt", options), "busy");
  assert.equal(message, 'Cannot write "x.txt": another upload is in progress');
  await held.write(new TextEncoder().encode("first"));
  await held.commit(sha256Hex("first"));
  await putText(b, "x.txt", "later", { overwrite: true });
  // Both at once, many times: exactly one wins each round, the file is whole.
  for (let round = 0; round < 6; round++) {
    const text = [`a${round}xyz`, `b${round}xyz`];
    const results = await Promise.allSettled([a, b].map((s) => s.openUpload("race.txt", options)));
    const winners = results.flatMap((r, i) =>
      r.status === "fulfilled" ? [[r.value, i] as const] : []
    );
    assert.equal(winners.length, 1, `round ${round}: exactly one writer wins`);
    for (const r of results) {
      if (r.status === "rejected") assert.ok(isFerryError(r.reason, "busy"), String(r.reason));
    }
    const [sink, index] = winners[0] as readonly [UploadSink, number];
    await sink.write(new TextEncoder().encode(text[index]));
    await sink.commit(sha256Hex(text[index] ?? ""));
    assert.equal(await readText((await b.openRead("race.txt", 0)).bytes), text[index]);
  }
  // The lock covers folders across servers too.
  await a.makeDirectory("d");
  const inside = await a.openUpload("d/y.txt", options);
  await rejectsWith(b.removeDirectory("d", { recursive: true }), "busy");
  await rejectsWith(b.rename("d", "e", { overwrite: false }), "busy");
  await rejectsWith(b.openUpload("d/y.txt", options), "busy");
  await inside.abort();
  await b.rename("d", "e", { overwrite: false });
}

async function killedServer(world: S3World): Promise<void> {
  const prefix = world.newPrefix("killed");
  const options = { partSize: 5 * MIB, leaseMs: 3_000 };
  const bytes = randomBytes(13 * MIB + 5);
  const file = await Deno.makeTempFile({ prefix: "ferry_s3_" });
  try {
    await Deno.writeFile(file, bytes);
    const job = { config: world.config(prefix), options, path: "big.bin", file, stopAt: 11 * MIB };
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./_uploader.ts", import.meta.url).pathname, JSON.stringify(job)],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const { value } = await reader.read();
    assert.equal(value?.trim(), "ready");
    // Mid-upload: two parts are in the store, yet no object holds any of it.
    assert.deepEqual(await world.keys(`${prefix}files/`), []);
    assert.deepEqual(await world.multipartUploads(prefix), [`${prefix}files/big.bin`]);
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    assert.deepEqual(await world.keys(`${prefix}files/`), [], "nothing visible after the kill");
    const other = await world.open(prefix, options);
    await rejectsWith(other.stat("big.bin"), "not_found");
    await rejectsWith(
      other.openUpload("big.bin", { size: bytes.byteLength, overwrite: false, resume: true }),
      "busy",
    );
    await new Promise((resolve) => setTimeout(resolve, 4_500)); // the dead server's lease expires
    const resumed = await other.openUpload("big.bin", {
      size: bytes.byteLength,
      overwrite: false,
      resume: true,
    });
    assert.equal(resumed.offset, 10 * MIB, "resumed after the last recorded part");
    await writeAll(resumed, bytes.subarray(resumed.offset));
    await resumed.commit(sha256Hex(bytes));
    const read = await other.openRead("big.bin", 0);
    assert.equal(
      sha256Hex(await readBytes(read.bytes)),
      sha256Hex(bytes),
    );
  } finally {
    await Deno.remove(file);
  }
}

/** The cases with several servers. */
export const INSTANCE_CASES: S3Case[] = [
  ["a partial upload resumes through a new instance, at the exact byte", resumeElsewhere],
  ["two instances, one path: exactly one writer wins, the other gets busy", twoWriters],
  ["a server killed mid-upload leaves nothing visible; another resumes it", killedServer],
];
