/**
 * One client connection: handshake, login, then requests until the client
 * says `BYE` or goes away. Requests run concurrently (pipelining); their
 * replies carry the request id.
 *
 * @module
 */

import { serverHandshake } from "../channel/handshake.ts";
import type { SecureChannel } from "../channel/secure_channel.ts";
import { FerryError } from "../errors.ts";
import type { KeyPair } from "../noise/mod.ts";
import {
  decodeJsonBody,
  decodeMessage,
  encodeJsonMessage,
  type Message,
} from "../protocol/codec.ts";
import { MessageQueue } from "../protocol/message_queue.ts";
import { MessageType } from "../protocol/message_type.ts";
import { parseAuthRequest, parseRequest, type Request } from "../protocol/requests.ts";
import { FERRY_VERSION, PROTOCOL_VERSION } from "../protocol/version.ts";
import { toWireError } from "../protocol/wire_error.ts";
import type { Storage } from "../storage/storage.ts";
import { FrameReader } from "../wire/frame_reader.ts";
import { FrameWriter } from "../wire/frame_writer.ts";
import { type Account, authenticate } from "./authenticate.ts";
import { COMMANDS } from "./commands/command_table.ts";
import type { ConsoleLog } from "./console_log.ts";
import type { LoginThrottle } from "./login_throttle.ts";
import type { RequestContext } from "./request_context.ts";
import type { UserStore } from "./user_store.ts";

/** The most requests one session may have in flight; more get `busy`. */
export const MAX_REQUESTS_IN_FLIGHT = 128;

/** What every session of a server shares. */
export interface SessionEnvironment {
  /** The host key. */
  hostKey: KeyPair;
  /** The users file. */
  users: UserStore;
  /** The files. */
  storage: Storage;
  /** Login back-off. */
  throttle: LoginThrottle;
  /** Console log. */
  log: ConsoleLog;
  /** Time allowed from connect to a finished login, in ms. */
  handshakeTimeoutMs: number;
}

interface InFlight {
  abort: AbortController;
  incoming?: MessageQueue;
}

/** Serves one connection until it ends; never throws. */
export async function runSession(conn: Deno.Conn, environment: SessionEnvironment): Promise<void> {
  const peer = conn.remoteAddr as Deno.NetAddr;
  const label = `${peer.hostname}:${peer.port}`;
  const { log } = environment;
  const reader = new FrameReader(conn.readable);
  const writer = new FrameWriter(conn.writable);
  const timer = setTimeout(() => {
    log.info(`${label} handshake timed out`);
    closeQuietly(conn);
  }, environment.handshakeTimeoutMs);
  try {
    const opened = await openSession(reader, writer, peer.hostname, environment);
    clearTimeout(timer);
    if (opened === null) return;
    log.info(`${label} logged in as "${opened.account.name}"`);
    await serveRequests(opened.channel, opened.account, environment);
    log.info(`${label} "${opened.account.name}" disconnected`);
  } catch (error) {
    log.info(`${label} closed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
    await writer.close();
    closeQuietly(conn);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

async function openSession(
  reader: FrameReader,
  writer: FrameWriter,
  address: string,
  environment: SessionEnvironment,
): Promise<{ channel: SecureChannel; account: Account } | null> {
  const handshake = await serverHandshake(reader, writer, {
    staticKey: environment.hostKey,
    hello: { server: "ferryd", version: FERRY_VERSION, protocol: PROTOCOL_VERSION },
  });
  if (handshake === null) return null;
  const { channel, clientKey } = handshake;
  const wait = environment.throttle.delayFor(address);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  try {
    const account = await authenticate(
      environment.users,
      parseAuthRequest(handshake.credentials),
      clientKey,
    );
    environment.throttle.succeed(address);
    await channel.send(
      encodeJsonMessage(MessageType.REPLY, 0, { user: account.name, role: account.role }),
    );
    return { channel, account };
  } catch (error) {
    if (error instanceof FerryError && error.code === "auth_failed") {
      environment.throttle.fail(address);
      environment.log.warn(`Failed login from ${address}`);
    }
    await channel.send(encodeJsonMessage(MessageType.ERROR, 0, toWireError(error)));
    return null;
  }
}

async function serveRequests(
  channel: SecureChannel,
  account: Account,
  environment: SessionEnvironment,
): Promise<void> {
  const inFlight = new Map<number, InFlight>();
  const running = new Set<Promise<void>>();
  const send = (message: Uint8Array): Promise<void> => channel.send(message);
  let saidBye = false;
  try {
    while (!saidBye) {
      const plaintext = await channel.receive();
      if (plaintext === null) break;
      const message = decodeMessage(plaintext);
      if (message.type === MessageType.REQUEST) {
        saidBye = startRequest(message, account, environment, send, inFlight, running);
      } else if (
        message.type === MessageType.DATA || message.type === MessageType.DATA_DEFLATE ||
        message.type === MessageType.END
      ) {
        await inFlight.get(message.id)?.incoming?.push(message);
      } else if (message.type === MessageType.CANCEL) {
        inFlight.get(message.id)?.abort.abort(
          new FerryError("cancelled", "Cancelled by the client"),
        );
      } else {
        throw new FerryError(
          "protocol",
          `Cannot accept message of type ${message.type} from a client`,
        );
      }
    }
  } finally {
    for (const request of inFlight.values()) {
      request.abort.abort(new FerryError("cancelled", "The client went away"));
      request.incoming?.close();
    }
    await Promise.allSettled(running);
  }
}

/** Starts one request; returns whether it was `BYE`. */
function startRequest(
  message: Message,
  account: Account,
  environment: SessionEnvironment,
  send: (message: Uint8Array) => Promise<void>,
  inFlight: Map<number, InFlight>,
  running: Set<Promise<void>>,
): boolean {
  const { id } = message;
  const fail = (error: unknown): Promise<void> =>
    send(encodeJsonMessage(MessageType.ERROR, id, toWireError(error))).catch(() => {});
  if (inFlight.has(id) || inFlight.size >= MAX_REQUESTS_IN_FLIGHT) {
    const reason = inFlight.has(id) ? `request id ${id} is in use` : "too many requests in flight";
    void fail(new FerryError("busy", `Cannot start request: ${reason}`));
    return false;
  }
  let request: Request;
  try {
    request = parseRequest(decodeJsonBody(message));
  } catch (error) {
    void fail(error);
    return false;
  }
  const state: InFlight = { abort: new AbortController() };
  const context: RequestContext = {
    id,
    account,
    storage: environment.storage,
    log: environment.log,
    signal: state.abort.signal,
    reply: (value) => send(encodeJsonMessage(MessageType.REPLY, id, value)),
    send,
    incoming: () => state.incoming ??= new MessageQueue(),
  };
  const command = COMMANDS[request.op];
  const task = (async () => {
    if (command.writes && account.role === "read-only") {
      throw new FerryError("denied", `Cannot ${request.op}: user "${account.name}" is read-only`);
    }
    await command.handler(request, context);
  })().catch((error) => {
    if (!(error instanceof FerryError)) {
      environment.log.error(`Request ${id} of "${account.name}" failed: ${String(error)}`);
    }
    return fail(error);
  }).finally(() => {
    state.incoming?.close();
    inFlight.delete(id);
    running.delete(task);
  });
  inFlight.set(id, state);
  running.add(task);
  return request.op === "bye";
}
