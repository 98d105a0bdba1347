import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  CHUNK_BYTES,
  chunkBoundaryForPlaintextOffset,
  createDecryptStream,
  createEncryptStream,
  type EncryptionHeader,
  HEADER_BYTES,
  isFileCryptoError,
  unlockHeader,
} from "./mod.ts";
import type { MemoryProbeResult } from "./_memory_probe.ts";
import { assertRefused, concat, decrypt, encrypt, KEY, pattern } from "./_test_helpers.ts";

const C = CHUNK_BYTES;
const SEALED = C + 16;
/** Five chunks, the last one short. */
const PLAINTEXT = pattern(4 * C + 4321);
const { header: HEADER, sealed: SEALED_FILE } = await encrypt(PLAINTEXT);

function chunkAt(i: number): Uint8Array {
  return SEALED_FILE.subarray(HEADER_BYTES + i * SEALED, HEADER_BYTES + (i + 1) * SEALED);
}

function withChunks(order: number[]): Uint8Array {
  return concat([SEALED_FILE.subarray(0, HEADER_BYTES), ...order.map(chunkAt)]);
}

function flipped(at: number): Uint8Array {
  const copy = SEALED_FILE.slice();
  copy[at]! ^= 0x01;
  return copy;
}

Deno.test("createDecryptStream() refuses a flipped byte in any chunk and emits only the chunks before it", async () => {
  for (let i = 0; i < 5; i++) {
    const start = HEADER_BYTES + i * SEALED;
    const length = chunkAt(i).length;
    for (const at of [start, start + 1000 % length, start + length - 1]) {
      for (const pieceSize of [0, 5000]) {
        const result = await decrypt(flipped(at), { keyFile: KEY }, { pieceSize });
        assertRefused(
          result,
          "chunk_modified",
          PLAINTEXT,
          Math.min(i, 4) * C,
          new RegExp(`chunk ${i} `),
        );
      }
    }
  }
});

Deno.test("createDecryptStream() refuses a flipped byte anywhere in the header before any output", async () => {
  for (let at = 0; at < HEADER_BYTES; at++) {
    const reason = at < 8 ? "not_encrypted" : at === 8 ? "unsupported" : "header_modified";
    assertRefused(await decrypt(flipped(at)), reason, PLAINTEXT, 0);
  }
});

Deno.test("createDecryptStream() refuses dropped, swapped and duplicated chunks as reordered", async () => {
  const cases: [string, number[], number][] = [
    ["dropped", [0, 2, 3, 4], 1],
    ["swapped", [0, 2, 1, 3, 4], 1],
    ["duplicated", [0, 1, 1, 2, 3, 4], 2],
    ["first moved", [1, 0, 2, 3, 4], 0],
  ];
  for (const [what, order, good] of cases) {
    const result = await decrypt(withChunks(order), { keyFile: KEY }, { pieceSize: 3000 });
    assertRefused(result, "reordered", PLAINTEXT, good * C, /dropped, duplicated or reordered/);
    assert.match(
      (result.error as Error).message,
      new RegExp(`chunk ${good}: it holds chunk`),
      what,
    );
  }
});

Deno.test("createDecryptStream() refuses a tail truncated mid-chunk and at a chunk boundary", async () => {
  const cases: [number, number][] = [
    [HEADER_BYTES + 2 * SEALED + 100, 2 * C],
    [HEADER_BYTES + 3 * SEALED, 3 * C],
    [HEADER_BYTES + 4 * SEALED, 4 * C],
    [SEALED_FILE.length - 1, 4 * C],
    [HEADER_BYTES, 0],
  ];
  for (const [length, verified] of cases) {
    const result = await decrypt(SEALED_FILE.subarray(0, length));
    assertRefused(result, "truncated", PLAINTEXT, verified, new RegExp(`ends after ${length} of`));
  }
  assertRefused(await decrypt(SEALED_FILE.subarray(0, 100)), "truncated", PLAINTEXT, 0, /header/);
  assertRefused(await decrypt(new Uint8Array(0)), "truncated", PLAINTEXT, 0, /file is empty/);
});

Deno.test("createDecryptStream() refuses an appended chunk or byte and withholds the final chunk", async () => {
  for (const extra of [chunkAt(4), chunkAt(1), Uint8Array.of(0)]) {
    for (const pieceSize of [0, 1024]) {
      const result = await decrypt(concat([SEALED_FILE, extra]), { keyFile: KEY }, { pieceSize });
      assertRefused(result, "appended", PLAINTEXT, 4 * C, /data follows the final chunk/);
    }
  }
});

Deno.test("createDecryptStream() refuses a wrong passphrase and a wrong key file before any output", async () => {
  const plaintext = pattern(C + 1);
  const byPassphrase = await encrypt(plaintext, { passphrase: "right horse" });
  assert.deepEqual(
    (await decrypt(byPassphrase.sealed, { passphrase: "right horse" })).output,
    plaintext,
  );
  const wrongKey = crypto.getRandomValues(new Uint8Array(32));
  const cases: [Uint8Array, { passphrase: string } | { keyFile: Uint8Array }, RegExp][] = [
    [byPassphrase.sealed, { passphrase: "wrong horse" }, /^Cannot decrypt: wrong passphrase$/],
    [byPassphrase.sealed, { passphrase: "" }, /wrong passphrase: it is empty/],
    [byPassphrase.sealed, { keyFile: KEY }, /encrypted with a passphrase, not a key file/],
    [SEALED_FILE, { keyFile: wrongKey }, /wrong key file: the file was encrypted with another key/],
    [SEALED_FILE, { passphrase: "right horse" }, /encrypted with a key file, not a passphrase/],
  ];
  for (const [sealed, source, message] of cases) {
    assertRefused(await decrypt(sealed, source), "wrong_key", plaintext, 0, message);
  }
});

Deno.test("createDecryptStream() tells a forged header (checksum fixed up) from a wrong key", async () => {
  const forge = (at: number, value: number): Uint8Array => {
    const copy = SEALED_FILE.slice();
    copy[at] = value;
    copy.set(createHash("sha256").update(copy.subarray(0, 136)).digest().subarray(0, 16), 136);
    return copy;
  };
  const cases: [number, number, string][] = [
    [19, SEALED_FILE[19]! ^ 1, "header_modified"], // plaintext size: bound by the wrap's AAD
    [50, SEALED_FILE[50]! ^ 1, "wrong_key"], // file salt: the key check no longer matches
    [72, SEALED_FILE[72]! ^ 1, "wrong_key"], // key check
    [100, SEALED_FILE[100]! ^ 1, "header_modified"], // wrapped key
    [9, 7, "malformed"], // key kind
    [10, 17, "malformed"], // chunk size
    [11, 1, "malformed"], // reserved
    [20, 1, "malformed"], // scrypt parameters in a key file header
  ];
  for (const [at, value, reason] of cases) {
    assert.ok(
      isFileCryptoError((await decrypt(forge(at, value))).error, reason as never),
      `byte ${at}`,
    );
  }
});

Deno.test("createDecryptStream() refuses data that is not an encrypted file", async () => {
  const plain = new TextEncoder().encode("just a text file, not encrypted at all ".repeat(10));
  assertRefused(
    await decrypt(plain, { keyFile: KEY }, { pieceSize: 3 }),
    "not_encrypted",
    plain,
    0,
  );
});

Deno.test("createDecryptStream() asks a resolver for the key once, with the parsed header", async () => {
  const seen: EncryptionHeader[] = [];
  const result = await decrypt(SEALED_FILE, (header) => {
    seen.push(header);
    return { keyFile: KEY };
  }, { pieceSize: 50 });
  assert.equal(result.error, null);
  assert.deepEqual(result.output, PLAINTEXT);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.keyKind, "key_file");
  assert.equal(seen[0]?.plainSize, PLAINTEXT.length);
  assert.ok(!("fileKey" in seen[0]!));
});

Deno.test("createDecryptStream() resumes at a chunk boundary with an unlocked header", async () => {
  const unlocked = await unlockHeader(SEALED_FILE.subarray(0, HEADER_BYTES), { keyFile: KEY });
  for (const kept of [0, C, 2 * C + 7, 4 * C]) {
    const at = chunkBoundaryForPlaintextOffset(kept, unlocked);
    const input = at.chunk === 0 ? SEALED_FILE : SEALED_FILE.subarray(at.cipherOffset);
    const result = await decrypt(input, unlocked, { startChunk: at.chunk, pieceSize: 9999 });
    assert.equal(result.error, null);
    assert.deepEqual(result.output, PLAINTEXT.subarray(at.plainOffset));
  }
  const other = await encrypt(PLAINTEXT);
  assertRefused(await decrypt(other.sealed, unlocked), "header_modified", PLAINTEXT, 0, /differs/);
  assert.throws(() => createDecryptStream({ keyFile: KEY }, { startChunk: 1 }), TypeError);
  assert.throws(() => createDecryptStream(HEADER, { startChunk: 5 }), RangeError);
});

Deno.test("createDecryptStream() streams 256 MiB in bounded memory", async () => {
  // A child process: under `deno test --parallel` all test modules share one
  // process and its RSS. Each reading follows a full GC (--expose-gc): it
  // measures what the stream keeps, not how far behind the collector is.
  const probe = new URL("./_memory_probe.ts", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--v8-flags=--expose-gc", probe.href, "256"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const result = JSON.parse(new TextDecoder().decode(stdout)) as MemoryProbeResult;
  assert.equal(result.bytes, 256 * 1024 * 1024);
  assert.ok(result.identical);
  const grown = result.peakMiB - result.startMiB;
  assert.ok(grown < 128, `RSS grew by ${grown.toFixed(0)} MiB while decrypting 256 MiB`);
});

Deno.test("A resumed download re-encrypts its verified plaintext to feed the whole-file hash", async () => {
  // The first attempt wrote 2 chunks and part of a third (a killed write).
  const kept = PLAINTEXT.subarray(0, 2 * C + 500);
  const header = await unlockHeader(SEALED_FILE.subarray(0, HEADER_BYTES), { keyFile: KEY });
  const at = chunkBoundaryForPlaintextOffset(kept.length, header);
  const partial = kept.subarray(0, at.plainOffset); // truncated to the boundary
  const hash = createHash("sha256");
  const prefix = ReadableStream.from([partial]).pipeThrough(
    createEncryptStream(header, { prefix: true }),
  );
  for await (const part of prefix) hash.update(part);
  // `get` at `at.cipherOffset`: the server sends the rest and the whole file's SHA-256.
  const rest = SEALED_FILE.subarray(at.cipherOffset);
  hash.update(rest);
  assert.equal(hash.digest("hex"), createHash("sha256").update(SEALED_FILE).digest("hex"));
  const result = await decrypt(rest, header, { startChunk: at.chunk });
  assert.equal(result.error, null);
  assert.deepEqual(concat([partial, result.output]), PLAINTEXT);
});
