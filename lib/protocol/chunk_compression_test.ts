import assert from "node:assert/strict";
import { FerryError } from "../errors.ts";
import { ChunkCompressor, decompressChunk, PROBE_INTERVAL } from "./chunk_compression.ts";

Deno.test("ChunkCompressor - text shrinks and round-trips", async () => {
  const text = new TextEncoder().encode("ferry ".repeat(10_000));
  const packed = await new ChunkCompressor().compress(text);
  assert.ok(packed && packed.byteLength < text.byteLength / 10);
  assert.deepEqual(await decompressChunk(packed, text.byteLength), text);
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
  await assert.rejects(
    decompressChunk(bomb!, 1000),
    (e: unknown) => e instanceof FerryError && e.code === "protocol",
  );
  await assert.rejects(
    decompressChunk(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 1000),
    (e: unknown) => e instanceof FerryError && e.code === "protocol",
  );
});
