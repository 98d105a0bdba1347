/**
 * Conformance with the cacophony Noise test vectors in `shared/vectors/noise.json`
 * (see `shared/vectors/README.md`). Spec: https://noiseprotocol.org/noise.html
 */

import assert from "node:assert/strict";
import {
  AES_GCM,
  CHACHA_POLY,
  type CipherFunctions,
  type CipherState,
  type HandshakePatternName,
  HandshakeState,
  type HandshakeStateOptions,
  keyPairFromPrivateKey,
} from "./mod.ts";
import { HANDSHAKE_PATTERNS } from "./handshake_patterns.ts";

const VECTORS_URL = new URL("../../../shared/vectors/noise.json", import.meta.url);

/** The protocols this layer implements, by vector `protocol_name`. */
const SUPPORTED: ReadonlyMap<string, [HandshakePatternName, CipherFunctions]> = new Map([
  ["Noise_NN_25519_AESGCM_SHA256", ["NN", AES_GCM]],
  ["Noise_NN_25519_ChaChaPoly_SHA256", ["NN", CHACHA_POLY]],
  ["Noise_XX_25519_AESGCM_SHA256", ["XX", AES_GCM]],
  ["Noise_XX_25519_ChaChaPoly_SHA256", ["XX", CHACHA_POLY]],
]);

/** One vector, with the field names of the cacophony format. */
interface NoiseVector {
  "protocol_name": string;
  "init_prologue": string;
  "init_static"?: string;
  "init_ephemeral": string;
  "resp_prologue": string;
  "resp_static"?: string;
  "resp_ephemeral": string;
  "handshake_hash": string;
  messages: { payload: string; ciphertext: string }[];
}

async function loadVectors(): Promise<NoiseVector[] | undefined> {
  try {
    const text = await Deno.readTextFile(VECTORS_URL);
    return (JSON.parse(text) as { vectors: NoiseVector[] }).vectors;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function sideOptions(
  vector: NoiseVector,
  initiator: boolean,
  [pattern, cipher]: [HandshakePatternName, CipherFunctions],
): Promise<HandshakeStateOptions> {
  const prologue = initiator ? vector.init_prologue : vector.resp_prologue;
  const ephemeral = initiator ? vector.init_ephemeral : vector.resp_ephemeral;
  const staticKey = initiator ? vector.init_static : vector.resp_static;
  const options: HandshakeStateOptions = {
    pattern,
    initiator,
    cipher,
    prologue: Uint8Array.fromHex(prologue),
    e: await keyPairFromPrivateKey(Uint8Array.fromHex(ephemeral)),
  };
  if (staticKey !== undefined) {
    options.s = await keyPairFromPrivateKey(Uint8Array.fromHex(staticKey));
  }
  return options;
}

async function runVector(
  vector: NoiseVector,
  protocol: [HandshakePatternName, CipherFunctions],
): Promise<void> {
  const initiator = new HandshakeState(await sideOptions(vector, true, protocol));
  const responder = new HandshakeState(await sideOptions(vector, false, protocol));
  const handshakeLength = HANDSHAKE_PATTERNS[protocol[0]].messagePatterns.length;
  let transport: { init: [CipherState, CipherState]; resp: [CipherState, CipherState] } | undefined;
  const transportSent = { init: 0, resp: 0 };
  const empty = new Uint8Array();

  for (const [index, message] of vector.messages.entries()) {
    const fromInitiator = index % 2 === 0;
    const where = `${vector.protocol_name} message ${index}`;
    const payload = Uint8Array.fromHex(message.payload);
    if (index < handshakeLength) {
      const [sender, receiver] = fromInitiator ? [initiator, responder] : [responder, initiator];
      const ciphertext = await sender.writeMessage(payload);
      assert.equal(ciphertext.toHex(), message.ciphertext, `${where}: ciphertext`);
      assert.equal((await receiver.readMessage(ciphertext)).toHex(), message.payload, where);
      continue;
    }
    if (transport === undefined) {
      assert.ok(initiator.isComplete() && responder.isComplete(), `${where}: handshake complete`);
      assert.equal(initiator.getHandshakeHash().toHex(), vector.handshake_hash, "initiator h");
      assert.equal(responder.getHandshakeHash().toHex(), vector.handshake_hash, "responder h");
      transport = { init: initiator.split(), resp: responder.split() };
    }
    // The initiator sends with c1, the responder with c2; both sides hold both.
    const [sender, receiver] = fromInitiator
      ? [transport.init[0], transport.resp[0]]
      : [transport.resp[1], transport.init[1]];
    const ciphertext = sender.encryptWithAd(empty, payload);
    assert.equal(ciphertext.toHex(), message.ciphertext, `${where}: transport ciphertext`);
    assert.equal(receiver.decryptWithAd(empty, ciphertext).toHex(), message.payload, where);
    transportSent[fromInitiator ? "init" : "resp"]++;
  }
  assert.ok(transportSent.init > 0 && transportSent.resp > 0, "transport in both directions");
}

const vectors = await loadVectors();

/** Whether this runs in CI (`CI=true`), where missing vectors are a failure, not a skip. */
function inCi(): boolean {
  const { state } = Deno.permissions.querySync({ name: "env", variable: "CI" });
  return state === "granted" && ["true", "1"].includes(Deno.env.get("CI") ?? "");
}

if (vectors === undefined) {
  const missing = `${VECTORS_URL.pathname} not found (the shared folder next to the checkout)`;
  Deno.test({
    name: inCi()
      ? "Noise vectors - present in CI"
      : `Noise vectors (SKIPPED: ${missing}; under CI=true this fails)`,
    ignore: !inCi(),
    fn(): void {
      assert.fail(`Cannot check the Noise vectors: ${missing}`);
    },
  });
} else {
  for (const [name, protocol] of SUPPORTED) {
    Deno.test(`Noise vectors - ${name} matches messages, handshake hash and transport`, async () => {
      const matching = vectors.filter((vector) => vector.protocol_name === name);
      assert.ok(matching.length > 0, `No vector for "${name}" in noise.json`);
      for (const vector of matching) await runVector(vector, protocol);
    });
  }
}
