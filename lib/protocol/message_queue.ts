/**
 * A bounded queue of messages for one request id, between the loop that
 * reads the connection and the code that handles the request.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import type { Message } from "./codec.ts";

/**
 * An async queue with backpressure: {@linkcode MessageQueue.push} waits while
 * the queue is full, so a slow consumer (a disk write) slows the reader of
 * the socket, and TCP slows the sender. Nothing grows without bound.
 */
export class MessageQueue implements AsyncIterable<Message> {
  #items: Message[] = [];
  #capacity: number;
  #closed = false;
  #error: unknown = undefined;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;
  #onLeave: ((message: Message) => void) | undefined;

  /**
   * @param capacity Messages held before `push` waits. Four keep a transfer
   *   flowing as fast as sixteen did, and 16 uploads at once then peak at
   *   104–109 MiB in ferryd instead of 132–137 (each queued `DATA` is up to
   *   64 KiB). @default {4}
   * @param onLeave Called for each message that leaves the queue, taken or
   *   dropped (a session's budget of queued bytes).
   */
  constructor(capacity = 4, onLeave?: (message: Message) => void) {
    this.#capacity = capacity;
    this.#onLeave = onLeave;
  }

  /** Adds a message; resolves once there is room for the next one. Dropped when closed. */
  async push(message: Message): Promise<void> {
    if (this.#closed) return;
    this.#items.push(message);
    this.#wakeConsumer?.();
    while (this.#items.length >= this.#capacity && !this.#closed) {
      await new Promise<void>((resolve) => this.#wakeProducer = resolve);
    }
  }

  /**
   * Ends the queue: the consumer gets what is queued, then the end (or
   * `error`, when given).
   */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = error;
    this.#wakeConsumer?.();
    this.#wakeProducer?.();
  }

  /**
   * Ends the queue now: what is queued is dropped (never handed to the
   * consumer), and the consumer gets `error`. For a cancelled request,
   * whose queued `END` must not commit anything.
   */
  cancel(error: unknown): void {
    for (const message of this.#items.splice(0)) this.#onLeave?.(message);
    this.close(error);
  }

  /** Whether {@linkcode MessageQueue.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Takes the next message.
   *
   * @throws {FerryError} `network` when the queue ended first (or its close error).
   */
  async next(): Promise<Message> {
    const message = await this.#take();
    if (message) return message;
    throw this.#error ?? new FerryError("network", "Connection closed before the reply arrived");
  }

  /** Iterates until the queue is closed; throws the close error, if any, at the end. */
  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    for (let message = await this.#take(); message; message = await this.#take()) {
      yield message;
    }
    if (this.#error !== undefined) throw this.#error;
  }

  async #take(): Promise<Message | undefined> {
    while (this.#items.length === 0 && !this.#closed) {
      await new Promise<void>((resolve) => this.#wakeConsumer = resolve);
    }
    const message = this.#items.shift();
    if (message) this.#onLeave?.(message);
    this.#wakeProducer?.();
    return message;
  }
}
