/**
 * A logged-in session that sends whatever a test says, as a hostile or
 * independent client would: any message type, any request id, any body,
 * with no client-side checks or id bookkeeping. Tests of the protocol's
 * edges and the fuzzer use it; everything else uses the real client.
 *
 * @module
 */

import { clientHandshake } from "../../lib/channel/handshake.ts";
import type { SecureChannel } from "../../lib/channel/secure_channel.ts";
import { generateKeyPair } from "../../lib/noise/mod.ts";
import { decodeMessage, encodeMessage, type Message } from "../../lib/protocol/codec.ts";
import { MessageType } from "../../lib/protocol/message_type.ts";
import { FrameReader } from "../../lib/wire/frame_reader.ts";
import { FrameWriter } from "../../lib/wire/frame_writer.ts";
import { ALICE_PASSWORD } from "./fixture.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Options of {@linkcode openRawSession}. */
export interface RawSessionOptions {
  /** The server's port on 127.0.0.1. */
  port: number;
  /** @default {"alice"} */
  user?: string;
  /** @default {ALICE_PASSWORD} */
  password?: string;
}

/** A message as the server sent it, with its body decoded when it is JSON. */
export interface ServerMessage extends Message {
  /** The body as JSON, or `undefined` when it is not JSON. */
  json: unknown;
}

/** A logged-in connection under a test's full control. */
export interface RawSession extends AsyncDisposable {
  /** The login's reply (`{user, permissions}`) or error body. */
  readonly login: ServerMessage;
  /** Sends one plaintext message exactly as given (header included). */
  sendRaw(plaintext: Uint8Array): Promise<void>;
  /** Sends a message of `type` for request `id` with a raw body. */
  send(type: number, id: number, body?: Uint8Array): Promise<void>;
  /** Sends a message of `type` for request `id` with a JSON body. */
  sendJson(type: number, id: number, value: unknown): Promise<void>;
  /** Sends `REQUEST` `id` with a JSON body. */
  request(id: number, value: unknown): Promise<void>;
  /**
   * The next message from the server, `null` once it closed the connection,
   * or `"timeout"` when nothing came within `ms`.
   */
  next(ms?: number): Promise<ServerMessage | null | "timeout">;
  /**
   * Reads messages until one for request `id` ends it (`ERROR`, or the
   * `REPLY` that `isFinal` accepts) and returns it, or `null` on close.
   */
  untilEnd(
    id: number,
    isFinal?: (message: ServerMessage) => boolean,
    ms?: number,
  ): Promise<ServerMessage | null>;
  /** Resolves when the server has closed the connection (reading and dropping the rest). */
  closedByServer(ms?: number): Promise<boolean>;
  /** Closes the connection. */
  close(): void;
}

function parsed(plaintext: Uint8Array): ServerMessage {
  const message = decodeMessage(plaintext.slice());
  let json: unknown = undefined;
  try {
    json = JSON.parse(decoder.decode(message.body));
  } catch {
    // DATA, or not JSON
  }
  return { ...message, json };
}

/**
 * Connects to ferryd on loopback and logs in with a password.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openWorld } from "./fixture.ts";
 * import { openRawSession } from "./raw_session.ts";
 * await using world = await openWorld();
 * await using session = await openRawSession({ port: world.server.port });
 * await session.request(1, { op: "stat", path: "" });
 * const reply = await session.untilEnd(1);
 * assert.equal((reply?.json as { entry: { kind: string } }).entry.kind, "dir");
 * ```
 */
export async function openRawSession(options: RawSessionOptions): Promise<RawSession> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: options.port });
  conn.setNoDelay(true);
  let channel: SecureChannel;
  try {
    ({ channel } = await clientHandshake(new FrameReader(conn), new FrameWriter(conn), {
      staticKey: await generateKeyPair(),
      verifyServerKey: async () => {},
      credentials: () =>
        Promise.resolve({
          method: "password",
          user: options.user ?? "alice",
          password: options.password ?? ALICE_PASSWORD,
        }),
    }));
  } catch (error) {
    conn.close();
    throw error;
  }
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  // One read at a time; a timed-out read stays pending and is taken next.
  let pendingRead: Promise<ServerMessage | null> | undefined;
  const receive = (): Promise<ServerMessage | null> => {
    pendingRead ??= channel.receive().then(
      (plaintext) => plaintext === null ? null : parsed(plaintext),
      () => null,
    );
    return pendingRead;
  };
  const next = async (ms = 10_000): Promise<ServerMessage | null | "timeout"> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = receive();
    const result = await Promise.race([
      read,
      new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), ms)),
    ]);
    clearTimeout(timer);
    if (result !== "timeout") pendingRead = undefined;
    return result;
  };
  const first = await next();
  if (first === null || first === "timeout") {
    close();
    throw new Error(`No login answer from the server: ${first}`);
  }
  const send = (type: number, id: number, body = new Uint8Array(0)): Promise<void> =>
    channel.send(encodeMessage(type as MessageType, id, body));
  const sendJson = (type: number, id: number, value: unknown): Promise<void> =>
    send(type, id, encoder.encode(JSON.stringify(value)));
  return {
    login: first,
    sendRaw: (plaintext) => channel.send(plaintext),
    send,
    sendJson,
    request: (id, value) => sendJson(MessageType.REQUEST, id, value),
    next,
    async untilEnd(id, isFinal = () => true, ms = 10_000): Promise<ServerMessage | null> {
      for (;;) {
        const message = await next(ms);
        if (message === "timeout") throw new Error(`No end of request ${id} within ${ms} ms`);
        if (message === null) return null;
        if (message.id !== id) continue;
        if (message.type === MessageType.ERROR) return message;
        if (message.type === MessageType.REPLY && isFinal(message)) return message;
      }
    },
    async closedByServer(ms = 10_000): Promise<boolean> {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const message = await next(Math.max(1, deadline - Date.now()));
        if (message === null) return true;
      }
      return false;
    },
    close,
    [Symbol.asyncDispose](): Promise<void> {
      close();
      return Promise.resolve();
    },
  };
}
