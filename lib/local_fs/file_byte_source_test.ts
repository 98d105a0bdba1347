import assert from "node:assert/strict";
import { FerryError } from "../core/errors.ts";
import { ViewReader } from "../core/byte_source.ts";
import { DirectIo } from "./direct_io.ts";
import { fileByteSource } from "./file_byte_source.ts";

async function withFile(
  size: number,
  fn: (path: string, bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  const path = await Deno.makeTempFile({ prefix: "ferry_source_" });
  const bytes = new Uint8Array(size).map((_, i) => (i * 7) % 251);
  await Deno.writeFile(path, bytes);
  try {
    await fn(path, bytes);
  } finally {
    await Deno.remove(path);
  }
}

for (const direct of [false, true]) {
  const how = direct ? "direct" : "async";
  Deno.test(`fileByteSource() (${how}) fills a reused buffer until the end, then closes`, async () => {
    await withFile(200_003, async (path, bytes) => {
      const source = fileByteSource(
        await Deno.open(path),
        direct ? { direct: new DirectIo() } : {},
      );
      const received = new Uint8Array(bytes.byteLength);
      const buffer = new Uint8Array(4096);
      let total = 0;
      for (let n = await source.read(buffer); n !== null; n = await source.read(buffer)) {
        assert.ok(n <= 4096);
        received.set(buffer.subarray(0, n), total);
        total += n;
      }
      assert.equal(total, bytes.byteLength);
      assert.deepEqual(received, bytes);
      assert.equal(await source.read(buffer), null, "stays ended");
      // The test sanitizer fails the test if the file were left open.
    });
  });
}

Deno.test("fileByteSource() starts at the file's position and closes on cancel", async () => {
  await withFile(1000, async (path, bytes) => {
    const file = await Deno.open(path);
    await file.seek(990, Deno.SeekMode.Start);
    const source = fileByteSource(file);
    const view = new Uint8Array(4);
    assert.equal(await source.read(view), 4);
    assert.deepEqual(view, bytes.subarray(990, 994));
    await source.cancel?.();
    assert.equal(await source.read(view), null);
  });
});

Deno.test("fileByteSource() of an empty file ends at once", async () => {
  await withFile(0, async (path) => {
    const source = fileByteSource(await Deno.open(path), { direct: new DirectIo() });
    assert.equal(await source.read(new Uint8Array(8)), null);
  });
});

Deno.test("fileByteSource() explains a failed read and closes the file", async () => {
  const folder = await Deno.makeTempDir();
  try {
    for (const direct of [false, true]) {
      // Reading a folder fails (EISDIR) after a successful open.
      const source = fileByteSource(await Deno.open(folder), {
        ...(direct ? { direct: new DirectIo() } : {}),
        explain: (error) => new FerryError("local_io", "Cannot read it", { cause: error }),
      });
      await assert.rejects(source.read(new Uint8Array(8)), (error: unknown) => {
        assert.ok(error instanceof FerryError);
        assert.equal(error.code, "local_io");
        return true;
      });
      assert.equal(await source.read(new Uint8Array(8)), null, "closed after the failure");
    }
  } finally {
    await Deno.remove(folder);
  }
});

Deno.test("ViewReader reads a file source in order with reads issued ahead", async () => {
  await withFile(50_000, async (path, bytes) => {
    const reader = new ViewReader(fileByteSource(await Deno.open(path)));
    const buffers = [new Uint8Array(3000), new Uint8Array(3000)];
    const received: number[] = [];
    let pending = reader.read(buffers[0] as Uint8Array);
    for (let turn = 1;; turn++) {
      const filled = await pending;
      if (filled === null) break;
      // The next read is issued before this chunk is used (double buffering).
      pending = reader.read(buffers[turn % 2] as Uint8Array);
      received.push(...filled);
    }
    assert.deepEqual(new Uint8Array(received), bytes);
  });
});
