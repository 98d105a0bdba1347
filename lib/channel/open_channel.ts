/**
 * Opens the encrypted channel over a TCP connection, for either side: the
 * socket options, the frame reader and writer, the preambles and the Noise
 * handshake (./handshake.ts). Server and client both start here, so the
 * connection is assembled in one place.
 *
 * @module
 */

import type { ByteSource } from "../core/byte_source.ts";
import { FrameReader } from "../wire/frame_reader.ts";
import { type ByteSink, FrameWriter } from "../wire/frame_writer.ts";
import {
  clientHandshake,
  type ClientHandshakeOptions,
  type ClientHandshakeResult,
  serverHandshake,
  type ServerHandshakeOptions,
  type ServerHandshakeResult,
} from "./handshake.ts";

/** Which end of the connection this side is: the client initiates the handshake. */
export type ChannelRole = "client" | "server";

/** What {@linkcode openChannel} needs of a connection: a `Deno.Conn`, or a TCP one. */
export interface ChannelConn extends ByteSource, ByteSink {
  /** Sends small frames at once (TCP_NODELAY); absent on non-TCP connections. */
  setNoDelay?(noDelay?: boolean): void;
  /** Turns on TCP keepalive; absent on non-TCP connections. */
  setKeepAlive?(keepAlive?: boolean): void;
}

/** Options for either role. */
interface CommonOptions {
  /** Turn on TCP keepalive (the server's `tcpKeepalive`). @default {false} */
  keepAlive?: boolean;
}

/** Options of the client side of {@linkcode openChannel}. */
export type OpenClientChannelOptions = ClientHandshakeOptions & CommonOptions;

/** Options of the server side of {@linkcode openChannel}. */
export type OpenServerChannelOptions = ServerHandshakeOptions & CommonOptions;

/**
 * Opens the channel as the client (initiator).
 *
 * When the handshake fails, what was queued (a preamble) is flushed first;
 * closing `conn` stays with the caller, who owns it.
 *
 * @example A client and a server on loopback
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair } from "../noise/mod.ts";
 * import { openChannel } from "./open_channel.ts";
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const hostKey = await generateKeyPair();
 * const serving = (async () => {
 *   const conn = await listener.accept();
 *   const opened = await openChannel(conn, "server", { staticKey: hostKey, hello: () => ({}) });
 *   assert.deepEqual(opened?.credentials, { user: "alice" });
 *   await opened?.channel.send(Uint8Array.of(42));
 *   await opened?.channel.close();
 *   conn.close();
 * })();
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const { channel, serverKey } = await openChannel(conn, "client", {
 *   staticKey: await generateKeyPair(),
 *   verifyServerKey: () => Promise.resolve(),
 *   credentials: () => Promise.resolve({ user: "alice" }),
 * });
 * assert.deepEqual(serverKey, hostKey.publicKey);
 * assert.deepEqual(await channel.receive(), Uint8Array.of(42));
 * await serving;
 * conn.close();
 * ```
 *
 * @throws {FerryError} `unsupported_version`, `protocol`, or whatever
 *   `verifyServerKey` throws.
 */
export function openChannel(
  conn: ChannelConn,
  role: "client",
  options: OpenClientChannelOptions,
): Promise<ClientHandshakeResult>;
/**
 * Opens the channel as the server (responder).
 *
 * @returns The result, or `null` when the peer left before sending anything.
 * @throws {FerryError} `protocol` or `unsupported_version` (after the
 *   server's own preamble went out, so the client can say which versions met).
 */
export function openChannel(
  conn: ChannelConn,
  role: "server",
  options: OpenServerChannelOptions,
): Promise<ServerHandshakeResult | null>;
export async function openChannel(
  conn: ChannelConn,
  role: ChannelRole,
  options: OpenClientChannelOptions | OpenServerChannelOptions,
): Promise<ClientHandshakeResult | ServerHandshakeResult | null> {
  conn.setNoDelay?.(true);
  if (options.keepAlive) conn.setKeepAlive?.(true);
  const reader = new FrameReader(conn);
  const writer = new FrameWriter(conn);
  try {
    const opened = role === "client"
      ? await clientHandshake(reader, writer, options as OpenClientChannelOptions)
      : await serverHandshake(reader, writer, options as OpenServerChannelOptions);
    if (opened === null) await writer.flushed();
    return opened;
  } catch (error) {
    await writer.flushed();
    throw error;
  }
}
