import assert from "node:assert/strict";
import { createDecipheriv, createHash, hkdfSync, scryptSync } from "node:crypto";
import {
  CHUNK_BYTES,
  createHeader,
  deriveKek,
  ENCRYPTED_MAGIC,
  HEADER_BYTES,
  isEncryptedFile,
  isFileCryptoError,
  keyFileKek,
  parseHeader,
  unlockHeader,
} from "./mod.ts";
import { encrypt, FAST_SCRYPT, KEY, newHeader, pattern } from "./_test_helpers.ts";

/** Opens ChaCha20-Poly1305 with node:crypto directly, as docs/ENCRYPTION.md says. */
function openChaCha(
  key: Uint8Array,
  nonce: Uint8Array,
  ad: Uint8Array,
  sealed: Uint8Array,
): Uint8Array {
  const decipher = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  decipher.setAAD(ad, { plaintextLength: sealed.length - 16 });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const body = decipher.update(sealed.subarray(0, sealed.length - 16));
  decipher.final();
  return new Uint8Array(body);
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", ikm, salt, info, length));
}

/** Decrypts a file by following docs/ENCRYPTION.md step by step, independently of the library. */
function decryptBySpec(file: Uint8Array, kek: (header: Uint8Array) => Uint8Array): Uint8Array {
  const header = file.subarray(0, 152);
  const view = new DataView(header.buffer, header.byteOffset, 152);
  assert.deepEqual(
    header.subarray(0, 8),
    Uint8Array.of(0x89, 0x66, 0x65, 0x72, 0x72, 0x79, 0x0d, 0x0a),
  );
  assert.equal(header[8], 1);
  assert.equal(header[10], 16);
  const checksum = createHash("sha256").update(header.subarray(0, 136)).digest().subarray(0, 16);
  assert.deepEqual(header.subarray(136, 152), new Uint8Array(checksum));
  const plainSize = Number(view.getBigUint64(12));
  const fileSalt = header.subarray(40, 72);
  const key = kek(header);
  assert.deepEqual(hkdf(key, fileSalt, "ferry-enc/v1 key check", 16), header.subarray(72, 88));
  const wrapKey = hkdf(key, fileSalt, "ferry-enc/v1 wrap", 32);
  const fileKey = openChaCha(
    wrapKey,
    new Uint8Array(12),
    header.subarray(0, 88),
    header.subarray(88, 136),
  );
  const payloadKey = hkdf(fileKey, fileSalt, "ferry-enc/v1 payload", 32);
  const count = Math.max(1, Math.ceil(plainSize / 65536));
  const out = new Uint8Array(plainSize);
  for (let i = 0; i < count; i++) {
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setBigUint64(3, BigInt(i));
    nonce[11] = i === count - 1 ? 1 : 0;
    const start = 152 + i * 65552;
    const length = Math.min(65536, plainSize - i * 65536) + 16;
    out.set(
      openChaCha(payloadKey, nonce, new Uint8Array(0), file.subarray(start, start + length)),
      i * 65536,
    );
  }
  assert.equal(file.length, 152 + plainSize + count * 16);
  return out;
}

Deno.test("createHeader() writes the documented byte layout", async () => {
  const header = await newHeader(0x0102_0304_0506, "pass");
  const bytes = header.bytes;
  assert.equal(bytes.length, HEADER_BYTES);
  assert.deepEqual(bytes.subarray(0, 8), ENCRYPTED_MAGIC);
  assert.deepEqual([...bytes.subarray(8, 12)], [1, 1, 16, 0]);
  assert.equal(new DataView(bytes.buffer).getBigUint64(12), 0x0102_0304_0506n);
  assert.deepEqual([...bytes.subarray(20, 24)], [
    FAST_SCRYPT.logN,
    FAST_SCRYPT.r,
    FAST_SCRYPT.p,
    0,
  ]);
  assert.deepEqual(header.scrypt?.salt, bytes.subarray(24, 40));
  const byKey = createHeader(keyFileKek(KEY), 5);
  assert.deepEqual([...byKey.bytes.subarray(8, 12)], [1, 2, 16, 0]);
  assert.ok(byKey.bytes.subarray(20, 40).every((byte) => byte === 0));
  assert.equal(byKey.scrypt, null);
  assert.notDeepEqual(
    byKey.bytes.subarray(40, 72),
    createHeader(keyFileKek(KEY), 5).bytes.subarray(40, 72),
  );
});

Deno.test("A file decrypts by following docs/ENCRYPTION.md with node:crypto alone", async () => {
  for (const size of [0, 10, CHUNK_BYTES, 2 * CHUNK_BYTES + 3]) {
    const plaintext = pattern(size);
    const byKey = await encrypt(plaintext);
    assert.deepEqual(decryptBySpec(byKey.sealed, () => KEY), plaintext);
    const byPassphrase = await encrypt(plaintext, { passphrase: "caf\u00e9" });
    const kek = (header: Uint8Array): Uint8Array =>
      new Uint8Array(
        scryptSync(new TextEncoder().encode("caf\u00e9"), header.subarray(24, 40), 32, {
          N: 2 ** header[20]!,
          r: header[21]!,
          p: header[22]!,
        }),
      );
    assert.deepEqual(decryptBySpec(byPassphrase.sealed, kek), plaintext);
  }
});

Deno.test("parseHeader() round-trips and refuses short, foreign and future headers", () => {
  const header = createHeader(keyFileKek(KEY), 12345);
  const parsed = parseHeader(header.bytes);
  assert.equal(parsed.plainSize, 12345);
  assert.equal(parsed.keyKind, "key_file");
  assert.ok(!("fileKey" in parsed));
  const future = header.bytes.slice();
  future[8] = 2;
  const cases: [Uint8Array, string, RegExp][] = [
    [header.bytes.subarray(0, 151), "truncated", /the header has 151 of 152 bytes/],
    [header.bytes.subarray(0, 3), "truncated", /the header has 3 of 152 bytes/],
    [new Uint8Array(0), "truncated", /the file is empty/],
    [Uint8Array.of(0x89, 0x66, 0x00), "not_encrypted", /not a ferry encrypted file/],
    [future, "unsupported", /format version 2 is not supported \(this ferry reads version 1\)/],
  ];
  for (const [bytes, reason, message] of cases) {
    assert.throws(
      () => parseHeader(bytes),
      (error) => isFileCryptoError(error, reason as never) && message.test(error.message),
    );
  }
});

Deno.test("isEncryptedFile() needs the 8-byte magic", async () => {
  const { sealed } = await encrypt(pattern(10));
  assert.equal(isEncryptedFile(sealed), true);
  assert.equal(isEncryptedFile(sealed.subarray(0, 8)), true);
  assert.equal(isEncryptedFile(sealed.subarray(0, 7)), false);
  assert.equal(
    isEncryptedFile(new TextEncoder().encode("\u0089ferry\r\n")),
    false,
    "UTF-8, not the magic",
  );
});

Deno.test("unlockHeader() recovers the file key with the passphrase, NFC or NFD", async () => {
  const header = await newHeader(1, "caf\u00e9");
  for (const passphrase of ["caf\u00e9", "cafe\u0301"]) {
    assert.deepEqual((await unlockHeader(header.bytes, { passphrase })).fileKey, header.fileKey);
  }
  await assert.rejects(
    unlockHeader(header, { passphrase: "cafe" }),
    (error) => isFileCryptoError(error, "wrong_key"),
  );
});

Deno.test("unlockHeader() takes a KEK already derived, from the header's own scrypt salt only", async () => {
  const header = await newHeader(1, "correct horse");
  assert.ok(header.scrypt);
  const kek = await deriveKek("correct horse", header.scrypt);
  assert.deepEqual((await unlockHeader(header.bytes, { kek })).fileKey, header.fileKey);
  const wrong = await deriveKek("wrong horse", header.scrypt);
  await assert.rejects(
    unlockHeader(header.bytes, { kek: wrong }),
    (error) => isFileCryptoError(error, "wrong_key"),
  );
  const otherSalt = await deriveKek("correct horse", FAST_SCRYPT);
  await assert.rejects(unlockHeader(header.bytes, { kek: otherSalt }), RangeError);
  await assert.rejects(
    unlockHeader(header.bytes, { kek: keyFileKek(KEY) }),
    (error) =>
      isFileCryptoError(error, "wrong_key") &&
      /with a passphrase, not a key file/.test(error.message),
  );
  const keyed = createHeader(keyFileKek(KEY), 10);
  assert.deepEqual(
    (await unlockHeader(keyed.bytes, { kek: keyFileKek(KEY) })).fileKey,
    keyed.fileKey,
  );
});
