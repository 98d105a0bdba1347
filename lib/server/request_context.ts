/**
 * What a command handler gets to serve one request.
 *
 * @module
 */

import type { MessageQueue } from "../protocol/message_queue.ts";
import type { Storage } from "../storage/storage.ts";
import type { Account } from "./authenticate.ts";
import type { ConsoleLog } from "./console_log.ts";

/** The handle a command handler uses to answer one request. */
export interface RequestContext {
  /** The request id. */
  readonly id: number;
  /** The logged-in user. */
  readonly account: Account;
  /** The user's files. */
  readonly storage: Storage;
  /** The console log. */
  readonly log: ConsoleLog;
  /** Aborted when the client cancels the request or goes away. */
  readonly signal: AbortSignal;
  /** Sends a `REPLY` with this JSON body. */
  reply(value: unknown): Promise<void>;
  /** Sends one already encoded message (`DATA`, `END`, `PAGE`). */
  send(message: Uint8Array): Promise<void>;
  /**
   * Starts receiving the client's `DATA`/`END` messages for this request.
   * Call it before the reply that invites them: messages for a request that
   * did not ask are dropped.
   */
  incoming(): MessageQueue;
}

/** A command handler. It throws `FerryError` for anything the client caused. */
export type CommandHandler<R> = (request: R, context: RequestContext) => Promise<void>;
