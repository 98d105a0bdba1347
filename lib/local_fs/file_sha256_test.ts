import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { hashFileRange, sha256OfFile } from "./file_sha256.ts";

function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 13 + (i >> 11)) & 0xff;
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

Deno.test("sha256OfFile() hashes whole files of any size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const size of [0, 1, 65535, 65536, 65537, 3 * 1024 * 1024 + 5]) {
      const bytes = pattern(size);
      await Deno.writeFile(`${dir}/f`, bytes);
      assert.equal(await sha256OfFile(`${dir}/f`), sha256(bytes), `${size} bytes`);
      assert.equal(await sha256OfFile(`${dir}/f`, { bufferBytes: 4096 }), sha256(bytes));
    }
    await assert.rejects(sha256OfFile(`${dir}/missing`), Deno.errors.NotFound);
    await assert.rejects(sha256OfFile(dir), "a folder is not a file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hashFileRange() feeds a range of an open file into a running hash", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = pattern(100_000);
    await Deno.writeFile(`${dir}/f`, bytes);
    using file = await Deno.open(`${dir}/f`);
    const buffer = new Uint8Array(4096);
    const hash = createHash("sha256");
    await hashFileRange(file, hash, 0, 10_000, buffer);
    await hashFileRange(file, hash, 10_000, 10_000, buffer); // empty range
    await hashFileRange(file, hash, 10_000, 100_000, buffer);
    assert.equal(hash.digest("hex"), sha256(bytes));

    const middle = createHash("sha256");
    await file.seek(0, Deno.SeekMode.End); // the range says where to read, not the position
    await hashFileRange(file, middle, 5, 70_005, buffer);
    assert.equal(middle.digest("hex"), sha256(bytes.subarray(5, 70_005)));

    await assert.rejects(
      hashFileRange(file, createHash("sha256"), 99_000, 100_001, buffer),
      /The file ended at 100000 bytes, before 100001/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
