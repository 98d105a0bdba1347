import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { ByteSource } from "./byte_source.ts";
import { HASH_READ_BYTES, sha256OfInput } from "./sha256_input.ts";

function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 9)) & 0xff;
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A source over `bytes` that records every buffer it is asked to fill. */
function recordingSource(bytes: Uint8Array): ByteSource & { buffers: Set<ArrayBufferLike> } {
  let at = 0;
  const buffers = new Set<ArrayBufferLike>();
  return {
    buffers,
    read(view: Uint8Array): Promise<number | null> {
      buffers.add(view.buffer);
      if (at >= bytes.byteLength) return Promise.resolve(null);
      const n = Math.min(view.byteLength, bytes.byteLength - at, 1000);
      view.set(bytes.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
  };
}

Deno.test("sha256OfInput() hashes a source through one reused buffer", async () => {
  for (const size of [0, 1, 4095, 4096, 4097, 100_000]) {
    const bytes = pattern(size);
    const source = recordingSource(bytes);
    assert.equal(await sha256OfInput(source, { bufferBytes: 4096 }), sha256(bytes), `${size}`);
    assert.equal(source.buffers.size, 1, "every read goes into the same buffer");
    assert.equal([...source.buffers][0]?.byteLength, 4096);
  }
  const source = recordingSource(pattern(10));
  await sha256OfInput(source);
  assert.equal([...source.buffers][0]?.byteLength, HASH_READ_BYTES);
});

Deno.test("sha256OfInput() hashes byte streams (BYOB) and plain streams alike", async () => {
  const bytes = pattern(300_000);
  const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 70_000), bytes.subarray(70_000)];
  const plain = ReadableStream.from(chunks.map((chunk) => chunk.slice()));
  assert.equal(await sha256OfInput(plain, { bufferBytes: 65536 }), sha256(bytes));
  let next = 0;
  const byteStream = new ReadableStream({
    type: "bytes",
    pull(controller): void {
      const chunk = chunks[next++];
      if (chunk !== undefined) {
        controller.enqueue(chunk.slice());
        return;
      }
      controller.close();
      controller.byobRequest?.respond(0); // a pending BYOB read ends too
    },
  });
  assert.equal(await sha256OfInput(byteStream, { bufferBytes: 65536 }), sha256(bytes));
});

Deno.test("sha256OfInput() stops on abort and on a failed read, cancelling the input", async () => {
  let cancelled = 0;
  const endless: ByteSource = {
    read: (view) => Promise.resolve(view.byteLength),
    cancel: () => {
      cancelled++;
      return Promise.resolve();
    },
  };
  const controller = new AbortController();
  const hashing = sha256OfInput(endless, { signal: controller.signal, bufferBytes: 16 });
  controller.abort(new Error("stop"));
  await assert.rejects(hashing, /stop/);
  assert.equal(cancelled, 1);

  const failing: ByteSource = {
    read: () => Promise.reject(new Error("disk gone")),
    cancel: () => {
      cancelled++;
      return Promise.resolve();
    },
  };
  await assert.rejects(sha256OfInput(failing), /disk gone/);
  assert.equal(cancelled, 2);
});
