import assert from "node:assert/strict";
import { isFerryError } from "../core/errors.ts";
import { CHACHA_POLY } from "./cipher_functions.ts";
import { generateKeyPair, type KeyPair } from "./dh.ts";
import { HandshakeState, type HandshakeStateOptions, MAX_MESSAGE_LEN } from "./handshake_state.ts";

const PROLOGUE = new TextEncoder().encode("ferry/1");
const EMPTY = new Uint8Array();

function xx(initiator: boolean, s: KeyPair, prologue = PROLOGUE): HandshakeState {
  return new HandshakeState({ pattern: "XX", initiator, s, prologue, cipher: CHACHA_POLY });
}

function protocolError(pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown): boolean => {
    assert.ok(isFerryError(error, "protocol"), `expected a protocol FerryError, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  };
}

Deno.test("HandshakeState XX with random keys: payloads, remote static keys, hash and transport", async () => {
  const clientKey = await generateKeyPair();
  const serverKey = await generateKeyPair();
  const client = xx(true, clientKey);
  const server = xx(false, serverKey);
  const text = new TextEncoder();

  assert.deepEqual(
    await server.readMessage(await client.writeMessage(text.encode("a"))),
    text.encode("a"),
  );
  assert.equal(server.remoteStaticPublicKey(), undefined);
  assert.deepEqual(
    await client.readMessage(await server.writeMessage(text.encode("bb"))),
    text.encode("bb"),
  );
  assert.deepEqual(client.remoteStaticPublicKey(), serverKey.publicKey);
  assert.equal(client.isComplete(), false);
  assert.deepEqual(
    await server.readMessage(await client.writeMessage(text.encode("ccc"))),
    text.encode("ccc"),
  );
  assert.deepEqual(server.remoteStaticPublicKey(), clientKey.publicKey);

  assert.ok(client.isComplete() && server.isComplete());
  assert.deepEqual(client.getHandshakeHash(), server.getHandshakeHash());
  const [clientC1, clientC2] = client.split();
  const [serverC1, serverC2] = server.split();
  for (let i = 0; i < 3; i++) {
    const up = clientC1.encryptWithAd(EMPTY, Uint8Array.of(i));
    assert.deepEqual(serverC1.decryptWithAd(EMPTY, up), Uint8Array.of(i));
    const down = serverC2.encryptWithAd(EMPTY, Uint8Array.of(100 + i));
    assert.deepEqual(clientC2.decryptWithAd(EMPTY, down), Uint8Array.of(100 + i));
  }
});

Deno.test("HandshakeState NN round trip needs no static keys", async () => {
  const options = { pattern: "NN", prologue: PROLOGUE, cipher: CHACHA_POLY } as const;
  const alice = new HandshakeState({ ...options, initiator: true });
  const bob = new HandshakeState({ ...options, initiator: false });
  await bob.readMessage(await alice.writeMessage(EMPTY));
  const second = await bob.writeMessage(Uint8Array.of(1));
  assert.equal(second.length, 32 + 1 + 16);
  assert.deepEqual(await alice.readMessage(second), Uint8Array.of(1));
  assert.ok(alice.isComplete() && bob.isComplete());
  assert.equal(alice.remoteStaticPublicKey(), undefined);
  assert.deepEqual(alice.getHandshakeHash(), bob.getHandshakeHash());
});

Deno.test("HandshakeState refuses reads and writes out of turn", async () => {
  const key = await generateKeyPair();
  const client = xx(true, key);
  const server = xx(false, key);
  await assert.rejects(
    () => client.readMessage(new Uint8Array(32)),
    protocolError(
      /^Handshake message 1 cannot be read by the initiator: the initiator must write it$/,
    ),
  );
  await assert.rejects(
    () => server.writeMessage(EMPTY),
    protocolError(
      /^Handshake message 1 cannot be written by the responder: the responder must read it$/,
    ),
  );
  assert.throws(
    () => client.split(),
    protocolError(/^Cannot split: the handshake is not complete \(0 of 3 messages\)$/),
  );
  // Out-of-turn calls do not spoil the state.
  await server.readMessage(await client.writeMessage(EMPTY));
  await client.readMessage(await server.writeMessage(EMPTY));
  await server.readMessage(await client.writeMessage(EMPTY));
  await assert.rejects(
    () => client.writeMessage(EMPTY),
    protocolError(/^Handshake message 4 cannot be written: handshake is complete$/),
  );
});

Deno.test("HandshakeState rejects messages of the wrong length and then refuses further use", async () => {
  const key = await generateKeyPair();
  const server = xx(false, key);
  await assert.rejects(
    () => server.readMessage(new Uint8Array(31)),
    protocolError(/^Handshake message 1 has 31 bytes: expected 32 to 65535$/),
  );
  await assert.rejects(
    () => server.readMessage(new Uint8Array(32)),
    protocolError(/^Handshake message 1 cannot be read: an earlier step failed$/),
  );

  const client = xx(true, key);
  const other = xx(false, key);
  await other.readMessage(await client.writeMessage(EMPTY));
  const second = await other.writeMessage(EMPTY);
  await assert.rejects(
    () => client.readMessage(second.subarray(0, 95)),
    protocolError(/^Handshake message 2 has 95 bytes: expected 96 to 65535$/),
  );
  await assert.rejects(
    () => xx(false, key).readMessage(new Uint8Array(MAX_MESSAGE_LEN + 1)),
    protocolError(/^Handshake message 1 has 65536 bytes/),
  );
  await assert.rejects(
    () => xx(true, key).writeMessage(new Uint8Array(MAX_MESSAGE_LEN)),
    RangeError,
  );
});

Deno.test("HandshakeState names the failing step of a tampered or mismatched message", async () => {
  const key = await generateKeyPair();
  for (const [index, step] of [[40, 'token "s"'], [100, "payload"]] as const) {
    const client = xx(true, key);
    const server = xx(false, key);
    await server.readMessage(await client.writeMessage(EMPTY));
    const second = await server.writeMessage(Uint8Array.of(1, 2, 3, 4, 5));
    second[index]! ^= 1;
    await assert.rejects(
      () => client.readMessage(second),
      protocolError(
        new RegExp(
          `^Handshake message 2 failed at ${step}: cannot decrypt ciphertext: authentication failed$`,
        ),
      ),
    );
  }
  // A different prologue makes the first encrypted token fail.
  const client = xx(true, key, new TextEncoder().encode("other"));
  const server = xx(false, key);
  await server.readMessage(await client.writeMessage(EMPTY));
  await assert.rejects(
    async () => client.readMessage(await server.writeMessage(EMPTY)),
    protocolError(/^Handshake message 2 failed at token "s"/),
  );
});

Deno.test("HandshakeState wraps a DH failure on a low-order ephemeral key", async () => {
  const server = xx(false, await generateKeyPair());
  await server.readMessage(new Uint8Array(32)); // e = 0: a low-order point
  await assert.rejects(
    () => server.writeMessage(EMPTY),
    protocolError(/^Handshake message 2 failed at token "ee": cannot compute X25519/),
  );
});

Deno.test("HandshakeState.initialize() requires s for XX and can be called on a fresh state", async () => {
  const options: HandshakeStateOptions = {
    pattern: "XX",
    initiator: true,
    prologue: EMPTY,
    cipher: CHACHA_POLY,
  };
  assert.throws(() => new HandshakeState(options), TypeError);
  const state = new HandshakeState();
  assert.throws(() => state.getHandshakeHash(), TypeError);
  state.initialize({ ...options, s: await generateKeyPair() });
  assert.equal((await state.writeMessage(EMPTY)).length, 32);
});
