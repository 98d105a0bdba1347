/**
 * Flushing a file being appended to while it is written, so that the sync
 * that makes it durable at the end has little left to do.
 *
 * @module
 */

/**
 * Bytes appended between two early syncs. A commit's `fdatasync` of a
 * 1 GiB file took 370–420 ms here, after 0.8 s of writing it: in the
 * client's wait for the reply. Syncing every 32 MiB while the bytes come,
 * one sync at a time on Deno's thread pool, left 27 ms at the end (writes
 * took 880 ms instead of 830: the flushes share the disk with them). Every
 * 8 MiB was faster again in the benchmark (put 1 GiB +10–13 %, with less
 * ferryd CPU: less dirty data for the kernel to hold; docs/PERFORMANCE.md);
 * every 4 MiB gained nothing more.
 */
export const EARLY_SYNC_BYTES = 8 * 1024 * 1024;

/**
 * Starts an `fdatasync` of a file every {@linkcode EARLY_SYNC_BYTES}
 * appended, never two at once, without waiting for it: the file's data goes
 * to the disk while more arrives, as the kernel would do much later on its
 * own. Writes go on meanwhile (the sync runs on Deno's thread pool).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EarlySync } from "./early_sync.ts";
 * const path = await Deno.makeTempFile();
 * using file = await Deno.open(path, { write: true });
 * const early = new EarlySync(file, 4);
 * file.writeSync(new Uint8Array(5));
 * early.appended(5); // a sync starts
 * assert.equal(early.started, 1);
 * await early.settle(); // it ended (its error, if any, is thrown here)
 * await file.syncData(); // the final sync has nothing or little left
 * await Deno.remove(path);
 * ```
 */
export class EarlySync {
  #file: Deno.FsFile;
  #everyBytes: number;
  #sinceSync = 0;
  #running: Promise<void> | undefined;
  #failure: unknown;
  #started = 0;

  /**
   * @param file The open file being appended to.
   * @param everyBytes Bytes appended between two syncs. @default {EARLY_SYNC_BYTES}
   */
  constructor(file: Deno.FsFile, everyBytes: number = EARLY_SYNC_BYTES) {
    this.#file = file;
    this.#everyBytes = everyBytes;
  }

  /** Syncs started so far. */
  get started(): number {
    return this.#started;
  }

  /** Counts bytes just written to the file; starts a sync when enough came and none runs. */
  appended(bytes: number): void {
    this.#sinceSync += bytes;
    if (this.#sinceSync < this.#everyBytes || this.#running || this.#failure !== undefined) return;
    this.#sinceSync = 0;
    this.#started++;
    this.#running = this.#file.syncData().then(
      () => {
        this.#running = undefined;
      },
      (error) => {
        this.#running = undefined;
        this.#failure = error;
      },
    );
  }

  /**
   * Waits for the sync under way, if any (before the final sync, or before
   * the file is closed).
   *
   * @throws {Error} The error of an early sync that failed: the file's data
   *   may not be on the disk.
   */
  async settle(): Promise<void> {
    await this.#running;
    if (this.#failure !== undefined) throw this.#failure;
  }
}
