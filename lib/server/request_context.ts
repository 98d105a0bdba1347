/**
 * What a command handler gets to serve one request, and what it gives back
 * for the audit log.
 *
 * @module
 */

import type { MessageQueue } from "../protocol/message_queue.ts";
import type { Storage } from "../storage/storage.ts";
import type { AuditEvent } from "./audit_log.ts";
import type { Account } from "./authenticate.ts";
import type { ConsoleLog } from "./console_log.ts";
import type { FolderUsage } from "./folder_usage.ts";

/** What a handler reports about a finished request (the event name is the op). */
export type AuditDetail = Omit<AuditEvent, "event" | "address" | "user">;

/** The handle a command handler uses to answer one request. */
export interface RequestContext {
  /** The request id. */
  readonly id: number;
  /** The logged-in user, as the users file says now. */
  readonly account: Account;
  /** The user's files (their home, or the shared root). */
  readonly storage: Storage;
  /** The usage of the user's folder, when the user has a quota. */
  readonly usage: FolderUsage | undefined;
  /** Largest file accepted (0: no limit). */
  readonly maxFileSizeBytes: number;
  /** The console log. */
  readonly log: ConsoleLog;
  /** Aborted when the client cancels the request or goes away. */
  readonly signal: AbortSignal;
  /** Bytes moved so far, for the audit of an aborted transfer. */
  readonly progress: { bytes: number; path?: string };
  /**
   * Waits for one of the session's transfer slots (see
   * `TRANSFERS_PER_SESSION`); dispose of it when the transfer ends.
   *
   * @throws {FerryError} `cancelled` when the request is cancelled first.
   */
  transferSlot(): Promise<Disposable>;
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
export type CommandHandler<R> = (
  request: R,
  context: RequestContext,
) => Promise<AuditDetail | void>;
