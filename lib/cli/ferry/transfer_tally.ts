/**
 * How a transfer is counted and summed up: what each file became (sent,
 * skipped as identical, failed), the bytes that actually went (a resumed
 * file's earlier bytes are counted apart, never as sent), and the lines a
 * person reads at the end.
 *
 * @module
 */

import type { Job, Outcome } from "../../client/batch.ts";
import type { Skipped } from "../../client/conflict_policy.ts";
import type { TransferResult } from "../../client/ferry_client.ts";
import { type JsonError, jsonError, type TransferSummary } from "./command_report.ts";
import { formatBytes, formatDuration, formatRate, printable } from "./format.ts";

/**
 * One file of a `get` or `put`, as `--json` reports it. `path` is always
 * the server's path and `local` the local one, in both directions; for the
 * destination side they say where the file landed.
 */
export interface FileResult {
  /** What became of it. */
  status: "transferred" | "skipped" | "failed";
  /** The path on the server (no leading `/`). */
  path: string;
  /** The local path. */
  local: string;
  /** Its size (the stored size: an encrypted file's ciphertext). */
  size?: number;
  /** The SHA-256 of the whole file, verified. */
  sha256?: string;
  /** Where this transfer started: bytes already there from an interrupted run. */
  offset?: number;
  /** File bytes that went this time (`size - offset`). */
  sent?: number;
  /** Bytes that crossed the wire for them (less with `-z`). */
  wireBytes?: number;
  /** The destination existed: kept both, under this new name (`--rename`). */
  renamed?: true;
  /** A resume was refused at the end (the file had changed) and it went again from byte 0. */
  restarted?: true;
  /** Encrypted on upload or decrypted on download. */
  encrypted?: true;
  /** Skipped: why (`identical`: the destination has the same SHA-256). */
  reason?: "identical";
  /** Failed: why. */
  error?: JsonError;
}

function isSkipped(outcome: Outcome): outcome is Skipped {
  return "skipped" in outcome;
}

/** A remote path as a person reads it: from the root of their home. */
export function shownRemote(path: string): string {
  return `/${printable(path.replace(/^\/+/, ""))}`;
}

/** Counts the files of one transfer. */
export class TransferTally {
  /** Every file's result, in the order they ended. */
  readonly results: FileResult[] = [];
  #op: "put" | "get";
  #started = performance.now();
  #count = { transferred: 0, skipped: 0, failed: 0, restarted: 0, resumed: 0 };
  #bytesSent = 0;
  #bytesResumed = 0;

  /** @param op `put` or `get`. */
  constructor(op: "put" | "get") {
    this.#op = op;
  }

  /** Records a file that ended; returns its result. */
  done(job: Job, outcome: Outcome): FileResult {
    const result = isSkipped(outcome) ? this.#skipped(job, outcome) : this.#sent(job, outcome);
    this.results.push(result);
    return result;
  }

  /** Records a file that failed; returns its result. */
  failed(job: Job, error: unknown): FileResult {
    this.#count.failed++;
    const result: FileResult = {
      status: "failed",
      path: job.remote,
      local: job.local,
      error: jsonError(error),
    };
    this.results.push(result);
    return result;
  }

  /** The totals so far. */
  summary(): TransferSummary {
    const { transferred, skipped, failed } = this.#count;
    return {
      transferred,
      skipped,
      failed,
      bytesSent: this.#bytesSent,
      bytesResumed: this.#bytesResumed,
      seconds: Math.round(performance.now() - this.#started) / 1000,
    };
  }

  /**
   * The closing line: for one file, what went where; for several, how many
   * were transferred (bytes sent and the rate over them), skipped and
   * failed, and the resumed bytes apart. Empty when there is nothing to say
   * (a single file that failed: its error said it).
   */
  closing(files: number): string {
    const seconds = (performance.now() - this.#started) / 1000;
    const sent = `${formatBytes(this.#bytesSent)} in ${formatDuration(seconds)} ` +
      `(${formatRate(seconds > 0 ? this.#bytesSent / seconds : 0)}), SHA-256 verified`;
    const only = this.results[0];
    if (files === 1 && this.results.length === 1 && only !== undefined) {
      if (only.status === "failed") return "";
      if (only.status === "skipped") {
        return `Skipped "${this.#source(only)}": identical file already there ` +
          `(${this.#destination(only)})`;
      }
      return `${this.#verb()} ${this.fileLine(only)}: ${sent}${this.#resumeNote(only)}`;
    }
    const { transferred, skipped, failed, restarted } = this.#count;
    const parts = [
      `${this.#verb()} ${transferred} of ${files} ${files === 1 ? "file" : "files"}: ${sent}`,
      skipped > 0 ? `${skipped} skipped (identical)` : "",
      failed > 0 ? `${failed} failed` : "",
      this.#bytesResumed > 0 ? `${formatBytes(this.#bytesResumed)} resumed, not sent again` : "",
      restarted > 0 ? `${restarted} restarted from 0 (changed since the interruption)` : "",
    ];
    return parts.filter(Boolean).join("; ");
  }

  /** `"SOURCE" to "DESTINATION"` of a file, with the keep-both note. */
  fileLine(result: FileResult): string {
    const kept = result.renamed ? " (a new name: the original exists)" : "";
    return `"${this.#source(result)}" to "${this.#destination(result)}"${kept}`;
  }

  /** A line for one file, for `-v` (or for a surprise: a new name, a restart). */
  verboseLine(result: FileResult): string {
    if (result.status === "skipped") return `Skipped "${this.#source(result)}": identical`;
    const size = result.size === undefined ? "" : ` (${formatBytes(result.size)})`;
    return `${this.#verb()} ${this.fileLine(result)}${size}${this.#resumeNote(result)}`;
  }

  #resumeNote(result: FileResult): string {
    if (result.restarted) {
      return "; restarted from 0: the file changed since the interrupted transfer";
    }
    const offset = result.offset ?? 0;
    return offset > 0 ? `; resumed at ${formatBytes(offset)} (already there, not sent again)` : "";
  }

  #verb(): string {
    return this.#op === "put" ? "Uploaded" : "Downloaded";
  }

  #source(result: FileResult): string {
    return this.#op === "put" ? printable(result.local) : shownRemote(result.path);
  }

  #destination(result: FileResult): string {
    return this.#op === "put" ? shownRemote(result.path) : printable(result.local);
  }

  #skipped(job: Job, outcome: Skipped): FileResult {
    this.#count.skipped++;
    return {
      status: "skipped",
      path: job.remote,
      local: job.local,
      size: outcome.size,
      sha256: outcome.sha256,
      reason: outcome.skipped,
    };
  }

  #sent(job: Job, outcome: TransferResult): FileResult {
    this.#count.transferred++;
    const size = outcome.entry.size;
    const sent = size - outcome.offset;
    this.#bytesSent += sent;
    this.#bytesResumed += outcome.offset;
    if (outcome.restarted) this.#count.restarted++;
    const landed = outcome.path;
    const wanted = this.#op === "put" ? job.remote : job.local;
    return {
      status: "transferred",
      path: this.#op === "put" ? landed : job.remote,
      local: this.#op === "put" ? job.local : landed,
      size,
      sha256: outcome.sha256,
      offset: outcome.offset,
      sent,
      wireBytes: outcome.wireBytes,
      ...(landed !== wanted ? { renamed: true as const } : {}),
      ...(outcome.restarted ? { restarted: true as const } : {}),
      ...(outcome.encrypted ? { encrypted: true as const } : {}),
    };
  }
}
