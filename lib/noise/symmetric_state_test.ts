import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CHACHA_POLY } from "./cipher_functions.ts";
import { SymmetricState } from "./symmetric_state.ts";

function initialized(name: string): SymmetricState {
  const state = new SymmetricState(CHACHA_POLY);
  state.initializeSymmetric(name);
  return state;
}

Deno.test("SymmetricState.initializeSymmetric() pads names of 32 bytes or less and hashes longer ones", () => {
  for (const name of ["Noise_XX_25519_AESGCM_SHA256", "Noise_XX_25519_ChaChaPoly_SHA256"]) {
    const padded = new Uint8Array(32);
    padded.set(new TextEncoder().encode(name));
    assert.deepEqual(initialized(name).getHandshakeHash(), padded);
  }
  const long = "Noise_XXpsk3_25519_ChaChaPoly_SHA256";
  const digest = createHash("sha256").update(long).digest("hex");
  assert.equal(initialized(long).getHandshakeHash().toHex(), digest);
});

Deno.test("SymmetricState keeps two parties in step and split() gives distinct directions", () => {
  const a = initialized("Noise_NN_25519_ChaChaPoly_SHA256");
  const b = initialized("Noise_NN_25519_ChaChaPoly_SHA256");
  for (const state of [a, b]) {
    state.mixHash(Uint8Array.of(1));
    state.mixKey(new Uint8Array(32).fill(2));
    state.mixKeyAndHash(new Uint8Array(32).fill(3));
  }
  assert.equal(a.hasKey(), true);
  const ciphertext = a.encryptAndHash(Uint8Array.of(4, 5));
  assert.deepEqual(b.decryptAndHash(ciphertext), Uint8Array.of(4, 5));
  assert.deepEqual(a.getHandshakeHash(), b.getHandshakeHash());
  const [a1, a2] = a.split();
  const [b1, b2] = b.split();
  const ad = new Uint8Array();
  const one = a1.encryptWithAd(ad, Uint8Array.of(6));
  assert.deepEqual(b1.decryptWithAd(ad, one), Uint8Array.of(6));
  assert.notDeepEqual(a2.encryptWithAd(ad, Uint8Array.of(6)), one);
  assert.deepEqual(b2.hasKey(), true);
});
