/**
 * What the user sees during a transfer of one or many files: on a terminal
 * a line for the current file and an overall line (files done/total, bytes,
 * rate, ETA, `stalled` after 5 s), then one closing summary (see
 * {@linkcode TransferTally}). A line per file only with `-v`, or when a file
 * got a new name or went again from 0; errors always. With `--json`,
 * nothing on stderr but errors: the results go to the command's report.
 *
 * @module
 */

import type { BatchEvents, Job, Outcome } from "../../client/batch.ts";
import { MAX_DATA_BYTES } from "../../protocol/send_data.ts";
import type { CommandReport } from "./command_report.ts";
import { formatBytes, formatDuration, formatRate, printable } from "./format.ts";
import { writeStderr } from "../shared/prompt.ts";
import { TransferTally } from "./transfer_tally.ts";

const REDRAW_MS = 250;

/** Seconds without progress before the overall line says `stalled` (as scp does). */
export const STALL_SECONDS = 5;

/** How much the last second weighs in the shown rate (scp's moving average keeps 0.9). */
const RATE_WEIGHT = 0.1;

/** Options of {@linkcode TransferDisplay}. */
export interface TransferDisplayOptions {
  /** `put` or `get`. */
  op: "put" | "get";
  /** Files in the batch. */
  files: number;
  /** Bytes in the batch. */
  bytes: number;
  /** Draw progress lines (stderr is a terminal, not quiet, not JSON). */
  live: boolean;
  /** No output but errors. */
  quiet: boolean;
  /** A line per file (`-v`). */
  verbose: boolean;
  /** `--json`: where the results go. */
  report?: CommandReport | undefined;
  /** Aborted by Ctrl-C: the files it stops are not errors, and no summary is printed. */
  signal?: AbortSignal | undefined;
}

/** Usable width: the terminal's, less one column (80 when it does not say). */
function width(): number {
  let columns = 0;
  try {
    columns = Deno.consoleSize().columns;
  } catch {
    // not a terminal
  }
  return (columns >= 20 ? columns : 80) - 1;
}

function fit(text: string, room: number): string {
  return text.length <= room ? text : "…" + text.slice(text.length - room + 1);
}

/** Renders a batch; implements the batch's events. */
export class TransferDisplay implements BatchEvents {
  #options: TransferDisplayOptions;
  #tally: TransferTally;
  #started = performance.now();
  #done = new Map<Job, number>();
  /** Bytes of the files in the bar: done, resumed or skipped. */
  #bytesDone = 0;
  /** Bytes that moved this run, for the rate. */
  #bytesMoved = 0;
  #filesDone = 0;
  #current: { job: Job; done: number; total: number } | undefined;
  #lastDraw = 0;
  #lastProgress = performance.now();
  #rate = { at: performance.now(), moved: 0, value: -1 };
  #drawnLines = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param options What is transferred and how to show it. */
  constructor(options: TransferDisplayOptions) {
    this.#options = options;
    this.#tally = new TransferTally(options.op);
    if (options.live) this.#timer = setInterval(() => this.#draw(), 1000);
  }

  /** A file started. */
  onStart(job: Job): void {
    this.#done.set(job, 0);
  }

  /** A file progressed. */
  onProgress(job: Job, done: number, total: number): void {
    const before = this.#done.get(job);
    this.#done.set(job, done);
    this.#bytesDone += done - (before ?? 0);
    // The first report of a resumed file jumps to its offset: at most one
    // chunk of it moved now.
    this.#bytesMoved += before === 0 ? Math.min(done, MAX_DATA_BYTES) : done - (before ?? 0);
    this.#current = { job, done, total };
    this.#lastProgress = performance.now();
    if (performance.now() - this.#lastDraw >= REDRAW_MS) this.#draw();
  }

  /** A file finished or was skipped. */
  onDone(job: Job, outcome: Outcome): void {
    this.#filesDone++;
    const counted = this.#done.get(job) ?? 0;
    this.#done.delete(job);
    const result = this.#tally.done(job, outcome);
    this.#bytesDone += (result.size ?? 0) - counted;
    const surprise = result.renamed || result.restarted;
    if (this.#options.files > 1 && (this.#options.verbose || surprise)) {
      this.#line(this.#tally.verboseLine(result));
    }
  }

  /** A file failed. */
  onError(job: Job, error: unknown): void {
    this.#filesDone++;
    this.#done.delete(job);
    this.#tally.failed(job, error);
    if (this.#options.signal?.aborted) return;
    const message = error instanceof Error ? error.message : String(error);
    this.#clear();
    writeStderr(`ferry: ${message}\n`);
    this.#draw();
  }

  /** Notes something left out (a symbolic link). */
  note(text: string): void {
    this.#line(text);
  }

  /** Stops drawing, prints the summary, and hands the results to the report. */
  finish(): void {
    clearInterval(this.#timer);
    this.#clear();
    const report = this.#options.report;
    if (report) {
      report.results.push(...this.#tally.results);
      report.summary = this.#tally.summary();
    }
    if (this.#options.quiet || report || this.#filesDone === 0) return;
    if (this.#options.signal?.aborted) return;
    const closing = this.#tally.closing(this.#options.files);
    if (closing) writeStderr(closing + "\n");
  }

  #name(job: Job): string {
    return this.#options.op === "put" ? job.local : job.remote;
  }

  #line(text: string): void {
    if (this.#options.quiet || this.#options.report) return;
    this.#clear();
    writeStderr(text + "\n");
    this.#draw();
  }

  #clear(): void {
    if (this.#drawnLines === 0) return;
    writeStderr("\r\u001b[K" + "\u001b[1A\r\u001b[K".repeat(this.#drawnLines - 1));
    this.#drawnLines = 0;
  }

  /** The rate of the last seconds, smoothed (bytes that moved, not resumed ones). */
  #currentRate(now: number): number {
    const seconds = (now - this.#rate.at) / 1000;
    if (seconds >= 1 || this.#rate.value < 0) {
      const recent = seconds > 0 ? (this.#bytesMoved - this.#rate.moved) / seconds : 0;
      this.#rate.value = this.#rate.value < 0
        ? recent
        : this.#rate.value * (1 - RATE_WEIGHT) + recent * RATE_WEIGHT;
      if (seconds >= 1) this.#rate = { at: now, moved: this.#bytesMoved, value: this.#rate.value };
    }
    return this.#rate.value;
  }

  #draw(): void {
    if (!this.#options.live) return;
    const now = performance.now();
    this.#lastDraw = now;
    const room = width();
    const elapsed = (now - this.#started) / 1000;
    const rate = elapsed >= 1
      ? this.#currentRate(now)
      : this.#bytesMoved / Math.max(elapsed, 0.001);
    const stalled = (now - this.#lastProgress) / 1000 >= STALL_SECONDS;
    const left = this.#options.bytes - this.#bytesDone;
    const eta = stalled
      ? "- stalled -"
      : `${formatDuration(rate > 0 ? left / rate : Infinity)} ETA`;
    const current = this.#current;
    const percent = current && current.total > 0
      ? Math.floor((current.done / current.total) * 100)
      : 100;
    const stats = `${formatBytes(this.#bytesDone)} of ${formatBytes(this.#options.bytes)}  ` +
      `${formatRate(rate)}  ${eta}`;
    this.#clear();
    if (this.#options.files === 1) {
      const name = current ? printable(this.#name(current.job)) : "";
      const tail = `  ${String(percent).padStart(3)}%  ${stats}`;
      writeStderr(fit(name, Math.max(8, room - tail.length)) + tail);
      this.#drawnLines = 1;
      return;
    }
    const file = current
      ? `${printable(this.#name(current.job))}  ${percent}%  ${formatBytes(current.done)}`
      : "";
    const overall = `[${this.#filesDone}/${this.#options.files} files] ${stats}`;
    writeStderr(`${fit(file, room)}\n${overall.slice(0, room)}`);
    this.#drawnLines = 2;
  }
}
