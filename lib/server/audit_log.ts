/**
 * The audit log: one JSON object per line, appended to
 * `DATA/state/audit.log`, one event per action (not per chunk): who did what
 * to which path, with bytes, duration and SHA-256 for transfers, and the
 * refusals and aborts as well as the successes.
 *
 * @module
 */

import { writeAll } from "../core/bytes.ts";

/** The kinds of event. */
export type AuditEventName =
  | "connect"
  | "auth.ok"
  | "auth.fail"
  | "auth.locked"
  | "busy"
  | "denied"
  | "list"
  | "stat"
  | "usage"
  | "get"
  | "put"
  | "delete"
  | "mkdir"
  | "rmdir"
  | "rename"
  | "report-corrupt"
  | "transfer.aborted"
  | "error"
  | "disconnect";

/** One audit event. */
export interface AuditEvent {
  /** What happened. */
  event: AuditEventName;
  /** The client's address. */
  address?: string;
  /** The user, once known. */
  user?: string;
  /** The path acted on. */
  path?: string;
  /** The destination of a rename. */
  to?: string;
  /** Bytes moved (this transfer) or done before an abort. */
  bytes?: number;
  /** The file's size. */
  size?: number;
  /**
   * On a `put` answered without an upload: the path already held a file of
   * that size and SHA-256 (`bytes` is then 0).
   */
  skipped?: "identical";
  /** Where a resumed transfer started. */
  offset?: number;
  /** How long it took, in ms. */
  durationMs?: number;
  /** The file's SHA-256. */
  sha256?: string;
  /** An error code (denied, busy, aborted, error). */
  code?: string;
  /** Why (for refusals and failures). */
  reason?: string;
  /** The front end, when not the ferry protocol: `"web"` for the browser client. */
  via?: "web";
}

/** The file name in the state folder. */
export const AUDIT_FILE = "audit.log";

const encoder = new TextEncoder();

/**
 * Appends events to the audit log, in order. Writes are queued, so a slow
 * disk delays the log, not the transfers; the events that arrive while a
 * write is under way go out together in the next one (1,000 small files
 * make 1,000 events, not 1,000 writes).
 */
export class AuditLog {
  #file: Deno.FsFile | undefined;
  #pending: string[] = [];
  #writing: Promise<void> | undefined;
  #onError: (error: unknown) => void;

  private constructor(file: Deno.FsFile | undefined, onError: (error: unknown) => void) {
    this.#file = file;
    this.#onError = onError;
  }

  /**
   * Opens (creating, mode 0600) the audit log of a state folder.
   *
   * @param stateDir The state folder.
   * @param enabled When false, events are dropped.
   * @param onError Told when a write fails (the server goes on).
   */
  static async open(
    stateDir: string,
    enabled: boolean,
    onError: (error: unknown) => void,
  ): Promise<AuditLog> {
    const file = enabled
      ? await Deno.open(`${stateDir}/${AUDIT_FILE}`, { append: true, create: true, mode: 0o600 })
      : undefined;
    return new AuditLog(file, onError);
  }

  /** Appends one event, stamped with the time. */
  record(event: AuditEvent): void {
    if (!this.#file) return;
    this.#pending.push(JSON.stringify({ time: new Date().toISOString(), ...event }) + "\n");
    this.#writing ??= this.#drain();
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0 && this.#file) {
      const file = this.#file;
      const bytes = encoder.encode(this.#pending.join(""));
      this.#pending = [];
      try {
        await writeAll(file, bytes);
      } catch (error) {
        this.#onError(error);
      }
    }
    this.#writing = undefined;
  }

  /** Waits for queued events and closes the file. */
  async close(): Promise<void> {
    await this.#writing;
    this.#file?.close();
    this.#file = undefined;
  }
}
