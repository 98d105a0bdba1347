import assert from "node:assert/strict";
import { isFerryError } from "../core/errors.ts";
import { AES_GCM, CHACHA_POLY, NONCE_LEN } from "./cipher_functions.ts";

function encoded(cipher: typeof CHACHA_POLY, n: number): string {
  const nonce = new Uint8Array(NONCE_LEN).fill(0xaa);
  cipher.encodeNonce(n, new DataView(nonce.buffer));
  return nonce.toHex();
}

function bigIntNonce(n: number, littleEndian: boolean): string {
  const nonce = new Uint8Array(NONCE_LEN);
  new DataView(nonce.buffer).setBigUint64(4, BigInt(n), littleEndian);
  return nonce.toHex();
}

Deno.test("CipherFunctions.encodeNonce() puts 4 zero bytes then n, LE for ChaChaPoly and BE for AESGCM", () => {
  assert.equal(encoded(CHACHA_POLY, 1), "000000000100000000000000");
  assert.equal(encoded(AES_GCM, 1), "000000000000000000000001");
  for (const n of [0, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
    assert.equal(encoded(CHACHA_POLY, n), bigIntNonce(n, true), `ChaChaPoly n=${n}`);
    assert.equal(encoded(AES_GCM, n), bigIntNonce(n, false), `AESGCM n=${n}`);
  }
});

Deno.test("CipherFunctions encrypt() and decrypt() return plain Uint8Arrays, not Buffers", () => {
  for (const cipher of [CHACHA_POLY, AES_GCM]) {
    const k = crypto.getRandomValues(new Uint8Array(32));
    const nonce = new Uint8Array(NONCE_LEN);
    const ad = Uint8Array.of(1);
    for (const size of [0, 1, 5000]) {
      const sealed = cipher.encrypt(k, nonce, ad, new Uint8Array(size).fill(7));
      assert.equal(sealed.length, size + 16);
      assert.equal(Object.getPrototypeOf(sealed), Uint8Array.prototype);
      const opened = cipher.decrypt(k, nonce, ad, sealed);
      assert.equal(Object.getPrototypeOf(opened), Uint8Array.prototype);
      assert.deepEqual(opened, new Uint8Array(size).fill(7));
    }
  }
});

Deno.test("CipherFunctions decrypt() throws a protocol FerryError on a bad tag or short input", () => {
  for (const cipher of [CHACHA_POLY, AES_GCM]) {
    const k = new Uint8Array(32);
    const nonce = new Uint8Array(NONCE_LEN);
    const sealed = cipher.encrypt(k, nonce, new Uint8Array(), Uint8Array.of(1, 2));
    sealed[sealed.length - 1]! ^= 0x80;
    assert.throws(() => cipher.decrypt(k, nonce, new Uint8Array(), sealed), (error: unknown) => {
      assert.ok(isFerryError(error, "protocol"));
      assert.equal(error.message, "Cannot decrypt ciphertext: authentication failed");
      return true;
    });
    assert.throws(
      () => cipher.decrypt(k, nonce, new Uint8Array(), new Uint8Array(15)),
      (error: unknown) => isFerryError(error, "protocol") && /15 bytes/.test(error.message),
    );
  }
});

Deno.test("CipherFunctions encrypt() seals into a given buffer the same bytes, behind the headroom", () => {
  for (const cipher of [CHACHA_POLY, AES_GCM]) {
    const k = new Uint8Array(32).fill(3);
    const nonce = new Uint8Array(NONCE_LEN);
    const plaintext = Uint8Array.of(1, 2, 3, 4, 5);
    const fresh = cipher.encrypt(k, nonce, new Uint8Array(), plaintext, 4);
    const buffer = new Uint8Array(64).fill(0xee);
    const sealed = cipher.encrypt(k, nonce, new Uint8Array(), plaintext, 4, buffer);
    assert.equal(sealed.buffer, buffer.buffer, "a view of the given buffer");
    assert.deepEqual(sealed.subarray(4), fresh.subarray(4));
    assert.equal(sealed.byteLength, 4 + plaintext.byteLength + 16);
    assert.throws(
      () => cipher.encrypt(k, nonce, new Uint8Array(), plaintext, 4, new Uint8Array(24)),
      /Cannot seal 25 bytes into a buffer of 24/,
    );
  }
});
