/**
 * The programmatic ferry client: one connection, many requests in flight.
 *
 * @module
 */

import { decodeJsonBody, type Message } from "../protocol/codec.ts";
import {
  parseHelpReply,
  parsePage,
  parseStatReply,
  parseUsageReply,
  type StatReply,
} from "../protocol/replies.ts";
import type { Entry } from "../core/entry.ts";
import { MessageType } from "../protocol/message_type.ts";
import type { Request } from "../protocol/requests.ts";
import { fromWireError } from "../protocol/wire_error.ts";
import type { ByteInput } from "../core/byte_source.ts";
import { ClientConnection, type ConnectOptions } from "./client_connection.ts";
import type { Skipped } from "./conflict_policy.ts";
import type { RateLimiter } from "./rate_limit.ts";
import { download, type TransferLink, upload } from "./transfer_requests.ts";
import type {
  DownloadOptions,
  FolderUsageReport,
  TransferResult,
  UploadOptions,
} from "./transfer_options.ts";

export type { ConnectOptions } from "./client_connection.ts";
export type {
  DownloadOptions,
  FolderUsageReport,
  TransferResult,
  UploadOptions,
} from "./transfer_options.ts";

/**
 * A logged-in connection to a ferry server.
 *
 * @example
 * ```ts ignore
 * const client = await FerryClient.connect({ hostname: "127.0.0.1", port: 7878, user: "alice",
 *   password: "secret", verifyServerKey: async () => {} });
 * console.log(await client.list(""));
 * await client.close();
 * ```
 */
export class FerryClient {
  #connection: ClientConnection;
  #limiter: RateLimiter | undefined;

  private constructor(connection: ClientConnection) {
    this.#connection = connection;
  }

  /** The server's static key, as accepted. */
  get serverKey(): Uint8Array {
    return this.#connection.serverKey;
  }

  /**
   * Connects, checks the server key, and logs in.
   *
   * @throws {FerryError} `network`, `host_key_*`, `auth_failed`, `protocol`.
   */
  static async connect(options: ConnectOptions): Promise<FerryClient> {
    return new FerryClient(await ClientConnection.connect(options));
  }

  /** Whether the server names an optional behaviour in its hello (`put-sha256`, `usage`). */
  hasFeature(name: string): boolean {
    return this.#connection.serverFeatures.has(name);
  }

  /**
   * Limits the bytes this client moves on the wire, all transfers together
   * (`-l`); `undefined` lifts the limit.
   */
  limitRate(limiter: RateLimiter | undefined): void {
    this.#limiter = limiter;
  }

  /**
   * What the user's folder holds and the quota (server feature `usage`).
   *
   * @throws {FerryError} `bad_request` from a server without it.
   */
  async usage(): Promise<FolderUsageReport> {
    return parseUsageReply(await this.#simple({ op: "usage" }));
  }

  #simple(request: Request): Promise<unknown> {
    return this.#connection.request(request);
  }

  /** Lists the server's commands. */
  async help(): Promise<{ name: string; summary: string }[]> {
    return parseHelpReply(await this.#simple({ op: "help" }));
  }

  /** Describes a remote path. */
  async stat(path: string): Promise<Entry> {
    return parseStatReply(await this.#simple({ op: "stat", path })).entry;
  }

  /** Describes a remote path, with the SHA-256 when it is a file (the server reads it). */
  async statWithHash(path: string): Promise<StatReply> {
    return parseStatReply(await this.#simple({ op: "stat", path, hash: true }));
  }

  /**
   * Tells the server that a download did not match the SHA-256 it recorded
   * (`report-corrupt`): it writes an audit event and forgets the hash.
   * Best effort: a server without the request answers `bad_request`.
   */
  async reportCorrupt(path: string, sha256: string, received: string): Promise<void> {
    await this.#simple({ op: "report-corrupt", path, sha256, received });
  }

  /**
   * Streams a remote folder's entries, page by page; with `hash`, each file
   * with its `sha256` (the server hashes the files its index lacks).
   */
  async *listPages(path: string, hash = false): AsyncGenerator<Entry[]> {
    const { id, queue } = this.#connection.start({ op: "list", path, ...(hash ? { hash } : {}) });
    try {
      for (;;) {
        const message: Message = await queue.next();
        if (message.type === MessageType.PAGE) {
          yield parsePage(decodeJsonBody(message));
          continue;
        }
        if (message.type === MessageType.ERROR) throw fromWireError(decodeJsonBody(message));
        return;
      }
    } finally {
      this.#connection.finish(id);
    }
  }

  /** Lists a remote folder, sorted by name; with `hash`, files carry their `sha256`. */
  async list(path: string, hash = false): Promise<Entry[]> {
    const entries: Entry[] = [];
    for await (const page of this.listPages(path, hash)) entries.push(...page);
    return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  /** Removes a remote file. */
  async remove(path: string): Promise<void> {
    await this.#simple({ op: "delete", path });
  }

  /** Makes a remote folder. */
  async mkdir(path: string): Promise<void> {
    await this.#simple({ op: "mkdir", path });
  }

  /** Removes a remote folder. */
  async rmdir(path: string, recursive = false): Promise<void> {
    await this.#simple({ op: "rmdir", path, recursive });
  }

  /** Moves a remote file or folder. */
  async rename(from: string, to: string, force = false): Promise<void> {
    await this.#simple({ op: "rename", from, to, force });
  }

  /**
   * Downloads a file, handing each chunk to `write` (awaited: backpressure),
   * and verifies the SHA-256 of the whole file at the end.
   *
   * @throws {FerryError} `integrity` (a `ServerCopyChanged`) when a whole file does not
   *   match the SHA-256 the server recorded at upload (reported to the server).
   * @throws {FerryError} `integrity` when the hash or size does not match;
   *   whatever was written must then be discarded.
   */
  download(
    path: string,
    write: (chunk: Uint8Array) => Promise<void>,
    options: DownloadOptions = {},
  ): Promise<TransferResult> {
    return download(this.#link(), path, write, options);
  }

  /**
   * Uploads a file. `source` must yield the whole file from byte 0: when
   * the server resumes a partial upload, the bytes before its offset are
   * hashed but not sent, and `END` carries the whole file's SHA-256 for the
   * server to check. Otherwise the client hashes only with `verify` (the
   * server hashes what it receives, and replies with its hash).
   *
   * @param source The file's bytes: an open file as a `ByteSource` (no Web
   *   Streams on the way), or a stream (a BYOB-capable byte stream saves a copy).
   * @param path The remote path.
   * @param options Size and policy.
   * @returns What was sent; with `sha256`, possibly that nothing needed to be.
   */
  upload(source: ByteInput, path: string, options: UploadOptions): Promise<TransferResult>;
  upload(
    source: ByteInput,
    path: string,
    options: UploadOptions & { sha256: string },
  ): Promise<TransferResult | Skipped>;
  upload(
    source: ByteInput,
    path: string,
    options: UploadOptions,
  ): Promise<TransferResult | Skipped> {
    return upload(this.#link(), source, path, options);
  }

  #link(): TransferLink {
    return { connection: this.#connection, limiter: this.#limiter };
  }

  /** Settles with why the session ended, when the server ended it (see `ClientConnection.ended`). */
  get ended(): Promise<unknown> {
    return this.#connection.ended;
  }

  /**
   * Ends the requests in flight with `reason` (Ctrl-C in the shell); the
   * session stays open. Settles once the server has ended them too.
   */
  interrupt(reason: unknown): Promise<void> {
    return this.#connection.interrupt(reason);
  }

  /** Says `BYE` and closes the connection. */
  close(): Promise<void> {
    return this.#connection.close();
  }
}
