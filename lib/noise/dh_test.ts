import assert from "node:assert/strict";
import { isFerryError } from "../core/errors.ts";
import { dh, generateKeyPair, keyPairFromPrivateKey } from "./dh.ts";

// RFC 7748 section 6.1.
const ALICE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
const BOB = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
const BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
const SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

Deno.test("keyPairFromPrivateKey() and dh() match RFC 7748 section 6.1", async () => {
  const alice = await keyPairFromPrivateKey(Uint8Array.fromHex(ALICE));
  const bob = await keyPairFromPrivateKey(Uint8Array.fromHex(BOB));
  assert.equal(alice.publicKey.toHex(), ALICE_PUBLIC);
  assert.equal(bob.publicKey.toHex(), BOB_PUBLIC);
  assert.equal((await dh(alice.privateKey, bob.publicKey)).toHex(), SHARED);
  assert.equal((await dh(bob.privateKey, alice.publicKey)).toHex(), SHARED);
});

Deno.test("generateKeyPair() gives distinct pairs that agree on a secret", async () => {
  const a = await generateKeyPair();
  const b = await generateKeyPair();
  assert.notDeepEqual(a.privateKey, b.privateKey);
  assert.deepEqual(await dh(a.privateKey, b.publicKey), await dh(b.privateKey, a.publicKey));
});

Deno.test("dh() rejects keys of the wrong length and low-order public keys", async () => {
  const a = await generateKeyPair();
  await assert.rejects(() => dh(a.privateKey, new Uint8Array(31)), RangeError);
  await assert.rejects(() => dh(new Uint8Array(33), a.publicKey), RangeError);
  await assert.rejects(
    () => dh(a.privateKey, new Uint8Array(32)),
    (error: unknown) => isFerryError(error, "protocol"),
  );
});
