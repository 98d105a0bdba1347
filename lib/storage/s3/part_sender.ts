/**
 * The parts of one multipart upload on their way to the store, a few at a
 * time: {@linkcode PartSender.send} starts an UploadPart and returns as soon
 * as there is room for another, so the next part fills while the store
 * works. Whatever order the parts finish in, the upload record (`state/`)
 * and its saved hash state only ever cover parts that completed, in order
 * from the first: a crash or a failed part leaves a record that a resume can
 * trust, and the parts after a failure are never claimed.
 *
 * @module
 */

import type { S3Context } from "./s3_context.ts";
import { createMultipartUpload, uploadPart } from "./s3_multipart.ts";
import { writeUploadRecord } from "./upload_state.ts";
import type { UploadRecord } from "./upload_state.ts";

/** Sends the parts of one upload, at most `window` at once. */
export class PartSender {
  #ctx: S3Context;
  #record: UploadRecord;
  #window: number;
  #headers: () => Promise<{ key: string; headers: Record<string, string> }>;
  // Each entry settles when its part is stored and recorded (or failed), in part order.
  #pending: Promise<void>[] = [];
  #recorded: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;
  #next: number;

  /**
   * @param ctx The storage's context.
   * @param record The upload's record: parts are added to it as they complete, in order.
   * @param window The most parts on their way at once (and so part buffers in use), at least 1.
   * @param start The key and headers of the multipart upload, asked for when the first part goes.
   */
  constructor(
    ctx: S3Context,
    record: UploadRecord,
    window: number,
    start: () => Promise<{ key: string; headers: Record<string, string> }>,
  ) {
    this.#ctx = ctx;
    this.#record = record;
    this.#window = Math.max(1, window);
    this.#headers = start;
    this.#next = record.parts.length + 1;
  }

  /**
   * Starts sending `body` as the next part (starting the multipart upload
   * first) and returns once fewer than `window` parts are on their way, so
   * that one part buffer is free to fill.
   * `body` must stay untouched until `release` is called.
   *
   * @param body The part's bytes.
   * @param hash The saved hash state after this part.
   * @param release Called once the store answered for the part: `body` is free again.
   * @throws When an earlier part failed (the same error), or the multipart upload cannot start.
   */
  async send(body: Uint8Array, hash: string, release: () => void): Promise<void> {
    this.#throwIfFailed();
    const record = this.#record;
    if (record.uploadId === undefined) {
      const { key, headers } = await this.#headers();
      record.key = key;
      record.uploadId = await createMultipartUpload(this.#ctx.client, key, headers);
      // Recorded before any part goes: a crash or a failed first part leaves
      // an upload that a later one finds and aborts (or resumes), not a leak.
      await writeUploadRecord(this.#ctx, record);
    }
    const number = this.#next++;
    const { key, uploadId } = record;
    const stored = uploadPart(
      this.#ctx.client,
      key,
      uploadId,
      number,
      body,
      this.#ctx.config.signParts,
    ).finally(release);
    // Recorded in order: a part's record waits for every earlier one, and a
    // failure anywhere stops every later record.
    const recorded = this.#recorded.then(async () => {
      const etag = await stored;
      record.parts.push({ number, size: body.byteLength, etag });
      record.hash = hash;
      delete record.tail;
      await writeUploadRecord(this.#ctx, record);
    });
    stored.catch(() => {}); // handled through `recorded`
    this.#recorded = recorded;
    const entry = recorded.catch((error) => {
      this.#failure ??= { error };
    });
    this.#pending.push(entry);
    while (this.#pending.length >= this.#window) await this.#pending.shift();
    this.#throwIfFailed();
  }

  /**
   * Waits until every part sent is stored and recorded.
   *
   * @throws The first failure, when a part (or its record) failed.
   */
  async settle(): Promise<void> {
    while (this.#pending.length > 0) await this.#pending.shift();
    this.#throwIfFailed();
  }

  /** Whether a part failed: the record then ends before it. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure.error;
  }
}
