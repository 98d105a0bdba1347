/**
 * Reading answers and secrets from the terminal or standard input, and
 * writing whole texts to stdout and stderr.
 *
 * @module
 */

import { writeAll, writeAllSync } from "../../core/bytes.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes text to stderr, all of it. */
export function writeStderr(text: string): void {
  writeAllSync(Deno.stderr, encoder.encode(text));
}

/** Writes text to stdout, all of it. */
export async function writeStdout(text: string): Promise<void> {
  await writeAll(Deno.stdout, encoder.encode(text));
}

/**
 * Reads one line from standard input (without its line end). Reads one byte
 * at a time so nothing after the line is consumed.
 *
 * @returns The line, or `null` at end of input before any byte.
 */
export async function readLine(): Promise<string | null> {
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  for (;;) {
    const n = await Deno.stdin.read(one);
    if (n === null) return bytes.length === 0 ? null : decoder.decode(new Uint8Array(bytes));
    if (one[0] === 0x0a) break;
    bytes.push(one[0] as number);
  }
  if (bytes.at(-1) === 0x0d) bytes.pop();
  return decoder.decode(new Uint8Array(bytes));
}

/**
 * Asks a question on stderr and reads the answer line from stdin.
 *
 * @returns The answer, or `null` when stdin ended.
 */
export async function promptLine(question: string): Promise<string | null> {
  writeStderr(question);
  return await readLine();
}

/**
 * Prompts for a secret without echo, like std's `promptSecret`.
 *
 * @param question Shown on stderr.
 * @returns The secret, or `null` when stdin is not a terminal (scripts must
 *   pass secrets another way) or the user pressed Ctrl-C / Ctrl-D.
 */
export async function promptSecret(question: string): Promise<string | null> {
  if (!Deno.stdin.isTerminal()) return null;
  // Raw before the question: nothing typed in answer is ever echoed.
  Deno.stdin.setRaw(true, { cbreak: Deno.build.os !== "windows" });
  const chars: string[] = [];
  const buffer = new Uint8Array(256);
  const textDecoder = new TextDecoder();
  try {
    writeStderr(question);
    for (;;) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) return null;
      // A paste arrives as one chunk: take it character by character.
      for (const char of textDecoder.decode(buffer.subarray(0, n), { stream: true })) {
        if (char === "\r" || char === "\n") return chars.join("");
        if (char === "\u0003" || char === "\u0004") return null;
        if (char === "\u007f" || char === "\b") chars.pop();
        else chars.push(char);
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
    writeStderr("\n");
  }
}
