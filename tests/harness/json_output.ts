/**
 * Reading what `ferry --json` prints: one document per command, one line
 * each (docs/CLI.md).
 *
 * @module
 */

import assert from "node:assert/strict";

/** One command's document. */
export interface JsonDocument {
  /** The command. */
  command: string;
  /** Whether it worked. */
  ok: boolean;
  /** Its results. */
  results: Record<string, unknown>[];
  /** A transfer's totals. */
  summary?: Record<string, number>;
  /** Why it failed. */
  error?: { code: string; message: string };
}

/** Every document on stdout (a batch prints one per command). */
export function jsonDocuments(stdout: string): JsonDocument[] {
  const lines = stdout.split("\n").filter((line) => line !== "");
  return lines.map((line) => JSON.parse(line) as JsonDocument);
}

/** The one document a single command printed. */
export function jsonDocument(stdout: string): JsonDocument {
  const documents = jsonDocuments(stdout);
  assert.equal(documents.length, 1, `one document expected, got: ${stdout}`);
  return documents[0] as JsonDocument;
}

/** The results of a single command (`ls --json`: the entries; `put --json`: the files). */
export function jsonResults(stdout: string): Record<string, unknown>[] {
  return jsonDocument(stdout).results;
}

/** The one result of a single command (`stat --json`, `put FILE --json`). */
export function jsonResult(stdout: string): Record<string, unknown> {
  const results = jsonResults(stdout);
  assert.equal(results.length, 1, `one result expected, got: ${stdout}`);
  return results[0] as Record<string, unknown>;
}
