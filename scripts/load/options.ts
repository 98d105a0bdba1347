/**
 * The command line of `scripts/load.ts`.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** The parsed command line of the load tool. */
export interface LoadOptions {
  /** Sessions started at once (`--sessions`). */
  sessions: number;
  /** Bytes of each session's file (`--file-bytes`). */
  fileBytes: number;
  /** Seconds to wait after the storm before the idle RSS is read (`--idle-seconds`). */
  idleSeconds: number;
  /** JSON on stdout instead of text (`--json`). */
  json: boolean;
  /** Small run for CI (`--quick`): 30 sessions, 3 s idle wait. */
  quick: boolean;
  /** More `serve` arguments for ferryd (everything after `--`). */
  serveArgs: string[];
  /** Print the usage and stop (`--help`). */
  help: boolean;
}

/** The usage text. */
export const USAGE = `Usage: deno task load [options] [-- SERVE-ARGS...]

Starts a ferryd in a temporary folder and runs N sessions at once, each
from one of 127.0.0.2, 127.0.0.3, ...: login (password), put a small file,
get it back verified, list. A session logged in before the storm sends
'stat' all along. Exits 1 when a session failed silently or with an error.

  --sessions N       sessions at once (default 200; 30 with --quick)
  --file-bytes N     size of each session's file (default 4096)
  --idle-seconds S   wait after the storm before reading the idle RSS (default 10; 3 with --quick)
  --quick            small run, a few seconds (CI)
  --json             JSON on stdout instead of text
  -- SERVE-ARGS      more arguments for ferryd serve, e.g. -- --max-password-checks 1
`;

function wholeNumber(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Cannot use --${flag} "${text}": expected a whole number, ${min} or more`);
  }
  return value;
}

/**
 * Parses the load tool's command line.
 *
 * @param args `Deno.args`.
 * @throws {RangeError} For a bad number.
 */
export function parseLoadOptions(args: string[]): LoadOptions {
  const split = args.indexOf("--");
  const own = split < 0 ? args : args.slice(0, split);
  const { values } = parseArgs({
    args: own,
    options: {
      sessions: { type: "string" },
      "file-bytes": { type: "string", default: "4096" },
      "idle-seconds": { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const quick = values.quick;
  return {
    sessions: wholeNumber(values.sessions ?? (quick ? "30" : "200"), "sessions", 1),
    fileBytes: wholeNumber(values["file-bytes"], "file-bytes", 0),
    idleSeconds: wholeNumber(values["idle-seconds"] ?? (quick ? "3" : "10"), "idle-seconds", 0),
    json: values.json,
    quick,
    serveArgs: split < 0 ? [] : args.slice(split + 1),
    help: values.help,
  };
}
