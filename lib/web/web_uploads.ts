/**
 * Browser uploads in chunks, each with its offset, through the server's own
 * `put` command: the upload starts a `put` whose bytes come from the chunks
 * as they arrive; the server hashes them as it receives them and ends the
 * `put` with that SHA-256, so the file is verified and appears only when
 * complete. An upload the browser leaves (a closed tab, a lost network)
 * stays open for {@linkcode UPLOAD_IDLE_MS}, then ends keeping its partial
 * file, as a ferry client's interrupted `put` does; starting the same upload
 * again (same user, path and size) continues from the server's offset.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { FerryError } from "../core/errors.ts";
import type { Message } from "../protocol/codec.ts";
import { MAX_DATA_BYTES } from "../protocol/send_data.ts";
import { MessageQueue } from "../protocol/message_queue.ts";
import { MessageType } from "../protocol/message_type.ts";
import type { Request } from "../protocol/requests.ts";
import { normalizeRemotePath } from "../core/remote_path.ts";
import type { Entry } from "../core/entry.ts";
import type { WebUser, WebUsers } from "./web_commands.ts";

/** An upload the browser sent nothing for this long ends, keeping its partial: 2 minutes. */
export const UPLOAD_IDLE_MS = 120 * 1000;

/** The largest chunk one request may carry: 16 MiB. */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

/** Hash states of ended uploads kept for a resume (the oldest are forgotten). */
const MAX_KEPT_HASHES = 1000;

/** What to do when the name is taken. */
export type OverwritePolicy = "refuse" | "replace" | "keep-both";

/** How an upload starts. */
export interface UploadStart {
  /** The remote path. */
  path: string;
  /** The file's size. */
  size: number;
  /** What to do when the name is taken. */
  policy: OverwritePolicy;
  /** The file's modification time (ms since the epoch). */
  mtime?: number;
}

/** A finished upload, as the page shows it. */
export interface UploadDone {
  /** The committed entry. */
  entry: Entry;
  /** Where it went (another name with keep-both). */
  path: string;
  /** The SHA-256 the server computed as it received the bytes. */
  sha256: string;
}

const encoder = new TextEncoder();

/** One upload in progress. */
class WebUpload {
  readonly id = crypto.randomUUID();
  readonly key: string;
  readonly user: string;
  readonly size: number;
  /** Bytes received (hashed and handed to the `put`). */
  offset = 0;
  hash: Hash = createHash("sha256");
  queue = new MessageQueue(4);
  abort = new AbortController();
  /** Set once the `put` answered with where to start. */
  started = Promise.withResolvers<number>();
  /** The `put`'s end. */
  finished: Promise<UploadDone>;
  busy = false;
  /** The body being read now, and the end of its chunk. */
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  chunkDone: Promise<void> = Promise.resolve();
  ended = false;
  /** Set when it was told to end (its `put` may still be finishing). */
  closing = false;
  timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    key: string,
    user: string,
    size: number,
    run: (upload: WebUpload) => Promise<UploadDone>,
  ) {
    this.key = key;
    this.user = user;
    this.size = size;
    this.finished = run(this);
    this.finished.catch((error) => this.started.reject(error)).finally(() => {
      this.ended = true;
      // Nothing takes chunks any more: a chunk waiting for room must not wait forever.
      this.queue.cancel(new FerryError("cancelled", "The upload has ended"));
    });
  }
}

/** The uploads of a web front end. */
export class WebUploads {
  #users: WebUsers;
  #uploads = new Map<string, WebUpload>();
  #byKey = new Map<string, WebUpload>();
  #keptHashes = new Map<string, { hash: Hash; length: number }>();

  /** @param users Runs the `put` commands. */
  constructor(users: WebUsers) {
    this.#users = users;
  }

  /**
   * Starts an upload, or finds the one in progress for the same path and
   * size, and says where the bytes must start.
   *
   * @throws {FerryError} What the `put` refused with (`exists`, `denied`, `quota`, ...).
   */
  async start(
    user: WebUser,
    address: string,
    start: UploadStart,
  ): Promise<{ id: string; offset: number }> {
    const path = normalizeRemotePath(start.path);
    const key = `${user.account.name}\0${path}\0${start.size}`;
    const running = this.#byKey.get(key);
    if (running && !running.ended && running.busy) {
      // The browser starts again while a chunk still arrives: its old
      // connection is dead (a network change); what it brought is kept.
      await running.reader?.cancel().catch(() => {});
      await running.chunkDone;
    }
    if (running?.closing) await running.finished.catch(() => {});
    if (running && !running.ended && !running.closing) {
      this.#touch(running);
      return { id: running.id, offset: running.offset };
    }
    let offset = await this.#open(user, address, start, path, key, true);
    if (offset < 0) offset = await this.#open(user, address, start, path, key, false);
    return { id: this.#byKey.get(key)?.id as string, offset };
  }

  /** Opens the `put`; -1 when it resumed a partial whose hash this server no longer has. */
  async #open(
    user: WebUser,
    address: string,
    start: UploadStart,
    path: string,
    key: string,
    resume: boolean,
  ): Promise<number> {
    const request: Request = {
      op: "put",
      path,
      size: start.size,
      force: start.policy === "replace",
      resume,
      rename: start.policy === "keep-both",
      ...(start.mtime === undefined ? {} : { mtime: start.mtime }),
    };
    const upload = new WebUpload(key, user.account.name, start.size, async (upload) => {
      const outcome = await this.#users.run(user, address, request, {
        signal: upload.abort.signal,
        incoming: upload.queue,
        onReply: (value) => {
          const reply = value as { offset?: number };
          if (typeof reply.offset === "number") upload.started.resolve(reply.offset);
        },
      });
      return outcome.replies.at(-1) as UploadDone;
    });
    upload.finished.catch(() => {}).finally(() => this.#forget(upload));
    const offset = await upload.started.promise;
    if (offset > 0) {
      const kept = this.#keptHashes.get(key);
      if (kept === undefined || kept.length !== offset) {
        // A partial from before a restart: this server cannot vouch for its bytes.
        this.#end(upload);
        await upload.finished.catch(() => {});
        return -1;
      }
      upload.hash = kept.hash.copy();
      upload.offset = offset;
    }
    this.#keptHashes.delete(key);
    this.#uploads.set(upload.id, upload);
    this.#byKey.set(key, upload);
    this.#touch(upload);
    return offset;
  }

  /** The upload `id` of `user`, if it runs. */
  #find(user: string, id: string): WebUpload {
    const upload = this.#uploads.get(id);
    if (!upload || upload.user !== user || upload.ended || upload.closing) {
      throw new FerryError("not_found", "Cannot continue the upload: it has ended, start it again");
    }
    return upload;
  }

  /** Where upload `id` of `user` stands. */
  status(user: string, id: string): { offset: number; size: number } {
    const upload = this.#find(user, id);
    return { offset: upload.offset, size: upload.size };
  }

  /**
   * Takes one chunk of upload `id`, which must start at the upload's offset.
   * The last chunk commits the file.
   *
   * @returns The new offset, and the committed file after the last chunk.
   * @throws {FerryError} `bad_request` for a chunk at the wrong offset or past
   *   the size, or the `put`'s failure.
   */
  async chunk(
    user: string,
    id: string,
    offset: number,
    body: ReadableStream<Uint8Array>,
  ): Promise<{ offset: number; done?: UploadDone }> {
    const upload = this.#find(user, id);
    if (upload.busy) throw new FerryError("busy", "Cannot take the chunk: another one is arriving");
    if (offset !== upload.offset) {
      await body.cancel().catch(() => {});
      throw new FerryError(
        "bad_request",
        `Cannot take a chunk at byte ${offset}: the upload stands at byte ${upload.offset}`,
      );
    }
    upload.busy = true;
    const chunkEnd = Promise.withResolvers<void>();
    upload.chunkDone = chunkEnd.promise;
    clearTimeout(upload.timer);
    const reader = upload.reader = body.getReader();
    try {
      for (;;) {
        const { value: bytes, done } = await reader.read();
        if (done) break;
        for (let at = 0; at < bytes.byteLength; at += MAX_DATA_BYTES) {
          const piece = bytes.subarray(at, at + MAX_DATA_BYTES);
          if (upload.offset + piece.byteLength > upload.size) {
            throw new FerryError(
              "bad_request",
              `Cannot take more than the ${upload.size} bytes announced`,
            );
          }
          upload.hash.update(piece);
          upload.offset += piece.byteLength;
          const message: Message = { type: MessageType.DATA, id: 1, body: piece };
          await upload.queue.push(message);
        }
      }
      if (upload.ended) await upload.finished; // the put failed: say why
      if (upload.offset < upload.size) return { offset: upload.offset };
      const sha256 = upload.hash.digest("hex");
      const end = encoder.encode(JSON.stringify({ size: upload.size, sha256 }));
      await upload.queue.push({ type: MessageType.END, id: 1, body: end });
      const done = await upload.finished;
      return { offset: upload.offset, done };
    } finally {
      reader.releaseLock();
      upload.reader = undefined;
      upload.busy = false;
      chunkEnd.resolve();
      if (!upload.ended) this.#touch(upload);
    }
  }

  /** Gives up upload `id` now (the page's cancel), keeping its partial for a resume. */
  cancel(user: string, id: string): void {
    this.#end(this.#find(user, id));
  }

  /** Ends every upload (shutdown), keeping their partials. */
  async close(): Promise<void> {
    const all = [...this.#uploads.values()];
    for (const upload of all) this.#end(upload);
    await Promise.allSettled(all.map((upload) => upload.finished));
  }

  #touch(upload: WebUpload): void {
    clearTimeout(upload.timer);
    upload.timer = setTimeout(() => this.#end(upload), UPLOAD_IDLE_MS);
  }

  /** Ends the `put` after what it was given: it keeps the partial; the hash is kept for a resume. */
  #end(upload: WebUpload): void {
    clearTimeout(upload.timer);
    if (upload.ended || upload.closing) return;
    upload.closing = true;
    if (upload.offset > 0 && upload.offset < upload.size) {
      this.#keptHashes.delete(upload.key);
      this.#keptHashes.set(upload.key, { hash: upload.hash.copy(), length: upload.offset });
      if (this.#keptHashes.size > MAX_KEPT_HASHES) {
        this.#keptHashes.delete(this.#keptHashes.keys().next().value as string);
      }
    }
    upload.queue.close();
  }

  #forget(upload: WebUpload): void {
    clearTimeout(upload.timer);
    this.#uploads.delete(upload.id);
    if (this.#byKey.get(upload.key) === upload) this.#byKey.delete(upload.key);
  }
}
