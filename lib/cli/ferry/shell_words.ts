/**
 * Splits a shell line into words: spaces separate, single and double quotes
 * group, a backslash escapes the next character, `#` starts a comment.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";

/**
 * Splits `line` into words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitWords } from "./shell_words.ts";
 * assert.deepEqual(
 *   splitWords(`put "my file.txt" 'a b'\\ c  # note`),
 *   ["put", "my file.txt", "a b c"],
 * );
 * ```
 *
 * @throws {FerryError} `usage` for an unclosed quote.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) word = (word ?? "") + line[++i];
      else word = (word ?? "") + c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else if (c === " " || c === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "#" && word === undefined) {
      break;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote) throw new FerryError("usage", `Cannot read command: unclosed ${quote} quote`);
  if (word !== undefined) words.push(word);
  return words;
}
