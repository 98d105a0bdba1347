/**
 * One client connection: admission against the connection limits,
 * handshake (with a timeout), login, then requests until the client says
 * `BYE`, goes idle too long, goes away, or the server shuts down.
 *
 * @module
 */

import { serverHandshake } from "../channel/handshake.ts";
import type { SecureChannel } from "../channel/secure_channel.ts";
import { FerryError } from "../errors.ts";
import { decodeMessage, encodeJsonMessage } from "../protocol/codec.ts";
import { MessageType } from "../protocol/message_type.ts";
import { FERRY_VERSION, PROTOCOL_VERSION, SERVER_FEATURES } from "../protocol/version.ts";
import { toWireError } from "../protocol/wire_error.ts";
import { FrameReader } from "../wire/frame_reader.ts";
import { FrameWriter } from "../wire/frame_writer.ts";
import type { Account } from "./authenticate.ts";
import { login } from "./login.ts";
import { RequestDispatcher } from "./request_dispatch.ts";
import {
  type SessionEnvironment,
  type SessionHandle,
  storageFor,
  usageFor,
} from "./session_environment.ts";

export type { SessionEnvironment } from "./session_environment.ts";

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** Serves one connection until it ends; never throws. */
export async function runSession(conn: Deno.Conn, environment: SessionEnvironment): Promise<void> {
  const peer = conn.remoteAddr as Deno.NetAddr;
  const address = peer.hostname;
  const label = `${address}:${peer.port}`;
  const { log, audit, limits, config } = environment;
  const admission = limits.open(address);
  const writer = new FrameWriter(conn);
  const timer = setTimeout(() => {
    log.info(`${label} handshake timed out`);
    closeQuietly(conn);
  }, config.handshakeTimeoutSeconds * 1000);
  let account: Account | null = null;
  try {
    if (admission === "drop") {
      log.warn(`${label} dropped: ${limits.busyReason(address)}`);
      return;
    }
    audit.record({ event: "connect", address });
    if (config.tcpKeepalive) (conn as Deno.TcpConn).setKeepAlive?.(true);
    (conn as Deno.TcpConn).setNoDelay?.(true);
    const handshake = await serverHandshake(new FrameReader(conn), writer, {
      staticKey: environment.hostKey,
      hello: {
        server: "ferryd",
        version: FERRY_VERSION,
        protocol: PROTOCOL_VERSION,
        features: SERVER_FEATURES,
      },
    });
    clearTimeout(timer);
    if (handshake === null) return;
    if (admission === "busy" || environment.shuttingDown) {
      const reason = environment.shuttingDown ? "shutting down" : limits.busyReason(address);
      audit.record({ event: "busy", address, code: "busy", reason });
      const error = new FerryError("busy", `Server busy: ${reason}, retry later`);
      await handshake.channel.send(encodeJsonMessage(MessageType.ERROR, 0, toWireError(error)));
      return;
    }
    account = await login(handshake, environment, address);
    if (account === null) return;
    log.info(`${label} logged in as "${account.name}"`);
    await serveRequests(conn, handshake.channel, account, environment, address);
  } catch (error) {
    log.info(`${label} closed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
    if (account) {
      limits.endSession(account.name);
      log.info(`${label} "${account.name}" disconnected`);
    }
    if (admission !== "drop") {
      audit.record({ event: "disconnect", address, ...(account ? { user: account.name } : {}) });
    }
    limits.close(address);
    await writer.close();
    closeQuietly(conn);
  }
}

async function serveRequests(
  conn: Deno.Conn,
  channel: SecureChannel,
  account: Account,
  environment: SessionEnvironment,
  address: string,
): Promise<void> {
  const storage = await storageFor(environment, account);
  const idleMs = environment.config.idleTimeoutSeconds * 1000;
  let lastActivity = Date.now();
  let draining = false;
  const close = (): void => closeQuietly(conn);
  const dispatcher = new RequestDispatcher({
    environment,
    account,
    storage,
    usage: usageFor(environment, account, storage),
    address,
    send: (message) => channel.send(message),
    onIdle: () => {
      lastActivity = Date.now();
      if (draining) close();
    },
  });
  const handle: SessionHandle = {
    drain: () => {
      draining = true;
      if (dispatcher.size === 0) close();
    },
    kill: close,
  };
  // Tells the client why before closing (an `ERROR` on id 0, docs/PROTOCOL.md).
  const closeSaying = (reason: string): void => {
    const body = toWireError(new FerryError("cancelled", reason));
    void channel.send(encodeJsonMessage(MessageType.ERROR, 0, body)).catch(() => {}).finally(close);
  };
  const idleCheck = setInterval(() => {
    if (dispatcher.size === 0 && Date.now() - lastActivity > idleMs) {
      environment.log.info(`${address} "${account.name}" idle for ${idleMs / 1000} s: closing`);
      closeSaying(`The server ended the session: idle for ${idleMs / 1000} s`);
      lastActivity = Infinity; // said once
    }
  }, Math.max(250, Math.min(5000, idleMs / 4)));
  environment.sessions.add(handle);
  let saidBye = false;
  try {
    while (!saidBye) {
      const plaintext = await channel.receive();
      if (plaintext === null) break;
      lastActivity = Date.now();
      const message = decodeMessage(plaintext);
      if (message.type === MessageType.REQUEST) {
        saidBye = dispatcher.start(message);
      } else if (
        message.type === MessageType.DATA || message.type === MessageType.DATA_DEFLATE ||
        message.type === MessageType.END
      ) {
        await dispatcher.route(message);
      } else if (message.type === MessageType.CANCEL) {
        dispatcher.cancel(message.id);
      } else {
        throw new FerryError(
          "protocol",
          `Cannot accept message of type ${message.type} from a client`,
        );
      }
    }
    if (saidBye) await dispatcher.settle();
  } finally {
    clearInterval(idleCheck);
    environment.sessions.delete(handle);
    await dispatcher.close("The client went away");
  }
}
