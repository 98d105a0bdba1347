/**
 * One client connection: admission against the connection limits,
 * handshake (with a timeout), login, then requests until the client says
 * `BYE`, goes idle too long, goes away, or the server shuts down.
 *
 * @module
 */

import type { ServerHandshakeResult } from "../channel/handshake.ts";
import { openChannel } from "../channel/open_channel.ts";
import type { SecureChannel } from "../channel/secure_channel.ts";
import { FerryError, isFerryError } from "../core/errors.ts";
import { decodeMessage, encodeJsonMessage, type Message } from "../protocol/codec.ts";
import { MessageType } from "../protocol/message_type.ts";
import { type Hello, serverHello } from "../protocol/hello.ts";
import { toWireError } from "../protocol/wire_error.ts";
import type { Account } from "./authenticate.ts";
import { CountedStorage } from "./counted_storage.ts";
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
  let loggingIn = true;
  const endStartup = (): void => {
    if (loggingIn) limits.endStartup();
    loggingIn = false;
  };
  // The client's own time, until its login arrives; the wait for a turn in the
  // login queue is the server's, not counted here. Until the server's hello a
  // peer gets the short handshake timeout; from the hello on, a ferry client
  // may be asking its user (trust, password) and gets the login grace,
  // unless its address already has its share of those (a peer that speaks
  // ferry but never logs in then holds its `maxStartups` slot briefly).
  const timeOut = (what: string) => (): void => {
    log.info(`${label} ${what}`);
    closeQuietly(conn);
  };
  let timer = setTimeout(timeOut("handshake timed out"), config.handshakeTimeoutSeconds * 1000);
  let grace = false;
  const hello = (): Hello => {
    grace = admission === "ok" && limits.startGrace(address);
    if (grace) {
      clearTimeout(timer);
      const seconds = config.loginGraceSeconds;
      timer = setTimeout(
        timeOut(`gave up waiting for the login after ${seconds} s`),
        seconds * 1000,
      );
    }
    return serverHello({
      loginGraceSeconds: grace ? config.loginGraceSeconds : config.handshakeTimeoutSeconds,
      loginWaitSeconds: Math.ceil(config.loginMaxDelayMs / 1000) + config.loginQueueSeconds,
    });
  };
  const endGrace = (): void => {
    clearTimeout(timer);
    if (grace) limits.endGrace(address);
    grace = false;
  };
  let account: Account | null = null;
  let handshake: ServerHandshakeResult | null = null;
  try {
    if (admission === "drop") {
      log.warn(`${label} dropped: ${limits.busyReason(address)}`);
      return;
    }
    audit.record({ event: "connect", address });
    handshake = await openChannel(conn, "server", {
      staticKey: environment.hostKey,
      hello,
      keepAlive: config.tcpKeepalive,
    });
    endGrace();
    if (handshake === null) return;
    if (admission === "busy" || environment.shuttingDown) {
      const reason = environment.shuttingDown ? "shutting down" : limits.busyReason(address);
      audit.record({ event: "busy", address, code: "busy", reason });
      const error = new FerryError("busy", `Server busy: ${reason}, retry later`);
      await handshake.channel.send(encodeJsonMessage(MessageType.ERROR, 0, toWireError(error)));
      return;
    }
    account = await login(handshake, environment, address);
    endStartup();
    if (account === null) return;
    log.info(`${label} logged in as "${account.name}"`);
    await serveRequests(conn, handshake.channel, account, environment, address);
  } catch (error) {
    log.info(`${label} closed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    endGrace();
    endStartup();
    if (account) {
      limits.endSession(account.name);
      log.info(`${label} "${account.name}" disconnected`);
    }
    if (admission !== "drop") {
      audit.record({ event: "disconnect", address, ...(account ? { user: account.name } : {}) });
    }
    limits.close(address);
    await handshake?.channel.close();
    closeQuietly(conn);
  }
}

/**
 * Bytes of frames queued for the client beyond which the session stops
 * reading it: a client that sends requests (10,000 `get`s) and never reads
 * the answers fills its own socket, then waits, instead of growing the
 * server's queue.
 */
export const MAX_SEND_BACKLOG_BYTES = 64 * 1024;

/** How long a session-ending `ERROR` may take to leave before the connection closes anyway. */
const LAST_WORD_MS = 1000;

async function serveRequests(
  conn: Deno.Conn,
  channel: SecureChannel,
  account: Account,
  environment: SessionEnvironment,
  address: string,
): Promise<void> {
  const home = await storageFor(environment, account);
  const usage = usageFor(environment, account, home);
  const storage = usage ? new CountedStorage(home, usage) : home;
  const idleMs = environment.config.idleTimeoutSeconds * 1000;
  // Traffic either way counts: a transfer that moves is not idle, one stalled
  // on its peer (a stopped or vanished client) is, and frees its path.
  let lastActivity = Date.now();
  const touch = (): void => {
    lastActivity = Date.now();
  };
  let draining = false;
  const close = (): void => closeQuietly(conn);
  /** Sends the session's last word: `ERROR` under id 0 (waiting at most {@linkcode LAST_WORD_MS}). */
  const sayLastWord = async (error: FerryError): Promise<void> => {
    environment.log.info(`${address} "${account.name}" broke the protocol: ${error.message}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      channel.send(encodeJsonMessage(MessageType.ERROR, 0, toWireError(error))).catch(() => {}),
      new Promise((resolve) => timer = setTimeout(resolve, LAST_WORD_MS)),
    ]);
    clearTimeout(timer);
  };
  const dispatcher = new RequestDispatcher({
    environment,
    account,
    storage,
    usage,
    address,
    send: (message) => channel.send(message).then(touch),
    onIdle: () => {
      touch();
      if (draining) close();
    },
    onProtocolError: (error) => void sayLastWord(error).then(close),
  });
  const handle: SessionHandle = {
    drain: () => {
      draining = true;
      if (dispatcher.size === 0) close();
    },
    kill: close,
  };
  // Tells the client why before closing (an `ERROR` on id 0, docs/PROTOCOL.md), once.
  let ending = false;
  const closeSaying = (reason: string): void => {
    if (ending) return;
    ending = true;
    const body = toWireError(new FerryError("cancelled", reason));
    void channel.send(encodeJsonMessage(MessageType.ERROR, 0, body)).catch(() => {}).finally(close);
  };
  const idleCheck = setInterval(() => {
    if (ending) return;
    if (Date.now() - lastActivity > idleMs) {
      const stalled = dispatcher.size === 0 ? "" : ` with ${dispatcher.size} request(s) stalled`;
      environment.log.info(
        `${address} "${account.name}" idle for ${idleMs / 1000} s${stalled}: closing`,
      );
      closeSaying(`The server ended the session: idle for ${idleMs / 1000} s`);
    }
    // A user deleted meanwhile is let go at once, not at the next request (the users file is
    // looked at once a second at most, for all sessions together).
    void environment.users.get(account.name).then((record) => {
      if (record !== undefined) return;
      environment.log.info(`${address} "${account.name}" was deleted: closing`);
      closeSaying(`The server ended the session: user "${account.name}" no longer exists`);
    }, () => {});
  }, Math.max(250, Math.min(5000, idleMs / 4)));
  environment.sessions.add(handle);
  let saidBye = false;
  let broken = false;
  try {
    while (!saidBye) {
      await channel.sendBacklogBelow(MAX_SEND_BACKLOG_BYTES);
      const plaintext = await channel.receive();
      if (plaintext === null) break;
      touch();
      try {
        saidBye = await serveMessage(decodeMessage(plaintext), dispatcher);
      } catch (error) {
        if (isFerryError(error, "protocol")) await sayLastWord(error);
        throw error;
      }
    }
    if (saidBye) await dispatcher.settle();
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    clearInterval(idleCheck);
    environment.sessions.delete(handle);
    // A broken session's requests must not wait on a client that may never read again.
    if (broken) close();
    await dispatcher.close("The client went away");
  }
}

/**
 * Hands one client message to the dispatcher.
 *
 * @returns Whether it was `BYE`.
 * @throws {FerryError} `protocol` for a type a client may not send.
 */
async function serveMessage(message: Message, dispatcher: RequestDispatcher): Promise<boolean> {
  switch (message.type) {
    case MessageType.REQUEST:
      return dispatcher.start(message);
    case MessageType.DATA:
    case MessageType.DATA_DEFLATE:
    case MessageType.END:
      await dispatcher.route(message);
      return false;
    case MessageType.CANCEL:
      dispatcher.cancel(message.id);
      return false;
    default:
      throw new FerryError(
        "protocol",
        `Cannot accept message of type ${message.type} from a client`,
      );
  }
}
