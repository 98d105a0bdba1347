import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { HashCache, ResumableHash } from "./resumable_hash.ts";

function random(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

Deno.test("ResumableHash - catches up from the file while new bytes arrive", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/partial`;
    const prefix = random(5 * 1024 * 1024 + 7);
    await Deno.writeFile(path, prefix);
    const hash = ResumableHash.resume(path, prefix.byteLength);
    const expected = createHash("sha256").update(prefix);
    using file = await Deno.open(path, { append: true });
    for (let i = 0; i < 20; i++) {
      const chunk = random(65_514);
      await file.write(chunk);
      hash.update(chunk);
      expected.update(chunk);
    }
    assert.equal(await hash.digest(), expected.digest("hex"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResumableHash - a cached state of the same length is reused without reading", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/partial`;
    const first = random(1000);
    const fresh = ResumableHash.fresh(path);
    fresh.update(first);
    const cache = new HashCache(2);
    cache.put(path, fresh.snapshot()!);
    // The file does not hold those bytes: reading it would give another digest.
    await Deno.writeFile(path, new Uint8Array(1000));
    const resumed = ResumableHash.resume(path, 1000, cache.take(path));
    const more = random(10);
    resumed.update(more);
    assert.equal(
      await resumed.digest(),
      createHash("sha256").update(first).update(more).digest("hex"),
    );
    assert.equal(cache.take(path), undefined, "take forgets");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ResumableHash - a cached state of another length is ignored, and the cache is bounded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/partial`;
    const bytes = random(3000);
    await Deno.writeFile(path, bytes);
    const stale = ResumableHash.fresh(path);
    stale.update(bytes.subarray(0, 10));
    const resumed = ResumableHash.resume(path, 3000, stale.snapshot());
    assert.equal(await resumed.digest(), createHash("sha256").update(bytes).digest("hex"));
    const cache = new HashCache(2);
    for (const name of ["a", "b", "c"]) cache.put(name, { hash: createHash("sha256"), length: 0 });
    assert.equal(cache.take("a"), undefined, "the oldest went first");
    assert.ok(cache.take("c"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
