/**
 * Runs the requests of one session: checks the user's permissions (as the
 * users file says now), builds each request's context, routes the client's
 * `DATA`/`END`/`CANCEL` to the request they belong to, and records one
 * audit event per request, refusals and aborts included.
 *
 * @module
 */

import { FerryError, isFerryError } from "../errors.ts";
import { decodeJsonBody, encodeJsonMessage, type Message } from "../protocol/codec.ts";
import { MessageQueue } from "../protocol/message_queue.ts";
import { MessageType } from "../protocol/message_type.ts";
import { parseRequest, type Request } from "../protocol/requests.ts";
import { toWireError } from "../protocol/wire_error.ts";
import type { Storage } from "../storage/storage.ts";
import type { AuditEvent } from "./audit_log.ts";
import { type Account, accountOf } from "./authenticate.ts";
import { COMMANDS } from "./commands/command_table.ts";
import type { FolderUsage } from "./folder_usage.ts";
import type { RequestContext } from "./request_context.ts";
import type { SessionEnvironment } from "./session_environment.ts";

type LooseEvent = { [K in keyof AuditEvent]?: AuditEvent[K] | undefined } & {
  event: AuditEvent["event"];
};

interface InFlight {
  abort: AbortController;
  incoming?: MessageQueue;
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
}

function pathOf(request: Request): string | undefined {
  if ("path" in request) return request.path;
  if ("from" in request) return request.from;
  return undefined;
}

/** The requests of one session. */
export class RequestDispatcher {
  #init: DispatcherInit;
  #inFlight = new Map<number, InFlight>();
  #running = new Set<Promise<void>>();

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
   */
  start(message: Message): boolean {
    const { id } = message;
    const { environment } = this.#init;
    let request: Request;
    try {
      request = parseRequest(decodeJsonBody(message));
    } catch (error) {
      void this.#fail(id, error);
      return false;
    }
    const busy = this.#inFlight.has(id)
      ? `request id ${id} is in use`
      : this.#inFlight.size >= environment.config.maxRequestsInFlight
      ? "too many requests in flight"
      : environment.shuttingDown && request.op !== "bye"
      ? "the server is shutting down, retry later"
      : undefined;
    if (busy) {
      this.#record({ event: "busy", path: pathOf(request), code: "busy", reason: busy });
      void this.#fail(id, new FerryError("busy", `Cannot start request: ${busy}`));
      return false;
    }
    const state: InFlight = { abort: new AbortController() };
    // An eager put's DATA and END follow its request at once: queue them from now.
    if (request.op === "put" && request.eager) state.incoming = new MessageQueue();
    this.#inFlight.set(id, state);
    const task = this.#run(id, request, state).finally(() => {
      state.incoming?.close();
      this.#inFlight.delete(id);
      this.#running.delete(task);
      if (this.#inFlight.size === 0) this.#init.onIdle();
    });
    this.#running.add(task);
    return request.op === "bye";
  }

  /** Routes a client's `DATA`/`DATA_DEFLATE`/`END` to its request (backpressure). */
  async route(message: Message): Promise<void> {
    await this.#inFlight.get(message.id)?.incoming?.push(message);
  }

  /** Cancels request `id` (a client's `CANCEL`). */
  cancel(id: number): void {
    this.#inFlight.get(id)?.abort.abort(new FerryError("cancelled", "Cancelled by the client"));
  }

  /** Waits for the requests in flight to finish by themselves (after `BYE`). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#running);
  }

  /** Ends every request (the client went away) and waits for them. */
  async close(reason: string): Promise<void> {
    for (const request of this.#inFlight.values()) {
      request.abort.abort(new FerryError("cancelled", reason));
      request.incoming?.close();
    }
    await Promise.allSettled(this.#running);
  }

  async #run(id: number, request: Request, state: InFlight): Promise<void> {
    const { environment, send } = this.#init;
    const started = performance.now();
    const progress: RequestContext["progress"] = { bytes: 0 };
    try {
      const record = await environment.users.get(this.#init.account.name);
      if (!record) {
        throw new FerryError("denied", `User "${this.#init.account.name}" no longer exists`);
      }
      const account = accountOf(this.#init.account.name, record);
      const command = COMMANDS[request.op];
      if (command.requires !== null && !account.permissions.has(command.requires)) {
        throw new FerryError(
          "denied",
          `Cannot ${request.op} "${
            pathOf(request) ?? ""
          }": user "${account.name}" lacks the "${command.requires}" permission`,
        );
      }
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
        incoming: () => state.incoming ??= new MessageQueue(),
      };
      const detail = await command.handler(request, context);
      if (request.op !== "help" && request.op !== "bye") {
        this.#record({
          event: request.op,
          path: pathOf(request),
          durationMs: Math.round(performance.now() - started),
          ...detail,
        });
      }
    } catch (error) {
      this.#recordFailure(request, error, progress, performance.now() - started);
      await this.#fail(id, error);
    }
  }

  #recordFailure(request: Request, error: unknown, progress: { bytes: number }, ms: number): void {
    const code = isFerryError(error) ? error.code : "internal";
    if (isProbeAnswer(request, code)) return;
    const reason = error instanceof Error ? error.message : String(error);
    const path = pathOf(request);
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
