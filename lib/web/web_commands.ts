/**
 * Runs one ferry command (`list`, `put`, `mkdir`, ...) for a browser through
 * the server's own command table: the same permission check (the users file
 * as it is now), the same handlers over the user's storage (home, quota,
 * path jail, write locks), and one audit event per request, marked
 * `"via": "web"`, refusals and aborts included.
 *
 * @module
 */

import { FerryError, isFerryError } from "../core/errors.ts";
import { decodeJsonBody, decodeMessage } from "../protocol/codec.ts";
import { MessageQueue } from "../protocol/message_queue.ts";
import { MessageType } from "../protocol/message_type.ts";
import { type Request, requestPath } from "../protocol/requests.ts";
import type { AuditEvent } from "../server/audit_log.ts";
import { type Account, accountOf } from "../server/authenticate.ts";
import { permittedCommand } from "../server/commands/command_table.ts";
import { CountedStorage } from "../server/counted_storage.ts";
import type { FolderUsage } from "../server/folder_usage.ts";
import type { RequestContext } from "../server/request_context.ts";
import { type SessionEnvironment, storageFor, usageFor } from "../server/session_environment.ts";
import { TRANSFERS_PER_SESSION, TransferSlots } from "../server/transfer_slots.ts";
import type { Storage } from "../storage/storage.ts";

/** Longest an upload waits for one of its user's transfer slots: 30 s. */
export const SLOT_WAIT_MS = 30_000;

/** One of `slots`, waiting at most {@linkcode SLOT_WAIT_MS}. */
async function acquireWithin(slots: TransferSlots, signal: AbortSignal): Promise<Disposable> {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new FerryError(
          "busy",
          "Cannot start the upload: too many uploads of this user at once, retry later",
        ),
      ),
    SLOT_WAIT_MS,
  );
  try {
    return await slots.acquire(AbortSignal.any([signal, controller.signal]));
  } finally {
    clearTimeout(timer);
  }
}

/** A user as the web front end serves them: account, storage, usage. */
export interface WebUser {
  /** The account as the users file says now. */
  account: Account;
  /** Their storage (home, counted when they have a quota). */
  storage: Storage;
  /** Their usage, when they have a quota. */
  usage: FolderUsage | undefined;
  /** Their transfer slots (shared by their browser's requests). */
  slots: TransferSlots;
}

/** An audit event whose fields may be `undefined` (dropped). */
export type LooseAuditEvent = { [K in keyof AuditEvent]?: AuditEvent[K] | undefined } & {
  event: AuditEvent["event"];
};

/** What a command's run gives back: its replies and pages. */
export interface CommandOutcome {
  /** Every `REPLY` body, in order. */
  replies: unknown[];
  /** Every entry of every `PAGE`. */
  pages: unknown[];
}

/** Options of {@linkcode runWebCommand}. */
export interface WebCommandOptions {
  /** Aborts the request (the browser went away). */
  signal?: AbortSignal;
  /** The queue the command's `incoming()` returns (an upload's chunks). */
  incoming?: MessageQueue;
  /** Told of each reply as it is made (an upload's offset). */
  onReply?: (value: unknown) => void;
}

/** The users the web front end serves, with their storage built as the ferry session builds it. */
export class WebUsers {
  #environment: SessionEnvironment;
  #slots = new Map<string, TransferSlots>();

  /** @param environment The server's shared state. */
  constructor(environment: SessionEnvironment) {
    this.#environment = environment;
  }

  /**
   * The user as the users file says now.
   *
   * @throws {FerryError} `denied` when the user no longer exists.
   */
  async get(name: string): Promise<WebUser> {
    const record = await this.#environment.users.get(name);
    if (!record) throw new FerryError("denied", `User "${name}" no longer exists`);
    const account = accountOf(name, record);
    const home = await storageFor(this.#environment, account);
    const usage = usageFor(this.#environment, account, home);
    let slots = this.#slots.get(name);
    if (!slots) this.#slots.set(name, slots = new TransferSlots(TRANSFERS_PER_SESSION));
    return { account, storage: usage ? new CountedStorage(home, usage) : home, usage, slots };
  }

  /** Records an audit event of a user's web request; `undefined` fields are dropped. */
  record(
    user: string,
    address: string,
    event: LooseAuditEvent,
  ): void {
    const clean = Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined));
    this.#environment.audit.record({
      ...clean as Omit<AuditEvent, "event">,
      event: event.event,
      user,
      address,
      via: "web",
    });
  }

  /**
   * Runs `request` for `user` from `address`, as a ferry session would.
   *
   * @throws {FerryError} What the command failed with (recorded in the audit log).
   */
  async run(
    user: WebUser,
    address: string,
    request: Request,
    options: WebCommandOptions = {},
  ): Promise<CommandOutcome> {
    const environment = this.#environment;
    const started = performance.now();
    const progress: RequestContext["progress"] = { bytes: 0 };
    const outcome: CommandOutcome = { replies: [], pages: [] };
    const signal = options.signal ?? new AbortController().signal;
    const { account } = user;
    try {
      if (environment.shuttingDown) {
        throw new FerryError(
          "busy",
          "Cannot start request: the server is shutting down, retry later",
        );
      }
      const command = permittedCommand(account, request);
      const context: RequestContext = {
        id: 1,
        account,
        storage: user.storage,
        usage: user.usage,
        maxFileSizeBytes: environment.config.maxFileSizeBytes,
        log: environment.log,
        signal,
        progress,
        reply: (value) => {
          outcome.replies.push(value);
          options.onReply?.(value);
          return Promise.resolve();
        },
        send: (message) => {
          const decoded = decodeMessage(message);
          if (decoded.type === MessageType.PAGE) {
            outcome.pages.push(...(decodeJsonBody(decoded) as unknown[]));
          }
          return Promise.resolve();
        },
        incoming: () => options.incoming ?? new MessageQueue(),
        // Uploads take the user's transfer slots; a listing does not wait behind uploads a
        // browser left (each holds its slot until UPLOAD_IDLE_MS), and an upload waits a while only.
        transferSlot: () =>
          request.op === "put"
            ? acquireWithin(user.slots, signal)
            : Promise.resolve({ [Symbol.dispose]: () => {} }),
      };
      const detail = await command.handler(request, context);
      this.record(account.name, address, {
        event: request.op as AuditEvent["event"],
        path: requestPath(request),
        durationMs: Math.round(performance.now() - started),
        ...detail,
      });
      return outcome;
    } catch (error) {
      this.#recordFailure(account.name, address, request, error, progress.bytes, started);
      throw error;
    }
  }

  #recordFailure(
    user: string,
    address: string,
    request: Request,
    error: unknown,
    bytes: number,
    started: number,
  ): void {
    const code = isFerryError(error) ? error.code : "internal";
    const reason = error instanceof Error ? error.message : String(error);
    const path = requestPath(request);
    if (code === "denied") {
      this.record(user, address, { event: "denied", path, code, reason });
    } else if (request.op === "put" && (bytes > 0 || code === "cancelled")) {
      const durationMs = Math.round(performance.now() - started);
      this.record(user, address, {
        event: "transfer.aborted",
        path,
        bytes,
        durationMs,
        code,
        reason,
      });
    } else {
      this.record(user, address, { event: "error", path, code, reason });
    }
    if (!isFerryError(error)) {
      this.#environment.log.error(`Web request of "${user}" failed: ${reason}`);
    }
  }
}
