/**
 * One logged-in connection of the client: it dials the server and logs in
 * (./dial_server.ts), then routes every incoming message to the request it
 * answers (by request id), so many requests can be in flight at once.
 *
 * @module
 */

import type { SecureChannel } from "../channel/secure_channel.ts";
import { FerryError } from "../core/errors.ts";
import {
  decodeJsonBody,
  decodeMessage,
  encodeJsonMessage,
  encodeMessage,
} from "../protocol/codec.ts";
import { MessageQueue } from "../protocol/message_queue.ts";
import { MessageType } from "../protocol/message_type.ts";
import type { Request } from "../protocol/requests.ts";
import { fromWireError } from "../protocol/wire_error.ts";
import type { Hello } from "../protocol/hello.ts";
import { type ConnectOptions, dialServer } from "./dial_server.ts";

export type { ConnectOptions } from "./dial_server.ts";

/** A request in flight: its id and the queue its messages arrive in. */
export interface PendingRequest {
  /** The request id. */
  id: number;
  /** Messages for this request, in order. */
  queue: MessageQueue;
}

/** A logged-in connection with request-id routing. */
export class ClientConnection {
  /** The server's static key, as accepted. */
  readonly serverKey: Uint8Array;
  /** The optional behaviours the server named in its hello (see `SERVER_FEATURES`). */
  readonly serverFeatures: ReadonlySet<string>;
  #conn: Deno.Conn;
  #channel: SecureChannel;
  #queues = new Map<number, MessageQueue>();
  #nextId = 1;
  #pumping: Promise<void>;
  #closed = false;
  /** Why the connection ended, once it has: later requests fail with it at once. */
  #lost: unknown;

  private constructor(
    conn: Deno.Conn,
    channel: SecureChannel,
    serverKey: Uint8Array,
    hello: Hello,
  ) {
    this.#conn = conn;
    this.#channel = channel;
    this.serverKey = serverKey;
    this.serverFeatures = new Set(hello.features);
    this.#queues.set(0, new MessageQueue());
    this.#pumping = this.#pump();
  }

  /**
   * Connects, checks the server key, and logs in.
   *
   * @throws {FerryError} `network`, `host_key_*`, `auth_failed`, `protocol`.
   */
  static async connect(options: ConnectOptions): Promise<ClientConnection> {
    const dialled = await dialServer(options);
    try {
      const { conn, channel, serverKey, hello } = dialled;
      const connection = new ClientConnection(conn, channel, serverKey, hello);
      await connection.finalReply(0);
      dialled.clock.stop();
      return connection;
    } catch (error) {
      dialled.closeConn();
      throw dialled.clock.explain(error);
    }
  }

  async #pump(): Promise<void> {
    let failure: unknown;
    /** An `ERROR` under id 0 after the login: why the server ends the session. */
    let sessionError: FerryError | undefined;
    try {
      for (let plaintext = await this.#channel.receive(); plaintext;) {
        const message = decodeMessage(plaintext);
        const queue = this.#queues.get(message.id);
        if (message.type === MessageType.ERROR || message.type === MessageType.END) {
          this.#draining.get(message.id)?.();
        }
        if (queue) await queue.push(message);
        else if (message.id === 0 && message.type === MessageType.ERROR) {
          sessionError = sessionEnd(fromWireError(decodeJsonBody(message)));
        }
        plaintext = await this.#channel.receive();
      }
    } catch (error) {
      failure = this.#closed ? undefined : error;
    }
    this.#lost = lostError(
      sessionError ?? failure ?? new FerryError("network", "The server closed the connection"),
    );
    for (const queue of this.#queues.values()) queue.close(this.#lost);
    if (!this.#closed) this.#settleEnded(this.#lost);
  }

  #settleEnded: (reason: unknown) => void = () => {};

  /**
   * Settles with why the connection ended, when the server ended it (an
   * idle timeout, a shutdown, a lost network); never when the client closed it.
   */
  readonly ended: Promise<unknown> = new Promise((resolve) => this.#settleEnded = resolve);

  /** Requests cancelled by {@linkcode interrupt}, until the server's last word on each. */
  #draining = new Map<number, () => void>();

  /**
   * Ends every request in flight with `reason` (the user pressed Ctrl-C)
   * and asks the server to cancel them; the session stays open.
   *
   * @returns Settles once the server has ended them (its `ERROR` or `END`
   *   for each: an interrupted upload's lock is free again), or after
   *   `waitMs`.
   */
  interrupt(reason: unknown, waitMs = 3000): Promise<void> {
    const ended: Promise<void>[] = [];
    for (const [id, queue] of this.#queues) {
      if (id === 0) continue;
      ended.push(new Promise((resolve) => this.#draining.set(id, resolve)));
      queue.close(reason);
      this.cancel(id);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, waitMs));
    const lost = this.ended.then(() => {});
    return Promise.race([Promise.all(ended).then(() => {}), late, lost]).finally(() => {
      clearTimeout(timer);
      this.#draining.clear();
    });
  }

  /** Sends a request; its messages arrive in the returned queue until {@linkcode finish}. */
  start(request: Request): PendingRequest {
    if (this.#closed) throw new FerryError("network", "Cannot send request: the client is closed");
    const id = this.#nextId++;
    const queue = new MessageQueue();
    this.#queues.set(id, queue);
    if (this.#lost !== undefined) {
      // The server is gone: a write could still succeed, but nothing would answer.
      queue.close(this.#lost);
      return { id, queue };
    }
    void this.send(encodeJsonMessage(MessageType.REQUEST, id, request)).catch((error) =>
      queue.close(error)
    );
    return { id, queue };
  }

  /**
   * Forgets request `id`: its queue is closed (a read of the connection
   * waiting for room in it goes on) and later messages for it are dropped.
   * A request given up before its end must also be {@linkcode cancel}led.
   */
  finish(id: number): void {
    this.#queues.get(id)?.close();
    this.#queues.delete(id);
  }

  /**
   * Waits for the next message of `id`, which must be a `REPLY`.
   *
   * @throws {FerryError} The server's error, when it sent `ERROR`.
   */
  async expectReply(id: number): Promise<unknown> {
    const queue = this.#queues.get(id);
    if (!queue) throw new RangeError(`Cannot wait for request ${id}: it is not in flight`);
    const message = await queue.next();
    if (message.type === MessageType.ERROR) throw fromWireError(decodeJsonBody(message));
    if (message.type !== MessageType.REPLY) {
      throw new FerryError(
        "protocol",
        `Expected a reply to request ${id}, got type ${message.type}`,
      );
    }
    return decodeJsonBody(message);
  }

  /** Waits for the reply that ends request `id`, then forgets it. */
  async finalReply(id: number): Promise<unknown> {
    try {
      return await this.expectReply(id);
    } finally {
      this.finish(id);
    }
  }

  /** Sends a request and waits for its one reply. */
  request(request: Request): Promise<unknown> {
    return this.finalReply(this.start(request).id);
  }

  /**
   * Sends one encoded message (`DATA`, `END`); see `SecureChannel.send`.
   *
   * @throws {FerryError} `network` when the connection is gone: why it ended,
   *   when the reading side knows (the server closed it), else the socket's error.
   */
  async send(message: Uint8Array): Promise<void> {
    try {
      await this.#channel.send(message);
    } catch (error) {
      throw this.#lost ?? lostError(error);
    }
  }

  /** Tells the server to give up on request `id` (best effort). */
  cancel(id: number): void {
    void this.send(encodeMessage(MessageType.CANCEL, id, new Uint8Array(0))).catch(() => {});
  }

  /** Says `BYE`, waits (at most 2 s) for the answer, and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.request({ op: "bye" }),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 2000);
        }),
      ]);
    } catch {
      // the server may already be gone
    } finally {
      clearTimeout(timer);
    }
    this.#closed = true;
    await this.#channel.close();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    // A request still in flight no longer holds the reading of the connection.
    const closed = new FerryError("network", "The client closed the connection");
    for (const queue of this.#queues.values()) queue.close(closed);
    await this.#pumping;
  }
}

/** A socket's failure as a `network` error; a `FerryError` stays as it is. */
function lostError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof FerryError) return error;
  return new FerryError("network", `Connection lost: ${error.message}`, { cause: error });
}

/**
 * What a session error (an `ERROR` under id 0 after the login) means to the
 * requests: the connection ends. `protocol` says this client broke the
 * protocol; any other reason (idle too long, the user deleted) is the
 * connection's end, `network`, with the server's words.
 */
function sessionEnd(error: FerryError): FerryError {
  return error.code === "protocol" ? error : new FerryError("network", error.message);
}
