import assert from "node:assert/strict";
import { fileByteStream, READ_CHUNK_SIZE } from "./file_stream.ts";

async function withFile(
  size: number,
  fn: (path: string, bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  const path = await Deno.makeTempFile({ prefix: "ferry_stream_" });
  const bytes = new Uint8Array(size).map((_, i) => (i * 7) % 251);
  await Deno.writeFile(path, bytes);
  try {
    await fn(path, bytes);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("fileByteStream() fills a reused BYOB buffer until the end", async () => {
  await withFile(200_003, async (path, bytes) => {
    const reader = fileByteStream(await Deno.open(path), "f.bin").getReader({ mode: "byob" });
    const received = new Uint8Array(bytes.byteLength);
    let buffer = new ArrayBuffer(4096);
    let total = 0;
    while (true) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (done) break;
      assert.ok(value.byteLength <= 4096);
      received.set(value, total);
      total += value.byteLength;
      buffer = value.buffer as ArrayBuffer; // the same memory, handed back
    }
    assert.equal(total, bytes.byteLength);
    assert.deepEqual(received, bytes);
  });
});

Deno.test("fileByteStream() gives a default reader chunks of READ_CHUNK_SIZE", async () => {
  await withFile(READ_CHUNK_SIZE * 2 + 5, async (path, bytes) => {
    const sizes: number[] = [];
    for await (const chunk of fileByteStream(await Deno.open(path), "f.bin")) {
      sizes.push(chunk.byteLength);
    }
    assert.deepEqual(sizes, [READ_CHUNK_SIZE, READ_CHUNK_SIZE, 5]);
    assert.equal(sizes.reduce((a, b) => a + b), bytes.byteLength);
  });
});

Deno.test("fileByteStream() starts at the file's position and closes on cancel", async () => {
  await withFile(1000, async (path, bytes) => {
    const file = await Deno.open(path);
    await file.seek(990, Deno.SeekMode.Start);
    const reader = fileByteStream(file, "f.bin").getReader({ mode: "byob" });
    const { value } = await reader.read(new Uint8Array(4));
    assert.deepEqual(value, bytes.subarray(990, 994));
    await reader.cancel();
    // The test sanitizer fails the test if the file were left open.
  });
});

Deno.test("fileByteStream() of an empty file ends at once", async () => {
  await withFile(0, async (path) => {
    const reader = fileByteStream(await Deno.open(path), "f.bin").getReader({ mode: "byob" });
    const result = await reader.read(new Uint8Array(8));
    assert.equal(result.done, true);
  });
});
