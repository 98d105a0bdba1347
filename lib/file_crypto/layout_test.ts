import assert from "node:assert/strict";
import {
  CHUNK_BYTES,
  chunkBoundaryForCiphertextOffset,
  chunkBoundaryForPlaintextOffset,
  chunkCount,
  encryptedSize,
  HEADER_BYTES,
  MAX_PLAINTEXT_BYTES,
  plaintextOffsetForCiphertextOffset,
  plaintextSize,
} from "./mod.ts";
import { encrypt, pattern } from "./_test_helpers.ts";

const C = CHUNK_BYTES;
const SEALED = C + 16;

Deno.test("encryptedSize() is the exact size the encrypt stream emits", async () => {
  for (const size of [0, 1, 2, C - 1, C, C + 1, 2 * C, 3 * C - 16, 3 * C + 17]) {
    const { sealed } = await encrypt(pattern(size));
    assert.equal(encryptedSize(size), sealed.length, `plaintext of ${size} bytes`);
  }
  assert.equal(encryptedSize(0), HEADER_BYTES + 16);
  assert.equal(encryptedSize(10 * C), HEADER_BYTES + 10 * SEALED);
  assert.equal(
    encryptedSize(MAX_PLAINTEXT_BYTES),
    HEADER_BYTES + MAX_PLAINTEXT_BYTES + 2 ** 36 * 16,
  );
  for (const bad of [-1, 0.5, MAX_PLAINTEXT_BYTES + 1, Number.NaN]) {
    assert.throws(() => encryptedSize(bad), RangeError);
  }
});

Deno.test("plaintextSize() inverts encryptedSize() and refuses impossible sizes", () => {
  for (let size = 0; size < 3 * C + 40; size += size < 40 ? 1 : 997) {
    assert.equal(plaintextSize(encryptedSize(size)), size);
  }
  for (const size of [C - 1, C, C + 1, 100 * C, 100 * C + 5]) {
    assert.equal(plaintextSize(encryptedSize(size)), size);
  }
  const impossible = [
    0,
    HEADER_BYTES,
    HEADER_BYTES + 15,
    HEADER_BYTES + SEALED + 16,
    HEADER_BYTES + SEALED + 3,
  ];
  for (const size of impossible) assert.equal(plaintextSize(size), null, `${size}`);
});

Deno.test("chunkCount() is at least 1", () => {
  assert.deepEqual([0, 1, C, C + 1].map((size) => chunkCount(size)), [1, 1, 1, 2]);
});

Deno.test("chunkBoundaryForCiphertextOffset() rounds down to whole chunks", () => {
  const header = { headerSize: HEADER_BYTES, chunkSize: C, plainSize: 3 * C + 5 };
  const total = encryptedSize(header.plainSize);
  const cases: [number, number][] = [
    [0, 0],
    [HEADER_BYTES - 1, 0],
    [HEADER_BYTES, 0],
    [HEADER_BYTES + SEALED - 1, 0],
    [HEADER_BYTES + SEALED, 1],
    [HEADER_BYTES + 3 * SEALED + 20, 3],
    [total, 4],
    [total + 100, 4],
  ];
  for (const [offset, chunk] of cases) {
    const boundary = chunkBoundaryForCiphertextOffset(offset, header);
    assert.equal(boundary.chunk, chunk, `offset ${offset}`);
    assert.equal(boundary.plainOffset, Math.min(chunk * C, header.plainSize));
    assert.equal(boundary.cipherOffset, Math.min(HEADER_BYTES + chunk * SEALED, total));
    assert.equal(plaintextOffsetForCiphertextOffset(offset, header), boundary.plainOffset);
  }
});

Deno.test("chunkBoundaryForPlaintextOffset() rounds down, never past the last chunk's start", () => {
  const header = { headerSize: HEADER_BYTES, chunkSize: C, plainSize: 2 * C };
  const start = (chunk: number): object => ({
    chunk,
    plainOffset: chunk * C,
    cipherOffset: HEADER_BYTES + chunk * SEALED,
  });
  assert.deepEqual(chunkBoundaryForPlaintextOffset(0, header), start(0));
  assert.deepEqual(chunkBoundaryForPlaintextOffset(C + 5, header), start(1));
  assert.deepEqual(chunkBoundaryForPlaintextOffset(2 * C, header), start(1));
  assert.deepEqual(chunkBoundaryForPlaintextOffset(9 * C, header), start(1));
  assert.deepEqual(chunkBoundaryForPlaintextOffset(0, { ...header, plainSize: 0 }), start(0));
  assert.deepEqual(chunkBoundaryForPlaintextOffset(10, { ...header, plainSize: 0 }), start(0));
});
