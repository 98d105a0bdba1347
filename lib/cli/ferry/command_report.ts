/**
 * What `--json` prints: one JSON document per command, on one line of
 * stdout, whether the command worked or not (docs/CLI.md). A batch (`-b`)
 * prints one such line per command, so its output is JSON Lines.
 *
 * ```json
 * {"command":"stat","ok":true,"results":[{"name":"a.txt","kind":"file","size":5,"mtime":0}]}
 * {"command":"get","ok":false,"results":[],"error":{"code":"not_found","message":"…"}}
 * ```
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { writeStdout } from "../shared/prompt.ts";

/** A failure as `--json` reports it. */
export interface JsonError {
  /** The stable error code (`not_found`, `exists`, ...; `unexpected` for a bug). */
  code: string;
  /** The message a person would see on stderr. */
  message: string;
}

/** The totals of a transfer (`get`, `put`). */
export interface TransferSummary {
  /** Files sent or received this time. */
  transferred: number;
  /** Files already there with the same SHA-256. */
  skipped: number;
  /** Files that failed. */
  failed: number;
  /** File bytes that went this time (what the rate is computed over). */
  bytesSent: number;
  /** File bytes that were there from an interrupted run and were not sent again. */
  bytesResumed: number;
  /** Seconds the command took. */
  seconds: number;
}

/** The document of one command. */
export interface CommandDocument {
  /** The command (`put`, `ls`, ...). */
  command: string;
  /** Whether it worked (exit code 0). */
  ok: boolean;
  /** What it produced: files, entries, or what it changed. */
  results: unknown[];
  /** Transfers: the totals. */
  summary?: TransferSummary;
  /** When `ok` is false: why. */
  error?: JsonError;
}

/** A failure's code and message. */
export function jsonError(error: unknown): JsonError {
  if (error instanceof FerryError) return { code: error.code, message: error.message };
  return { code: "unexpected", message: error instanceof Error ? error.message : String(error) };
}

const reported = new WeakSet<object>();

/** Notes that a failure's document was printed (so no second one is). */
export function markReported(error: unknown): void {
  if (typeof error === "object" && error !== null) reported.add(error);
}

/** Whether a failure's document was printed already. */
export function wasReported(error: unknown): boolean {
  return typeof error === "object" && error !== null && reported.has(error);
}

/** Collects what one command reports, and prints it as one document. */
export class CommandReport {
  /** The command. */
  readonly command: string;
  /** Its results, in the order they came. */
  readonly results: unknown[] = [];
  /** A transfer's totals. */
  summary: TransferSummary | undefined;
  /** The failure a command finished with without throwing (a transfer with failed files). */
  failure: unknown;

  /** @param command The command's name. */
  constructor(command: string) {
    this.command = command;
  }

  /** The document, failed when `error` (or a recorded failure) is given. */
  document(error: unknown = this.failure): CommandDocument {
    return {
      command: this.command,
      ok: error === undefined,
      results: this.results,
      ...(this.summary ? { summary: this.summary } : {}),
      ...(error === undefined ? {} : { error: jsonError(error) }),
    };
  }

  /** Prints the document as one line of stdout. */
  async print(error?: unknown): Promise<void> {
    await writeStdout(JSON.stringify(this.document(error)) + "\n");
  }
}
