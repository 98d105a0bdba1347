/**
 * What the user sees during a transfer of one or many files: on a terminal
 * a line for the current file and an overall line (files done/total, bytes,
 * rate, ETA, `stalled` after 5 s); a line per skipped or failed file; a
 * summary at the end; with `--json`, one JSON line per file on stdout.
 *
 * @module
 */

import type { BatchEvents, Job, Outcome } from "../client/batch.ts";
import { formatBytes, formatDuration, printable } from "./format.ts";
import { writeStderr } from "./prompt.ts";

const REDRAW_MS = 250;

/** Seconds without progress before the overall line says `stalled` (as scp does). */
export const STALL_SECONDS = 5;
const encoder = new TextEncoder();

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
  /** One JSON line per file on stdout. */
  json: boolean;
}

function isSkipped(outcome: Outcome): outcome is Extract<Outcome, { skipped: string }> {
  return "skipped" in outcome;
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
  #started = performance.now();
  #done = new Map<Job, number>();
  #bytesDone = 0;
  #filesDone = 0;
  #skipped = 0;
  #failed = 0;
  #moved = 0;
  #current: { job: Job; done: number; total: number } | undefined;
  #lastDraw = 0;
  #lastProgress = performance.now();
  #drawnLines = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param options What is transferred and how to show it. */
  constructor(options: TransferDisplayOptions) {
    this.#options = options;
    if (options.live) this.#timer = setInterval(() => this.#draw(), 1000);
  }

  /** A file started. */
  onStart(job: Job): void {
    this.#done.set(job, 0);
  }

  /** A file progressed. */
  onProgress(job: Job, done: number, total: number): void {
    const before = this.#done.get(job) ?? 0;
    this.#done.set(job, done);
    this.#bytesDone += done - before;
    this.#current = { job, done, total };
    this.#lastProgress = performance.now();
    if (performance.now() - this.#lastDraw >= REDRAW_MS) this.#draw();
  }

  /** A file finished or was skipped. */
  onDone(job: Job, outcome: Outcome): void {
    this.#filesDone++;
    const counted = this.#done.get(job) ?? 0;
    this.#done.delete(job);
    const size = isSkipped(outcome) ? outcome.size : outcome.entry.size;
    this.#bytesDone += size - counted;
    if (isSkipped(outcome)) {
      this.#skipped++;
      this.#line(`Skipped "${printable(this.#name(job))}": identical file already there`);
    } else {
      this.#moved += outcome.entry.size - outcome.offset;
      const resumed = outcome.offset > 0 ? ` (resumed at ${formatBytes(outcome.offset)})` : "";
      const renamed = this.#renamed(job, outcome);
      if (this.#options.live || resumed || renamed) {
        this.#line(`${this.#verb()} "${printable(this.#name(job))}"${renamed}${resumed}`);
      }
    }
    if (this.#options.json) this.#json({ op: this.#options.op, ...job, ...outcome });
  }

  /** A file failed. */
  onError(job: Job, error: unknown): void {
    this.#failed++;
    this.#done.delete(job);
    const message = error instanceof Error ? error.message : String(error);
    this.#clear();
    writeStderr(`ferry: ${message}\n`);
  }

  /** Notes something left out (a symbolic link). */
  note(text: string): void {
    this.#line(text);
  }

  /** Stops drawing and prints the summary. */
  finish(): void {
    clearInterval(this.#timer);
    this.#clear();
    if (this.#options.quiet || this.#options.json || this.#filesDone === 0) return;
    const seconds = (performance.now() - this.#started) / 1000;
    const rate = seconds > 0 ? this.#moved / seconds : 0;
    const files = this.#options.files === 1
      ? "1 file"
      : `${this.#filesDone} of ${this.#options.files} files`;
    const extra = [
      this.#skipped > 0 ? `${this.#skipped} skipped as identical` : "",
      this.#failed > 0 ? `${this.#failed} failed` : "",
    ].filter(Boolean).join(", ");
    writeStderr(
      `${this.#verb()} ${files}, ${formatBytes(this.#bytesDone)} in ${formatDuration(seconds)} ` +
        `(${formatBytes(rate)}/s), SHA-256 verified${extra ? `; ${extra}` : ""}\n`,
    );
  }

  #verb(): string {
    return this.#options.op === "put" ? "Uploaded" : "Downloaded";
  }

  #name(job: Job): string {
    return this.#options.op === "put" ? job.local : job.remote;
  }

  #renamed(job: Job, outcome: Exclude<Outcome, { skipped: string }>): string {
    const wanted = this.#options.op === "put" ? job.remote : job.local;
    return outcome.path !== wanted ? ` as "${printable(outcome.path)}"` : "";
  }

  #line(text: string): void {
    if (this.#options.quiet) return;
    this.#clear();
    writeStderr(text + "\n");
    this.#draw();
  }

  #json(value: unknown): void {
    const bytes = encoder.encode(JSON.stringify(value) + "\n");
    for (let done = 0; done < bytes.byteLength;) {
      done += Deno.stdout.writeSync(bytes.subarray(done));
    }
  }

  #clear(): void {
    if (this.#drawnLines === 0) return;
    writeStderr("\r\u001b[K" + "\u001b[1A\r\u001b[K".repeat(this.#drawnLines - 1));
    this.#drawnLines = 0;
  }

  #draw(): void {
    if (!this.#options.live) return;
    const now = performance.now();
    this.#lastDraw = now;
    const room = width();
    const elapsed = (now - this.#started) / 1000;
    const rate = elapsed > 0 ? this.#bytesDone / elapsed : 0;
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
      `${formatBytes(rate)}/s  ${eta}`;
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
