/**
 * The {@linkcode UploadSink} of {@linkcode S3Storage}: bytes are hashed as
 * they arrive and gathered into a part buffer; each full part goes out as
 * an UploadPart of a multipart upload while the next one fills
 * ({@linkcode PartSender}, `partBuffers` at once), and the record in
 * `state/` is updated with each part that completed, in order, and the
 * saved hash state after it. Commit verifies the size and the SHA-256,
 * then CompleteMultipartUpload makes the object appear whole (a file of at
 * most one part is sent with a single PUT instead).
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { baseName } from "../../core/remote_path.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type { Entry, UploadOptions } from "../storage.ts";
import { UploadShell } from "../upload_shell.ts";
import type { Lease } from "./lease_locks.ts";
import type { S3Context } from "./s3_context.ts";
import { s3Error } from "./s3_errors.ts";
import { PartSender } from "./part_sender.ts";
import { fileMtime } from "./s3_tree.ts";
import type { SavableSha256 } from "./sha256_state.ts";
import type { UploadStart } from "./upload_resume.ts";
import { multipartKey, placeUpload, writeObject } from "./upload_target.ts";
import { discardUpload, heldBytes, writeUploadRecord } from "./upload_state.ts";
import type { UploadRecord } from "./upload_state.ts";

/** What {@linkcode S3Upload} needs. */
export interface S3UploadInit {
  /** The storage's context. */
  ctx: S3Context;
  /** The remote path being written. */
  path: RemotePath;
  /** The options the client gave. */
  options: UploadOptions;
  /** The write lease on `path`; the upload owns it from now on. */
  lease: Lease;
  /** Where it starts, from {@linkcode prepareUpload}. */
  start: UploadStart;
}

/**
 * An upload into a bucket. It owns its lease and releases it exactly once:
 * when {@linkcode S3Upload.commit} ends (success or failure) or at
 * {@linkcode S3Upload.abort}. Calls are serialised ({@linkcode UploadShell});
 * at most `partBuffers` part buffers are held, and a `write` that completes
 * a part waits until a buffer is free (the oldest part sent is stored).
 */
export class S3Upload extends UploadShell {
  #ctx: S3Context;
  #lease: Lease;
  #record: UploadRecord;
  #hasher: SavableSha256;
  #parts: PartSender;
  #buffer: Uint8Array | undefined;
  #spare: Uint8Array[] = [];
  #filled = 0;
  // Bytes handed to the part sender (stored or on their way), offset included.
  #taken: number;
  #offset: number;
  #kept = 0;

  /** @param init The context, path, options, lease and starting point. */
  constructor(init: S3UploadInit) {
    super(init.path, init.options);
    this.#ctx = init.ctx;
    this.#lease = init.lease;
    this.#record = init.start.record;
    this.#hasher = init.start.hasher;
    this.#taken = this.#record.parts.reduce((sum, part) => sum + part.size, 0);
    this.#parts = new PartSender(
      this.#ctx,
      this.#record,
      this.#ctx.config.partBuffers,
      async () => ({
        key: await multipartKey(this.#ctx, this.path, this.options),
        headers: this.#metadata(undefined),
      }),
    );
    if (init.start.tail !== undefined) {
      this.#ensureBuffer().set(init.start.tail);
      this.#filled = init.start.tail.byteLength;
    }
    this.#offset = this.#taken + this.#filled;
  }

  /** Where the sender must start: 0, or the bytes already held. */
  get offset(): number {
    return this.#offset;
  }

  /** The bytes kept in the bucket for a resume once the upload ended (its recorded parts and tail). */
  get keptBytes(): number {
    return this.#kept;
  }

  /** Keeps what was received for a resume (parts, tail) and releases the lease. */
  protected async keep(): Promise<void> {
    try {
      await this.#parts.settle();
      if (this.state === "open") await this.#saveForResume(this.#hasher.save());
    } catch {
      // Best effort: the parts already recorded still resume.
    } finally {
      await this.#finish();
    }
  }

  /** The bytes sent in parts and buffered, offset included. */
  protected received(): number {
    return this.#taken + this.#filled;
  }

  /**
   * Appends bytes; when they complete a part, starts sending it and returns
   * once a part buffer is free for the next bytes.
   */
  protected async store(chunk: Uint8Array, action: string): Promise<void> {
    const { size } = this.options;
    let at = 0;
    while (at < chunk.byteLength) {
      const buffer = this.#ensureBuffer();
      const piece = chunk.subarray(at, at + buffer.byteLength - this.#filled);
      this.#hasher.update(piece);
      buffer.set(piece, this.#filled);
      this.#filled += piece.byteLength;
      at += piece.byteLength;
      // A full buffer that ends the file stays for the commit (one PUT for small files).
      if (this.#filled === buffer.byteLength && this.#taken + this.#filled < size) {
        try {
          await this.#sendPart(this.#hasher.save());
        } catch (error) {
          this.state = "broken";
          throw s3Error(error, action);
        }
      }
    }
  }

  /**
   * Verifies the size and SHA-256 and makes the object appear, whole. On a
   * size mismatch the data is kept for a resume, on a hash mismatch it is
   * discarded; verified data that cannot be placed is kept; `busy` when the
   * write lease was lost.
   */
  protected async place(
    action: string,
    expected: string | undefined,
  ): Promise<{ entry: Entry; sha256: string }> {
    try {
      if (this.state === "broken") {
        throw new FerryError("internal", `${action}: an earlier write failed`);
      }
      try {
        await this.#parts.settle();
      } catch (error) {
        this.state = "broken";
        throw error;
      }
      const { size } = this.options;
      const received = this.#taken + this.#filled;
      const saved = this.#hasher.save();
      if (received !== size) {
        await this.#saveForResume(saved);
        throw new FerryError("integrity", `${action}: received ${received} of ${size} bytes`);
      }
      const sha256 = this.#hasher.digestHex();
      if (this.differs(sha256, expected)) {
        this.#record.parts = [];
        delete this.#record.tail;
        await discardUpload(this.#ctx, this.#record);
        throw this.mismatch(action);
      }
      await this.#lease.confirm(action);
      let key: string;
      try {
        key = await placeUpload(this.#ctx, this.path, this.options, this.#record, action);
      } catch (error) {
        await this.#saveForResume(saved).catch(() => {});
        throw error;
      }
      const metadata = this.#metadata(sha256);
      const last = this.#bytes();
      if (!(await writeObject(this.#ctx, this.#record, key, last, metadata, this.options))) {
        await this.#saveForResume(saved).catch(() => {});
        throw new FerryError("exists", `${action}: a file with that name exists`);
      }
      const { state, tail } = this.#ctx.keys.upload(this.path);
      this.#record.parts = [];
      delete this.#record.tail;
      await this.#ctx.client.deleteMany([state, tail]).catch(() => {});
      const head = await this.#ctx.client.head(key);
      if (head === undefined) throw new FerryError("not_found", `${action}: it vanished at once`);
      const name = baseName(this.#ctx.keys.pathOf(key));
      return { entry: { name, kind: "file", size: head.size, mtime: fileMtime(head) }, sha256 };
    } catch (error) {
      throw s3Error(error, action);
    } finally {
      await this.#finish();
    }
  }

  /**
   * Hands the full buffer to the part sender as the next part; `hash` is
   * the saved hash state after it. The buffer returns to the spares once the
   * store answered for it.
   */
  async #sendPart(hash: string): Promise<void> {
    const body = this.#bytes();
    const whole = this.#buffer as Uint8Array;
    this.#buffer = undefined;
    this.#taken += body.byteLength;
    this.#filled = 0;
    await this.#parts.send(body, hash, () => {
      if (this.state !== "finished") this.#spare.push(whole);
    });
  }

  /** Records the parts and saves the buffered bytes as the tail. */
  async #saveForResume(hash: string): Promise<void> {
    const record = this.#record;
    if (this.#filled > 0) {
      const bytes = this.#bytes();
      const key = this.#ctx.keys.upload(this.path).tail;
      const etag = await this.#ctx.client.put(key, bytes);
      if (etag !== undefined) record.tail = { size: bytes.byteLength, etag, hash };
    }
    if (record.uploadId !== undefined || record.tail !== undefined) {
      await writeUploadRecord(this.#ctx, record);
    }
  }

  #metadata(sha256: string | undefined): Record<string, string> {
    const { mtime } = this.options;
    return {
      "content-type": "application/octet-stream",
      ...(mtime === undefined ? {} : { "x-amz-meta-mtime": String(Math.round(mtime)) }),
      ...(sha256 === undefined ? {} : { "x-amz-meta-sha256": sha256 }),
    };
  }

  /**
   * The part buffer, sized for the next part: a spare one when there is
   * one, else a new one (at most `partBuffers` per upload, as the part
   * sender returns only once one is free).
   */
  #ensureBuffer(): Uint8Array {
    const capacity = Math.min(this.#record.partSize, this.options.size - this.#taken);
    if (this.#buffer === undefined) {
      const spare = this.#spare.pop();
      this.#buffer = spare !== undefined && spare.byteLength >= capacity
        ? spare
        : new Uint8Array(capacity);
    }
    if (this.#buffer.byteLength > capacity) this.#buffer = this.#buffer.subarray(0, capacity);
    return this.#buffer;
  }

  #bytes(): Uint8Array {
    return this.#buffer?.subarray(0, this.#filled) ?? new Uint8Array(0);
  }

  async #finish(): Promise<void> {
    this.state = "finished";
    this.#kept = this.#record.uploadId !== undefined || this.#record.tail !== undefined
      ? heldBytes(this.#record)
      : 0;
    this.#buffer = undefined;
    this.#spare = [];
    await this.#lease.release();
  }
}
