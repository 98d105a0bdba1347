/**
 * Runs many file transfers over one connection with a bounded number in
 * flight, so 1,000 small files cost no round trip each: while one waits for
 * the server, the others send.
 *
 * @module
 */

import type { Skipped } from "./conflict_policy.ts";
import type { TransferResult } from "./ferry_client.ts";

/** One file to copy. */
export interface Job {
  /** The local path. */
  local: string;
  /** The remote path. */
  remote: string;
  /** Its size when known up front (for overall progress). */
  size: number;
  /** Downloads: the server marked the remote file as encrypted. */
  encrypted?: boolean;
}

/** What became of one job. */
export type Outcome = TransferResult | Skipped;

/** Progress callbacks of a batch. */
export interface BatchEvents {
  /** A job started. */
  onStart?(job: Job): void;
  /** A job moved `done` of `total` bytes. */
  onProgress?(job: Job, done: number, total: number): void;
  /** A job finished. */
  onDone?(job: Job, outcome: Outcome): void;
  /** A job failed. */
  onError?(job: Job, error: unknown): void;
}

/** Options of {@linkcode runBatch}. */
export interface BatchOptions {
  /** Jobs in flight at once. @default {16} */
  concurrency?: number;
  /** Start no new job after the first failure. @default {false} */
  stopOnError?: boolean;
  /** Start no new job once this is aborted (Ctrl-C). */
  signal?: AbortSignal;
  /** Progress callbacks. */
  events?: BatchEvents;
}

/** The result of a batch. */
export interface BatchResult {
  /** Finished jobs, in completion order. */
  outcomes: { job: Job; outcome: Outcome }[];
  /** Failed jobs. */
  failures: { job: Job; error: unknown }[];
}

/**
 * Runs `transfer` for every job, at most `concurrency` at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runBatch } from "./batch.ts";
 * const jobs = ["a.txt", "b.txt", "c.txt"].map((name) => ({ local: name, remote: name, size: 1 }));
 * // In the client the transfer is uploadFile(client, job.local, job.remote, { onProgress }).
 * const result = await runBatch(jobs, (job, onProgress) => {
 *   onProgress(1, 1);
 *   return Promise.resolve({ skipped: "identical", path: job.remote, sha256: "", size: 1 });
 * }, { concurrency: 2 });
 * assert.equal(result.outcomes.length, 3);
 * assert.deepEqual(result.failures, []);
 * ```
 */
export async function runBatch(
  jobs: readonly Job[],
  transfer: (job: Job, onProgress: (done: number, total: number) => void) => Promise<Outcome>,
  options: BatchOptions = {},
): Promise<BatchResult> {
  const result: BatchResult = { outcomes: [], failures: [] };
  const events = options.events ?? {};
  let next = 0;
  async function worker(): Promise<void> {
    while (next < jobs.length) {
      if (options.stopOnError && result.failures.length > 0) return;
      if (options.signal?.aborted) return;
      const job = jobs[next++] as Job;
      events.onStart?.(job);
      try {
        const outcome = await transfer(job, (done, total) => events.onProgress?.(job, done, total));
        result.outcomes.push({ job, outcome });
        events.onDone?.(job, outcome);
      } catch (error) {
        result.failures.push({ job, error });
        events.onError?.(job, error);
      }
    }
  }
  const workers = Math.max(1, Math.min(options.concurrency ?? 16, jobs.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return result;
}
