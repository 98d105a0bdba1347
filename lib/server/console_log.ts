/**
 * Human-readable server logs on stderr, one line per event.
 *
 * @module
 */

/** Log levels, least to most verbose. */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;

/** One of {@linkcode LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

const encoder = new TextEncoder();

/** Writes timestamped lines to stderr at or above a level. */
export class ConsoleLog {
  #level: number;

  /** @param level The most verbose level written. @default {"info"} */
  constructor(level: LogLevel = "info") {
    this.#level = LOG_LEVELS.indexOf(level);
  }

  /** Logs what the operator must always see (start-up, address, fingerprint). */
  notice(message: string): void {
    this.#write("notice", message);
  }

  /** Logs a failure that needs the operator. */
  error(message: string): void {
    this.#write("error", message);
  }

  /** Logs something suspicious. */
  warn(message: string): void {
    this.#write("warn", message);
  }

  /** Logs a normal event. */
  info(message: string): void {
    this.#write("info", message);
  }

  /** Logs detail for debugging. */
  debug(message: string): void {
    this.#write("debug", message);
  }

  #write(level: LogLevel | "notice", message: string): void {
    if (level !== "notice" && LOG_LEVELS.indexOf(level) > this.#level) return;
    const line = `${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`;
    try {
      Deno.stderr.writeSync(encoder.encode(line));
    } catch {
      // stderr gone: nothing better to do with a log line
    }
  }
}
