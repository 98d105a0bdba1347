import assert from "node:assert/strict";
import { isFerryError } from "../core/errors.ts";
import { AES_GCM, CHACHA_POLY } from "./cipher_functions.ts";
import { CipherState, MAX_NONCE } from "./cipher_state.ts";

const AD = new TextEncoder().encode("ad");

function pair(cipher = CHACHA_POLY): [CipherState, CipherState] {
  const k = crypto.getRandomValues(new Uint8Array(32));
  const sender = new CipherState(cipher);
  const receiver = new CipherState(cipher);
  sender.initializeKey(k);
  receiver.initializeKey(k);
  return [sender, receiver];
}

Deno.test("CipherState.encryptWithAd() refuses once the nonce reaches MAX_NONCE", () => {
  const [sender, receiver] = pair();
  sender.setNonce(MAX_NONCE - 1);
  receiver.setNonce(MAX_NONCE - 1);
  const last = sender.encryptWithAd(AD, Uint8Array.of(1));
  assert.deepEqual(receiver.decryptWithAd(AD, last), Uint8Array.of(1));
  assert.throws(() => sender.encryptWithAd(AD, Uint8Array.of(2)), (error: unknown) => {
    assert.ok(isFerryError(error, "protocol"));
    assert.equal(
      error.message,
      "Cannot encrypt: nonce space exhausted, a new handshake is required",
    );
    return true;
  });
  assert.throws(() => receiver.decryptWithAd(AD, last), (error: unknown) => {
    assert.ok(isFerryError(error, "protocol"));
    assert.match(error.message, /^Cannot decrypt: nonce space exhausted/);
    return true;
  });
});

Deno.test("CipherState.decryptWithAd() rejects a flipped bit and does not advance the nonce", () => {
  for (const cipher of [CHACHA_POLY, AES_GCM]) {
    const [sender, receiver] = pair(cipher);
    const first = sender.encryptWithAd(AD, Uint8Array.of(1, 2, 3));
    const second = sender.encryptWithAd(AD, Uint8Array.of(4, 5));
    for (const bit of [0, 8 * first.length - 1]) {
      const tampered = first.slice();
      tampered[bit >> 3]! ^= 1 << (bit & 7);
      assert.throws(
        () => receiver.decryptWithAd(AD, tampered),
        (error: unknown) => isFerryError(error, "protocol"),
      );
    }
    assert.throws(
      () => receiver.decryptWithAd(new Uint8Array(), first),
      (error: unknown) => isFerryError(error, "protocol"),
      "wrong associated data",
    );
    assert.deepEqual(receiver.decryptWithAd(AD, first), Uint8Array.of(1, 2, 3));
    assert.deepEqual(receiver.decryptWithAd(AD, second), Uint8Array.of(4, 5));
  }
});

Deno.test("CipherState with an empty key passes data through unchanged", () => {
  const state = new CipherState(CHACHA_POLY);
  assert.equal(state.hasKey(), false);
  const data = Uint8Array.of(1, 2, 3);
  assert.equal(state.encryptWithAd(AD, data), data);
  assert.equal(state.decryptWithAd(AD, data), data);
  state.initializeKey(new Uint8Array(32));
  assert.equal(state.hasKey(), true);
  assert.equal(state.encryptWithAd(AD, data).length, data.length + 16);
});

Deno.test("CipherState.setNonce() and initializeKey() reject out-of-range values", () => {
  const state = new CipherState(CHACHA_POLY);
  for (const bad of [-1, 1.5, MAX_NONCE + 1, Number.NaN]) {
    assert.throws(() => state.setNonce(bad), RangeError);
  }
  assert.throws(() => state.initializeKey(new Uint8Array(31)), RangeError);
  assert.throws(() => state.rekey(), TypeError);
});

Deno.test("CipherState.rekey() changes the key the same way on both sides", () => {
  const [sender, receiver] = pair();
  sender.setNonce(5);
  const before = sender.encryptWithAd(AD, Uint8Array.of(9));
  sender.rekey();
  receiver.rekey();
  sender.setNonce(5);
  receiver.setNonce(5);
  const after = sender.encryptWithAd(AD, Uint8Array.of(9));
  assert.notDeepEqual(after, before);
  assert.deepEqual(receiver.decryptWithAd(AD, after), Uint8Array.of(9));
});
