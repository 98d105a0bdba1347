import assert from "node:assert/strict";
import { COALESCE_MAX_FRAME_BYTES, FrameWriter } from "./frame_writer.ts";
import { FrameReader } from "./frame_reader.ts";
import { memoryByteSource } from "../core/byte_source.ts";
import { concat } from "../core/bytes.ts";

/** A sink that records each chunk it is given and takes `delayMs` per chunk. */
function recordingSink(delayMs: number, failAt = -1): {
  writable: WritableStream<Uint8Array>;
  chunks: Uint8Array[];
} {
  const chunks: Uint8Array[] = [];
  const writable = new WritableStream<Uint8Array>({
    async write(chunk): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (chunks.length === failAt) throw new Error("sink broke");
      chunks.push(chunk);
    },
  });
  return { writable, chunks };
}

function bytes(length: number, fill: number): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

Deno.test("FrameWriter - frames queued behind a write go out together, in order", async () => {
  const { writable, chunks } = recordingSink(5);
  const writer = new FrameWriter(writable);
  const sent = [bytes(10, 1), bytes(20, 2), bytes(30, 3), bytes(40, 4)];
  await Promise.all(sent.map((body) => writer.write(body)));
  await writer.close();
  // The first frame found the sink idle; the three behind it shared one write.
  assert.deepEqual(chunks.map((chunk) => chunk.byteLength), [14, 24 + 34 + 44]);
  const joined = new Blob(chunks as BlobPart[]).stream();
  const reader = new FrameReader(joined);
  for (const body of sent) assert.deepEqual(await reader.read(), body);
  assert.equal(await reader.read(), null);
});

Deno.test("FrameWriter - a large frame is handed over as it is, not copied", async () => {
  const { writable, chunks } = recordingSink(1);
  const writer = new FrameWriter(writable);
  const big = new Uint8Array(4 + COALESCE_MAX_FRAME_BYTES + 1);
  const small = bytes(8, 9);
  await Promise.all([writer.write(small), writer.write(small), writer.writeInPlace(big)]);
  await writer.close();
  assert.equal(chunks.length, 3);
  assert.equal(chunks[2], big);
});

Deno.test("FrameWriter - a failing sink rejects the frames waiting behind it", async () => {
  const { writable } = recordingSink(2, 1);
  const writer = new FrameWriter(writable);
  const first = writer.write(bytes(4, 1));
  const queued = [writer.write(bytes(4, 2)), writer.write(bytes(4, 3))];
  await first;
  for (const write of queued) await assert.rejects(write, /sink broke/);
  await writer.close();
});

/**
 * Counts the reads of a global (the Web Streams classes are lazy globals: the
 * first read makes Deno load their code) until `restore`.
 */
function countReads(name: "ReadableStream" | "WritableStream"): {
  reads: () => number;
  restore: () => void;
} {
  const original = Object.getOwnPropertyDescriptor(globalThis, name);
  assert.ok(original?.configurable, `${name} is a configurable global`);
  let reads = 0;
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get(): unknown {
      reads++;
      return original.get ? original.get.call(globalThis) : original.value;
    },
  });
  return { reads: () => reads, restore: () => Object.defineProperty(globalThis, name, original) };
}

Deno.test("FrameWriter and FrameReader - a connection's frames never name the Web Streams globals", async () => {
  const globals = [countReads("ReadableStream"), countReads("WritableStream")];
  try {
    const sent: Uint8Array[] = [];
    const sink = {
      write: (chunk: Uint8Array): Promise<number> => {
        sent.push(chunk.slice());
        return Promise.resolve(chunk.byteLength);
      },
    };
    const writer = new FrameWriter(sink);
    await writer.write(bytes(10, 7));
    const reader = new FrameReader(memoryByteSource(concat(sent)));
    assert.deepEqual(await reader.read(), bytes(10, 7));
    assert.deepEqual(globals.map((global) => global.reads()), [0, 0]);
  } finally {
    for (const global of globals) global.restore();
  }
});
