import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { FerryError, isFerryError } from "../core/errors.ts";
import { ChunkCompressor, decompressChunk, PROBE_INTERVAL } from "./chunk_compression.ts";

Deno.test("ChunkCompressor - text shrinks and round-trips", async () => {
  const text = new TextEncoder().encode("ferry ".repeat(10_000));
  const packed = await new ChunkCompressor().compress(text);
  assert.ok(packed && packed.byteLength < text.byteLength / 10);
  assert.deepEqual(decompressChunk(packed, text.byteLength), text);
});

Deno.test("ChunkCompressor - random data goes stored, then is only probed now and then", async () => {
  const compressor = new ChunkCompressor();
  for (let i = 0; i < PROBE_INTERVAL * 2; i++) {
    assert.equal(await compressor.compress(crypto.getRandomValues(new Uint8Array(65_514))), null);
  }
  assert.equal(compressor.stats.tried, 2, "one try per probe interval");
});

Deno.test("decompressChunk() - a bomb past the limit and garbage are protocol errors", async () => {
  const bomb = await new ChunkCompressor().compress(new Uint8Array(60_000));
  assert.throws(
    () => decompressChunk(bomb!, 1000),
    (e: unknown) =>
      e instanceof FerryError && e.code === "protocol" && /more than 1000/.test(e.message),
  );
  assert.throws(
    () => decompressChunk(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 1000),
    (e: unknown) => e instanceof FerryError && e.code === "protocol",
  );
});

Deno.test("decompressChunk() - a 64 MiB bomb stops at the limit: no more than the limit is ever made", () => {
  // 64 KiB of deflate that would inflate to 64 MiB of zeros.
  const bomb = deflateRawSync(new Uint8Array(64 << 20), { level: 9 });
  assert.ok(bomb.byteLength < 65_514);
  const before = Deno.memoryUsage().rss;
  for (let i = 0; i < 32; i++) {
    assert.throws(() => decompressChunk(bomb, 65_514), (e: unknown) => isFerryError(e, "protocol"));
  }
  const grownMiB = (Deno.memoryUsage().rss - before) / 2 ** 20;
  assert.ok(grownMiB < 32, `32 bombs grew the process by ${grownMiB.toFixed(1)} MiB`);
});
