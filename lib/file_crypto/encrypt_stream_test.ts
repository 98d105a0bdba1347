import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { isFerryError } from "../core/errors.ts";
import { sendData } from "../protocol/send_data.ts";
import { MESSAGE_HEADER_BYTES, MessageType } from "../protocol/message_type.ts";
import {
  CHUNK_BYTES,
  chunkBoundaryForCiphertextOffset,
  createEncryptStream,
  encryptedSize,
  HEADER_BYTES,
  unlockHeader,
} from "./mod.ts";
import { concat, decrypt, encrypt, KEY, newHeader, pattern, through } from "./_test_helpers.ts";

const C = CHUNK_BYTES;
const SIZES = [0, 1, C - 1, C, C + 1, 3 * C, 5 * 1024 * 1024 + 17];

Deno.test("createEncryptStream() round-trips 0, 1, one chunk, one chunk + 1 and multi-MiB plaintexts", async () => {
  for (const size of SIZES) {
    const plaintext = pattern(size, size + 1);
    for (const pieceSize of [0, 1000, C, 100_003]) {
      const { sealed } = await encrypt(plaintext, { pieceSize });
      assert.equal(sealed.length, encryptedSize(size), `size ${size}, pieces of ${pieceSize}`);
      for (const decryptPieces of [0, 777, C + 16]) {
        const { output, error } = await decrypt(sealed, { keyFile: KEY }, {
          pieceSize: decryptPieces,
        });
        assert.equal(error, null);
        assert.deepEqual(output, plaintext, `size ${size}, pieces ${pieceSize}/${decryptPieces}`);
      }
    }
  }
});

Deno.test("createEncryptStream() emits an empty plaintext as the header and one empty final chunk", async () => {
  const { sealed } = await encrypt(new Uint8Array(0));
  assert.equal(sealed.length, HEADER_BYTES + 16);
});

Deno.test("createEncryptStream() output shares no 16-byte run with a compressible plaintext", async () => {
  const line = new TextEncoder().encode("ferry moves files; the server must never read them. ");
  const plaintext = new Uint8Array(5 * C + 1234);
  for (let at = 0; at < plaintext.length; at += line.length) {
    plaintext.set(line.subarray(0, plaintext.length - at), at);
  }
  const windows = new Set<string>();
  const latin1 = new TextDecoder("latin1");
  for (let at = 0; at + 16 <= plaintext.length; at++) {
    windows.add(latin1.decode(plaintext.subarray(at, at + 16)));
  }
  assert.ok(windows.size <= line.length, "the plaintext repeats");
  for (const passphrase of [undefined, "pass"]) {
    const { sealed } = await encrypt(plaintext, passphrase === undefined ? {} : { passphrase });
    for (let at = 0; at + 16 <= sealed.length; at++) {
      assert.ok(
        !windows.has(latin1.decode(sealed.subarray(at, at + 16))),
        `plaintext run at ${at}`,
      );
    }
  }
});

Deno.test("createEncryptStream() is deterministic for one header and file key, and differs across headers", async () => {
  const plaintext = pattern(3 * C + 5);
  const { header, sealed } = await encrypt(plaintext);
  assert.deepEqual(await through(plaintext, createEncryptStream(header), 4096), sealed);
  const unlocked = await unlockHeader(header.bytes, { keyFile: KEY });
  assert.deepEqual(await through(plaintext, createEncryptStream(unlocked)), sealed);
  const other = await encrypt(plaintext);
  assert.notDeepEqual(other.sealed.subarray(HEADER_BYTES), sealed.subarray(HEADER_BYTES));
});

Deno.test("createEncryptStream() with startChunk continues at a chunk boundary, without the header", async () => {
  const plaintext = pattern(4 * C + 99);
  const { header, sealed } = await encrypt(plaintext);
  for (const chunk of [1, 2, 4]) {
    const tail = await through(
      plaintext.subarray(chunk * C),
      createEncryptStream(header, { startChunk: chunk }),
    );
    assert.deepEqual(tail, sealed.subarray(HEADER_BYTES + chunk * (C + 16)));
  }
  assert.throws(() => createEncryptStream(header, { startChunk: 5 }), RangeError);
});

Deno.test("createEncryptStream() in prefix mode re-encrypts whole chunks and refuses a cut chunk", async () => {
  const plaintext = pattern(3 * C + 10);
  const { header, sealed } = await encrypt(plaintext);
  const prefix = await through(
    plaintext.subarray(0, 2 * C),
    createEncryptStream(header, { prefix: true }),
  );
  assert.deepEqual(prefix, sealed.subarray(0, HEADER_BYTES + 2 * (C + 16)));
  await assert.rejects(
    through(plaintext.subarray(0, C + 1), createEncryptStream(header, { prefix: true })),
    RangeError,
  );
});

Deno.test("createEncryptStream() refuses input longer or shorter than the header declares", async () => {
  const header = await newHeader(C + 10);
  for (const size of [C + 9, C + 11, 0, 3 * C]) {
    await assert.rejects(
      through(pattern(size), createEncryptStream(header)),
      (error) => isFerryError(error, "local_io") && /did the file change/.test(error.message),
      `input of ${size} bytes`,
    );
  }
});

Deno.test("createEncryptStream() output resumes through sendData's hash-but-skip", async () => {
  const plaintext = pattern(6 * C + 321);
  const { header, sealed } = await encrypt(plaintext);
  // The server kept a partial that ends in the middle of chunk 2.
  const offset = HEADER_BYTES + 2 * (C + 16) + 1000;
  const sent: Uint8Array[] = [];
  let end: unknown;
  const result = await sendData(
    (message) => {
      if (message[0] === MessageType.DATA) sent.push(message.slice(MESSAGE_HEADER_BYTES));
      else end = message;
      return Promise.resolve();
    },
    1,
    ReadableStream.from([plaintext]).pipeThrough(createEncryptStream(header)),
    { offset },
  );
  assert.ok(end);
  assert.deepEqual(concat(sent), sealed.subarray(offset));
  assert.equal(result.size, sealed.length);
  assert.equal(result.sha256, createHash("sha256").update(sealed).digest("hex"));
  assert.deepEqual(chunkBoundaryForCiphertextOffset(offset, header).chunk, 2);
});
