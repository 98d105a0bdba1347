/**
 * A one-line progress meter on stderr, in the manner of scp and std's
 * `ProgressBar`: name, percent, bytes, smoothed rate, ETA, and `stalled`
 * after 5 s without progress. Redrawn at most once every 250 ms, never wider
 * than the terminal, and only when stderr is a terminal.
 *
 * @module
 */

import { formatBytes, formatDuration, printable } from "./format.ts";
import { writeStderr } from "./prompt.ts";

/** Seconds without progress before the line says `stalled`. */
export const STALL_SECONDS = 5;

const REDRAW_MS = 250;

function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}

/** Options of {@linkcode ProgressBar}. */
export interface ProgressBarOptions {
  /** Draw at all (false for `--quiet` or when stderr is not a terminal). */
  enabled: boolean;
  /** Bytes already there when resuming. @default {0} */
  start?: number;
}

/** A progress line for one transfer. */
export class ProgressBar {
  #name: string;
  #total: number;
  #enabled: boolean;
  #startedAt = performance.now();
  #startBytes: number;
  #done: number;
  #lastDraw = 0;
  #lastProgressAt = performance.now();
  #rate = 0;
  #rateAt = performance.now();
  #rateBytes: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param name What is being transferred.
   * @param total Its size in bytes.
   * @param options Whether to draw, resume offset.
   */
  constructor(name: string, total: number, options: ProgressBarOptions) {
    this.#name = printable(name);
    this.#total = total;
    this.#enabled = options.enabled;
    this.#startBytes = this.#done = this.#rateBytes = options.start ?? 0;
    if (this.#enabled) this.#timer = setInterval(() => this.#draw(false), 1000);
  }

  /** Records progress: `done` bytes of the total. */
  update(done: number): void {
    const now = performance.now();
    if (done > this.#done) this.#lastProgressAt = now;
    this.#done = done;
    if (now - this.#rateAt >= 500) {
      const instant = (done - this.#rateBytes) / ((now - this.#rateAt) / 1000);
      this.#rate = this.#rate === 0 ? instant : 0.9 * this.#rate + 0.1 * instant;
      this.#rateAt = now;
      this.#rateBytes = done;
    }
    if (now - this.#lastDraw >= REDRAW_MS) this.#draw(false);
  }

  /** Draws the final line (average rate, elapsed time) and stops. */
  finish(): void {
    clearInterval(this.#timer);
    if (this.#enabled) this.#draw(true);
  }

  /** Removes the line without a summary (on failure). */
  clear(): void {
    clearInterval(this.#timer);
    if (this.#enabled) writeStderr("\r\u001b[K");
  }

  #draw(final: boolean): void {
    if (!this.#enabled) return;
    const now = performance.now();
    this.#lastDraw = now;
    const elapsed = (now - this.#startedAt) / 1000;
    const percent = this.#total > 0 ? Math.floor((this.#done / this.#total) * 100) : 100;
    const average = elapsed > 0 ? (this.#done - this.#startBytes) / elapsed : 0;
    const rate = final || this.#rate === 0 ? average : this.#rate;
    const stalled = !final && (now - this.#lastProgressAt) / 1000 >= STALL_SECONDS;
    const tail = final
      ? `${formatDuration(elapsed)}    `
      : stalled
      ? "- stalled -"
      : `${formatDuration(rate > 0 ? (this.#total - this.#done) / rate : Infinity)} ETA`;
    const stats = `${String(percent).padStart(3)}% ${formatBytes(this.#done).padStart(10)} ` +
      `${(formatBytes(rate) + "/s").padStart(12)} ${tail}`;
    const width = terminalColumns();
    const room = Math.max(8, width - 1 - stats.length - 1);
    const name = this.#name.length > room ? "…" + this.#name.slice(-(room - 1)) : this.#name;
    writeStderr(`\r\u001b[K${name.padEnd(room)} ${stats}${final ? "\n" : ""}`);
  }
}
