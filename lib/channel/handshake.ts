/**
 * Runs the ferry handshake over a connection: the version preambles, then
 * Noise XX (https://noiseprotocol.org/noise.html#interactive-handshake-patterns-fundamental).
 *
 * ```
 * client                                   server
 *   preamble (ferry\0, version)  ->
 *                                <-  preamble (ferry\0, version)
 *   -> e                                   (payload empty)
 *   <- e, ee, s, es                        (payload: server hello JSON)
 *      client checks the server's static key here, before it sends anything secret,
 *      and asks its user (trust, password): the server's login grace, not its
 *      handshake timeout, runs until message 3
 *   -> s, se                               (payload: credentials JSON)
 * ```
 *
 * The prologue binds both preambles and the protocol name, so a downgrade is
 * detected by the handshake itself.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { CHACHA_POLY, HandshakeState, type KeyPair } from "../noise/mod.ts";
import { PROTOCOL_VERSION } from "../core/version.ts";
import { decodePreamble, encodePreamble } from "../wire/preamble.ts";
import type { FrameReader } from "../wire/frame_reader.ts";
import type { FrameWriter } from "../wire/frame_writer.ts";
import { MAX_FRAME_BYTES, MAX_HANDSHAKE_FRAME_BYTES, PREAMBLE_BYTES } from "../wire/limits.ts";
import { SecureChannel } from "./secure_channel.ts";

/** The cipher suite of the transport: measured fastest here (docs/PROTOCOL.md). */
export const TRANSPORT_CIPHER = CHACHA_POLY;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function prologue(clientPreamble: Uint8Array, serverPreamble: Uint8Array): Uint8Array {
  const label = encoder.encode("ferry handshake");
  const bytes = new Uint8Array(label.byteLength + 2 * PREAMBLE_BYTES);
  bytes.set(label);
  bytes.set(clientPreamble, label.byteLength);
  bytes.set(serverPreamble, label.byteLength + PREAMBLE_BYTES);
  return bytes;
}

function parseJsonPayload(payload: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(payload));
  } catch (cause) {
    throw new FerryError("protocol", `Cannot read ${what}: it is not JSON`, { cause });
  }
}

function remoteStatic(state: HandshakeState): Uint8Array {
  const key = state.remoteStaticPublicKey();
  if (!key) throw new FerryError("protocol", "Handshake ended without the peer's static key");
  return key;
}

async function readHandshakeFrame(reader: FrameReader, step: string): Promise<Uint8Array> {
  const frame = await reader.read();
  if (frame === null) {
    throw new FerryError("protocol", `Connection closed during the handshake (${step})`);
  }
  return frame.slice();
}

/** What the client learns from a completed handshake. */
export interface ClientHandshakeResult {
  /** The encrypted channel. */
  channel: SecureChannel;
  /** The server's static public key (already accepted by `verifyServerKey`). */
  serverKey: Uint8Array;
  /** The server's hello payload. */
  hello: unknown;
}

/** Options of {@linkcode clientHandshake}. */
export interface ClientHandshakeOptions {
  /** The client's static key pair (its identity, or a fresh one). */
  staticKey: KeyPair;
  /**
   * Decides whether to trust the server key (the hello, not yet trusted,
   * comes with it); throws to refuse.
   */
  verifyServerKey(serverKey: Uint8Array, hello: unknown): Promise<void>;
  /**
   * Gives the credentials, asked only once the server key is trusted (a
   * password prompt comes after the host key question, as in SSH); they go
   * encrypted to that key.
   */
  credentials(): Promise<unknown>;
}

/**
 * Runs the initiator side.
 *
 * @throws {FerryError} `unsupported_version`, `protocol`, or whatever
 *   `verifyServerKey` throws.
 */
export async function clientHandshake(
  reader: FrameReader,
  writer: FrameWriter,
  options: ClientHandshakeOptions,
): Promise<ClientHandshakeResult> {
  reader.maxFrameBytes = MAX_HANDSHAKE_FRAME_BYTES;
  const clientPreamble = encodePreamble();
  await writer.writeRaw(clientPreamble);
  const serverPreamble = await reader.readExact(PREAMBLE_BYTES);
  if (serverPreamble === null) {
    throw new FerryError("protocol", "Connection closed before the server answered");
  }
  const serverVersion = decodePreamble(serverPreamble);
  if (serverVersion !== PROTOCOL_VERSION) {
    throw new FerryError(
      "unsupported_version",
      `Cannot talk to the server: it speaks ferry protocol ${serverVersion}, this client ${PROTOCOL_VERSION}`,
    );
  }
  const state = new HandshakeState();
  await state.initialize({
    pattern: "XX",
    initiator: true,
    prologue: prologue(clientPreamble, serverPreamble),
    s: options.staticKey,
    cipher: TRANSPORT_CIPHER,
  });
  // -> e
  await writer.write(await state.writeMessage(new Uint8Array(0)));
  // <- e, ee, s, es
  const hello = parseJsonPayload(
    await state.readMessage(await readHandshakeFrame(reader, "message 2")),
    "server hello",
  );
  const serverKey = remoteStatic(state);
  await options.verifyServerKey(serverKey, hello);
  // -> s, se
  await writer.write(
    await state.writeMessage(encoder.encode(JSON.stringify(await options.credentials()))),
  );
  const [c1, c2] = state.split();
  reader.maxFrameBytes = MAX_FRAME_BYTES;
  return { channel: new SecureChannel(reader, writer, c1, c2), serverKey, hello };
}

/** What the server learns from a completed handshake. */
export interface ServerHandshakeResult {
  /** The encrypted channel. */
  channel: SecureChannel;
  /** The client's static public key (proven by the handshake). */
  clientKey: Uint8Array;
  /** The client's credentials payload, not yet validated. */
  credentials: unknown;
}

/** Options of {@linkcode serverHandshake}. */
export interface ServerHandshakeOptions {
  /** The server's host key. */
  staticKey: KeyPair;
  /**
   * Gives the hello payload of message 2, called once message 1 is in (a
   * peer that got that far speaks ferry: the server may then give it more
   * time, and say so in the hello).
   */
  hello(): unknown;
}

/**
 * Runs the responder side.
 *
 * @returns The result, or `null` when the peer left before sending anything.
 * @throws {FerryError} `protocol` or `unsupported_version`.
 */
export async function serverHandshake(
  reader: FrameReader,
  writer: FrameWriter,
  options: ServerHandshakeOptions,
): Promise<ServerHandshakeResult | null> {
  reader.maxFrameBytes = MAX_HANDSHAKE_FRAME_BYTES;
  const clientPreamble = await reader.readExact(PREAMBLE_BYTES);
  if (clientPreamble === null) return null;
  const clientVersion = decodePreamble(clientPreamble);
  const serverPreamble = encodePreamble();
  await writer.writeRaw(serverPreamble);
  if (clientVersion !== PROTOCOL_VERSION) {
    throw new FerryError(
      "unsupported_version",
      `Cannot serve client: it speaks ferry protocol ${clientVersion}, this server ${PROTOCOL_VERSION}`,
    );
  }
  const state = new HandshakeState();
  await state.initialize({
    pattern: "XX",
    initiator: false,
    prologue: prologue(clientPreamble, serverPreamble),
    s: options.staticKey,
    cipher: TRANSPORT_CIPHER,
  });
  // -> e
  await state.readMessage(await readHandshakeFrame(reader, "message 1"));
  // <- e, ee, s, es
  await writer.write(await state.writeMessage(encoder.encode(JSON.stringify(options.hello()))));
  // -> s, se
  const credentials = parseJsonPayload(
    await state.readMessage(await readHandshakeFrame(reader, "message 3")),
    "credentials",
  );
  const [c1, c2] = state.split();
  reader.maxFrameBytes = MAX_FRAME_BYTES;
  return {
    channel: new SecureChannel(reader, writer, c2, c1),
    clientKey: remoteStatic(state),
    credentials,
  };
}
