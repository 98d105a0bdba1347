/**
 * Runs the requests of one session: checks the user's permissions (as the
 * users file says now), builds each request's context, routes the client's
 * `DATA`/`END`/`CANCEL` to the request they belong to, and records one
 * audit event per request, refusals and aborts included.
 *
 * @module
 */

import { FerryError, isFerryError } from "../core/errors.ts";
import { decodeJsonBody, encodeJsonMessage, type Message } from "../protocol/codec.ts";
import { MessageQueue } from "../protocol/message_queue.ts";
import { MessageType } from "../protocol/message_type.ts";
import { parseRequest, type Request, requestPath } from "../protocol/requests.ts";
import { toWireError } from "../protocol/wire_error.ts";
import type { Storage } from "../storage/storage.ts";
import type { AuditEvent } from "./audit_log.ts";
import { type Account, accountOf } from "./authenticate.ts";
import { permittedCommand } from "./commands/command_table.ts";
import type { FolderUsage } from "./folder_usage.ts";
import type { RequestContext } from "./request_context.ts";
import type { SessionEnvironment } from "./session_environment.ts";
import { TRANSFERS_PER_SESSION, TransferSlots } from "./transfer_slots.ts";

type LooseEvent = { [K in keyof AuditEvent]?: AuditEvent[K] | undefined } & {
  event: AuditEvent["event"];
};

interface InFlight {
  abort: AbortController;
  incoming?: MessageQueue;
  /** Set by `CANCEL`: what the client sends for this id from now on is dropped. */
  cancelled?: boolean;
}

/** Where a dispatcher's requests go and come from. */
export interface DispatcherInit {
  /** Shared server state. */
  environment: SessionEnvironment;
  /** The user as logged in. */
  account: Account;
  /** The user's storage. */
  storage: Storage;
  /** The user's folder usage (quota). */
  usage: FolderUsage | undefined;
  /** The client's address (for the audit log). */
  address: string;
  /** Sends one message to the client. */
  send(message: Uint8Array): Promise<void>;
  /** Called whenever the last request in flight ends. */
  onIdle(): void;
  /**
   * Called when a request fails with `protocol` (the client broke the
   * protocol inside it, such as a decompression bomb): the session ends.
   */
  onProtocolError(error: FerryError): void;
}

/**
 * Bytes of client messages queued for a session's requests (all together)
 * beyond which the session stops reading the client until they are taken.
 * Every queue's consumer moves on without the client, so this cannot
 * deadlock a client that reads its answers.
 */
export const MAX_QUEUED_BYTES = 1024 * 1024;

/** Client messages one request's queue holds before the session waits to push more. */
export const REQUEST_QUEUE_MESSAGES = 2;

/** The requests of one session. */
export class RequestDispatcher {
  #init: DispatcherInit;
  #inFlight = new Map<number, InFlight>();
  #running = new Set<Promise<void>>();
  #slots = new TransferSlots(TRANSFERS_PER_SESSION);
  #queuedBytes = 0;
  #wakeRoute: (() => void) | undefined;

  /** @param init The session's state. */
  constructor(init: DispatcherInit) {
    this.#init = init;
  }

  /** Requests in flight now. */
  get size(): number {
    return this.#inFlight.size;
  }

  /**
   * Starts a `REQUEST` message.
   *
   * @returns Whether it was `BYE`.
   * @throws {FerryError} `protocol` when `id` is the id of a request in
   *   flight: an `ERROR` under that id would read as the live request's end,
   *   so the session must end instead.
   */
  start(message: Message): boolean {
    const { id } = message;
    const { environment } = this.#init;
    if (this.#inFlight.has(id)) {
      throw new FerryError("protocol", `Cannot start request id ${id}: it is in flight`);
    }
    let request: Request;
    try {
      if (id === 0) {
        throw new FerryError("bad_request", "Cannot start request id 0: it is the login's");
      }
      request = parseRequest(decodeJsonBody(message, "bad_request"));
    } catch (error) {
      void this.#fail(id, error);
      return false;
    }
    const busy = this.#inFlight.size >= environment.config.maxRequestsInFlight
      ? "too many requests in flight"
      : environment.shuttingDown && request.op !== "bye"
      ? "the server is shutting down, retry later"
      : undefined;
    if (busy) {
      this.#record({ event: "busy", path: requestPath(request), code: "busy", reason: busy });
      void this.#fail(id, new FerryError("busy", `Cannot start request: ${busy}`));
      return false;
    }
    const state: InFlight = { abort: new AbortController() };
    // An eager put's DATA and END follow its request at once: queue them from now.
    if (request.op === "put" && request.eager) state.incoming = this.#openQueue(state);
    this.#inFlight.set(id, state);
    const task = this.#run(id, request, state).then(async (failure) => {
      // The id is free before its ERROR goes out: the client may reuse it at once.
      this.#end(id, state);
      if (failure === undefined) return;
      // A broken protocol is the session's end, said under id 0 by the session.
      if (isFerryError(failure, "protocol")) this.#init.onProtocolError(failure);
      else await this.#fail(id, failure);
    }).finally(() => this.#running.delete(task));
    this.#running.add(task);
    return request.op === "bye";
  }

  /**
   * Routes a client's `DATA`/`DATA_DEFLATE`/`END` to its request (backpressure).
   * Dropped when the id is not in flight, was cancelled, or did not ask for them.
   */
  async route(message: Message): Promise<void> {
    while (this.#queuedBytes >= MAX_QUEUED_BYTES) {
      await new Promise<void>((resolve) => this.#wakeRoute = resolve);
    }
    const state = this.#inFlight.get(message.id);
    const queue = state?.cancelled ? undefined : state?.incoming;
    if (!queue || queue.closed) return;
    this.#queuedBytes += message.body.byteLength;
    await queue.push(message);
  }

  /**
   * A request's queue of client messages, counted in the session's budget;
   * ended when cancelled. Two messages: with protocol 2's 256 KiB records
   * that is as much data as four were with 64 KiB ones, and uploads go as
   * fast as with four (docs/PERFORMANCE.md).
   */
  #openQueue(state: InFlight): MessageQueue {
    const queue = new MessageQueue(REQUEST_QUEUE_MESSAGES, (message) => {
      this.#queuedBytes -= message.body.byteLength;
      if (this.#queuedBytes < MAX_QUEUED_BYTES) this.#wakeRoute?.();
    });
    if (state.cancelled) queue.cancel(state.abort.signal.reason);
    return queue;
  }

  /**
   * Cancels request `id` (a client's `CANCEL`): its signal is aborted and
   * what it had queued or gets later is dropped, so a cancelled upload ends
   * at once (answered `ERROR cancelled`) and never commits. A `CANCEL` for
   * an id not in flight is dropped.
   */
  cancel(id: number): void {
    const state = this.#inFlight.get(id);
    if (!state || state.cancelled) return;
    state.cancelled = true;
    const error = new FerryError("cancelled", "Cancelled by the client");
    state.abort.abort(error);
    state.incoming?.cancel(error);
  }

  /** Waits for the requests in flight to finish by themselves (after `BYE`). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#running);
  }

  /**
   * Ends every request (the client went away) and waits for them. An upload
   * whose `END` had arrived still commits: the queues are closed, not
   * cancelled.
   */
  async close(reason: string): Promise<void> {
    for (const request of this.#inFlight.values()) {
      request.abort.abort(new FerryError("cancelled", reason));
      request.incoming?.close();
    }
    await Promise.allSettled(this.#running);
  }

  #end(id: number, state: InFlight): void {
    // Nothing takes what is left now: drop it (and give its bytes back).
    state.incoming?.cancel(new FerryError("cancelled", `Request ${id} has ended`));
    if (this.#inFlight.get(id) === state) this.#inFlight.delete(id);
    if (this.#inFlight.size === 0) this.#init.onIdle();
  }

  /** Runs one request to its end; returns what it failed with (recorded), if it did. */
  async #run(id: number, request: Request, state: InFlight): Promise<unknown> {
    const { environment, send } = this.#init;
    const started = performance.now();
    const progress: RequestContext["progress"] = { bytes: 0 };
    try {
      const record = await environment.users.get(this.#init.account.name);
      if (!record) {
        throw new FerryError("denied", `User "${this.#init.account.name}" no longer exists`);
      }
      const account = accountOf(this.#init.account.name, record);
      const command = permittedCommand(account, request);
      const context: RequestContext = {
        id,
        account,
        storage: this.#init.storage,
        usage: this.#init.usage,
        maxFileSizeBytes: environment.config.maxFileSizeBytes,
        log: environment.log,
        signal: state.abort.signal,
        progress,
        reply: (value) => send(encodeJsonMessage(MessageType.REPLY, id, value)),
        send,
        incoming: () => state.incoming ??= this.#openQueue(state),
        transferSlot: () => this.#slots.acquire(state.abort.signal),
      };
      const detail = await command.handler(request, context);
      if (request.op !== "help" && request.op !== "bye") {
        this.#record({
          event: request.op,
          path: requestPath(request),
          durationMs: Math.round(performance.now() - started),
          ...detail,
        });
      }
    } catch (error) {
      this.#recordFailure(request, error, progress, performance.now() - started);
      return error;
    }
    return undefined;
  }

  #recordFailure(request: Request, error: unknown, progress: { bytes: number }, ms: number): void {
    const code = isFerryError(error) ? error.code : "internal";
    if (isProbeAnswer(request, code)) return;
    const reason = error instanceof Error ? error.message : String(error);
    const path = requestPath(request);
    if (code === "denied") {
      this.#record({ event: "denied", path, code, reason });
    } else if (
      (request.op === "get" || request.op === "put") && (progress.bytes > 0 || code === "cancelled")
    ) {
      this.#record({
        event: "transfer.aborted",
        path,
        bytes: progress.bytes,
        durationMs: Math.round(ms),
        code,
        reason,
      });
    } else {
      this.#record({ event: "error", path, code, reason });
    }
    if (!isFerryError(error)) {
      this.#init.environment.log.error(`Request of "${this.#init.account.name}" failed: ${reason}`);
    }
  }

  /** Records an event for this session's user; fields left `undefined` are dropped. */
  #record(event: LooseEvent): void {
    const clean = Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined));
    this.#init.environment.audit.record({
      ...clean as Omit<AuditEvent, "event">,
      event: event.event,
      user: this.#init.account.name,
      address: this.#init.address,
    });
  }

  #fail(id: number, error: unknown): Promise<void> {
    return this.#init.send(encodeJsonMessage(MessageType.ERROR, id, toWireError(error))).catch(
      () => {},
    );
  }
}

/**
 * Whether a refusal is the answer to a client's question rather than a
 * failure, changing nothing: the `stat` of a name not there yet (before an
 * upload), the `exists` of a put that is not forced (the client then
 * compares hashes and skips an identical file, or reports the conflict
 * itself), the `exists` of a folder a tree upload makes again on a re-run.
 * The audit log does not record these as errors.
 */
function isProbeAnswer(request: Request, code: string): boolean {
  return (request.op === "stat" && code === "not_found") ||
    (request.op === "put" && !request.force && code === "exists") ||
    (request.op === "mkdir" && code === "exists");
}
