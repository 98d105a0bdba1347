/**
 * The programmatic ferry client: one connection, many requests in flight.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { FerryError } from "../core/errors.ts";
import { ChunkCompressor } from "../protocol/chunk_compression.ts";
import { decodeJsonBody, type Message } from "../protocol/codec.ts";
import { receiveData } from "../protocol/receive_data.ts";
import {
  parseDownloadInvitation,
  parseHelpReply,
  parsePage,
  parseStatReply,
  parseUploadDone,
  parseUploadInvitation,
  parseUsageReply,
  type StatReply,
} from "../protocol/replies.ts";
import { MAX_DATA_BYTES, sendData } from "../protocol/send_data.ts";
import type { Entry } from "../core/entry.ts";
import { MessageType } from "../protocol/message_type.ts";
import type { Request } from "../protocol/requests.ts";
import { fromWireError } from "../protocol/wire_error.ts";
import { corruptVerifyHook, ServerCopyChanged } from "./transfer_checks.ts";
import { type ByteInput, cancelUnread } from "../core/byte_source.ts";
import { ClientConnection, type ConnectOptions } from "./client_connection.ts";
import type { Skipped } from "./conflict_policy.ts";
import type { RateLimiter } from "./rate_limit.ts";
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

  /** Streams a remote folder's entries, page by page. */
  async *listPages(path: string): AsyncGenerator<Entry[]> {
    const { id, queue } = this.#connection.start({ op: "list", path });
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

  /** Lists a remote folder, sorted by name. */
  async list(path: string): Promise<Entry[]> {
    const entries: Entry[] = [];
    for await (const page of this.listPages(path)) entries.push(...page);
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
   * @throws {ServerCopyChanged} (`integrity`) when a whole file does not
   *   match the SHA-256 the server recorded at upload (reported to the server).
   * @throws {FerryError} `integrity` when the hash or size does not match;
   *   whatever was written must then be discarded.
   */
  async download(
    path: string,
    write: (chunk: Uint8Array) => Promise<void>,
    options: DownloadOptions = {},
  ): Promise<TransferResult> {
    const offset = options.offset ?? 0;
    const hash = options.hash ?? createHash("sha256");
    const { id, queue } = this.#connection.start({
      op: "get",
      path,
      offset,
      ...(options.compress ? { compress: true } : {}),
    });
    let changed: ServerCopyChanged | undefined;
    try {
      const { entry } = parseDownloadInvitation(await this.#connection.expectReply(id));
      const limiter = this.#limiter;
      const { end, wireBytes } = await receiveData(queue, {
        offset,
        write: (bytes) => {
          hash.update(bytes);
          return write(bytes);
        },
        ...(limiter ? { onWire: (bytes: number) => limiter.take(bytes) } : {}),
        onProgress: (done) => options.onProgress?.(done, entry.size),
        code: "protocol",
        what: `the download of "${path}"`,
      });
      if (end.sha256 === undefined) {
        throw new FerryError("protocol", `Cannot accept "${path}": END carries no SHA-256`);
      }
      const sha256 = hash.digest("hex");
      if (end.sha256 !== sha256) {
        // From 0, a recorded hash is the file's at upload: the server's copy changed since.
        if (end.recorded && offset === 0) changed = new ServerCopyChanged(path, end.sha256, sha256);
        throw changed ?? new FerryError(
          "integrity",
          `Cannot accept "${path}": SHA-256 or size differs from what the server sent`,
        );
      }
      return { entry: { ...entry, size: end.size }, path, sha256, offset, wireBytes };
    } catch (error) {
      this.#connection.cancel(id);
      throw error;
    } finally {
      this.#connection.finish(id);
      if (changed) {
        await this.reportCorrupt(path, changed.recorded, changed.received).catch(() => {});
      }
    }
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
  async upload(
    source: ByteInput,
    path: string,
    options: UploadOptions,
  ): Promise<TransferResult | Skipped> {
    const sha256 = this.hasFeature("put-sha256") ? options.sha256 : undefined;
    // A small file goes right behind its request when the server allows it:
    // one round trip instead of two (nothing to resume in one message anyway).
    // Not when the file may well be there already (`sha256`): no bytes for nothing.
    const eager = options.size <= MAX_DATA_BYTES && sha256 === undefined &&
      this.#connection.serverFeatures.has("eager-put");
    const { id } = this.#connection.start({
      op: "put",
      path,
      size: options.size,
      force: options.force ?? false,
      resume: (options.resume ?? false) && !eager,
      ...(eager ? { eager: true } : {}),
      ...(options.rename ? { rename: true } : {}),
      ...(options.compress ? { compress: true } : {}),
      ...(options.mtime === undefined ? {} : { mtime: Math.max(0, Math.round(options.mtime)) }),
      ...(sha256 === undefined ? {} : { sha256 }),
    });
    try {
      let offset = 0;
      try {
        if (!eager) {
          const reply = parseUploadInvitation(await this.#connection.expectReply(id));
          if (reply.skipped === "identical") {
            await cancelUnread(source).catch(() => {});
            const { entry, sha256 } = reply;
            return { skipped: "identical", path: reply.path ?? path, sha256, size: entry.size };
          }
          offset = reply.offset;
        }
      } catch (error) {
        await cancelUnread(source).catch(() => {});
        throw error;
      }
      const stop = new AbortController();
      const limiter = this.#limiter;
      const send = limiter
        ? async (message: Uint8Array): Promise<void> => {
          // send() takes the bytes at once (the caller reuses the buffer); the
          // next message waits for this promise, so paying after is enough.
          const sending = this.#connection.send(message);
          await limiter.take(message.byteLength);
          await sending;
        }
        : (message: Uint8Array): Promise<void> => this.#connection.send(message);
      const verify = options.verify ?? false;
      const alter = verify ? corruptVerifyHook() : undefined;
      const sent = sendData(send, id, source, {
        offset,
        hash: offset > 0 || verify,
        ...(alter ? { alterSha256: alter } : {}),
        ...(options.beforeEnd ? { beforeEnd: options.beforeEnd } : {}),
        signal: stop.signal,
        onProgress: (done) => options.onProgress?.(done, options.size),
        ...(options.compress ? { compressor: new ChunkCompressor() } : {}),
      });
      const replied = this.#connection.expectReply(id);
      replied.catch((error) => stop.abort(error));
      try {
        const [end, reply] = await Promise.all([sent, replied]);
        const done = parseUploadDone(reply);
        if (verify && (alter?.(end.sha256 as string) ?? end.sha256) !== done.sha256) {
          throw new FerryError(
            "integrity",
            `Cannot verify "${path}": the server's SHA-256 differs from the client's (--verify)`,
          );
        }
        return {
          entry: done.entry,
          path: done.path ?? path,
          sha256: done.sha256,
          offset,
          wireBytes: end.wireBytes,
        };
      } catch (error) {
        this.#connection.cancel(id);
        await Promise.allSettled([sent, replied]);
        throw error;
      }
    } finally {
      this.#connection.finish(id);
    }
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
