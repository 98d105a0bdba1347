/**
 * The Noise Protocol layer of ferry: `Noise_XX_25519_ChaChaPoly_SHA256` (and
 * NN, and AESGCM for the conformance vectors), on WebCrypto and `node:crypto`.
 *
 * Spec: https://noiseprotocol.org/noise.html
 *
 * @example An XX handshake between two in-memory parties
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHACHA_POLY, generateKeyPair, HandshakeState } from "./mod.ts";
 * const common = { pattern: "XX", prologue: new Uint8Array(), cipher: CHACHA_POLY } as const;
 * const client = new HandshakeState({ ...common, initiator: true, s: await generateKeyPair() });
 * const server = new HandshakeState({ ...common, initiator: false, s: await generateKeyPair() });
 * await server.readMessage(await client.writeMessage(new Uint8Array()));
 * await client.readMessage(await server.writeMessage(new Uint8Array()));
 * await server.readMessage(await client.writeMessage(new Uint8Array()));
 * assert.deepEqual(client.getHandshakeHash(), server.getHandshakeHash());
 * ```
 *
 * @module
 */

export {
  AES_GCM,
  CHACHA_POLY,
  type CipherFunctions,
  KEY_LEN,
  NONCE_LEN,
  TAG_LEN,
} from "./cipher_functions.ts";
export { CipherState, MAX_NONCE } from "./cipher_state.ts";
export { dh, DHLEN, generateKeyPair, type KeyPair, keyPairFromPrivateKey } from "./dh.ts";
export { HASHLEN } from "./hash_functions.ts";
export { type HandshakePatternName, type Token } from "./handshake_patterns.ts";
export { HandshakeState, type HandshakeStateOptions, MAX_MESSAGE_LEN } from "./handshake_state.ts";
export { SymmetricState } from "./symmetric_state.ts";
