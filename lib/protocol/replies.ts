/**
 * The server's replies, validated on arrival as requests are on the server
 * (`requests.ts`): each `parse…` turns untrusted JSON into a typed reply or
 * throws `protocol`, so the client never works with a malformed value.
 *
 * @module
 */

import type { Entry } from "../core/entry.ts";
import { FerryError } from "../core/errors.ts";

/** One command in the reply to `help`. */
export interface CommandHelp {
  /** The op. */
  name: string;
  /** One line of help. */
  summary: string;
}

/** The reply to `stat` (with `hash`, the file's SHA-256). */
export interface StatReply {
  /** The path's entry. */
  entry: Entry;
  /** The file's SHA-256, when asked for and it is a file. */
  sha256?: string;
}

/** The reply to `get` before its bytes. */
export interface DownloadInvitation {
  /** The file as opened. */
  entry: Entry;
  /** Where the bytes start. */
  offset: number;
}

/** The first reply to `put`: send from `offset`, or nothing to send. */
export type UploadInvitation =
  | { offset: number; skipped?: undefined }
  | { skipped: "identical"; entry: Entry; path?: string; sha256: string };

/** The last reply to `put`: what was committed, with the server's SHA-256. */
export interface UploadDone {
  /** The committed file. */
  entry: Entry;
  /** Where it landed, when the server chose the name (keep both). */
  path?: string;
  /** The SHA-256 the server computed of what it received. */
  sha256: string;
}

/** The reply to `usage`. */
export interface UsageReply {
  /** Bytes in files. */
  bytes: number;
  /** Number of files. */
  files: number;
  /** The quota in bytes, when there is one. */
  quotaBytes?: number;
  /** The quota in files, when there is one. */
  quotaFiles?: number;
}

type Json = Record<string, unknown>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function malformed(what: string, field: string, must: string): FerryError {
  return new FerryError(
    "protocol",
    `Cannot read the server's reply to "${what}": ${field} must be ${must}`,
  );
}

function record(value: unknown, what: string, field = "the reply"): Json {
  if (!isRecord(value)) throw malformed(what, field, "an object");
  return value;
}

function count(value: Json, name: string, what: string, optional = false): void {
  const item = value[name];
  if (optional && item === undefined) return;
  if (!Number.isSafeInteger(item) || (item as number) < 0) {
    throw malformed(what, `"${name}"`, "a count");
  }
}

function text(value: Json, name: string, what: string, optional = false): void {
  const item = value[name];
  if (optional && item === undefined) return;
  if (typeof item !== "string") throw malformed(what, `"${name}"`, "a string");
}

function sha256(value: Json, name: string, what: string, optional = false): void {
  const item = value[name];
  if (optional && item === undefined) return;
  if (typeof item !== "string" || !SHA256_HEX.test(item)) {
    throw malformed(what, `"${name}"`, "a lowercase hex SHA-256");
  }
}

/**
 * Validates an entry (of a reply or a listing page).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseEntry } from "./replies.ts";
 * const entry = parseEntry({ name: "a.txt", kind: "file", size: 3, mtime: 0 }, "stat");
 * assert.equal(entry.size, 3);
 * assert.throws(() => parseEntry({ name: "a.txt", kind: "pipe", size: 3, mtime: 0 }, "stat"));
 * ```
 *
 * @param value The untrusted JSON.
 * @param what The request it answers, for the message.
 * @throws {FerryError} `protocol` when malformed.
 */
export function parseEntry(value: unknown, what: string): Entry {
  const entry = record(value, what, "an entry");
  text(entry, "name", what);
  if (entry.kind !== "file" && entry.kind !== "dir") {
    throw malformed(what, '"kind"', '"file" or "dir"');
  }
  count(entry, "size", what);
  if (typeof entry.mtime !== "number" || !Number.isFinite(entry.mtime)) {
    throw malformed(what, '"mtime"', "a number");
  }
  if (entry.encrypted !== undefined && entry.encrypted !== true) {
    throw malformed(what, '"encrypted"', "true or absent");
  }
  return entry as unknown as Entry;
}

/** Validates a `PAGE` of a listing. @throws {FerryError} `protocol` when malformed. */
export function parsePage(value: unknown): Entry[] {
  if (!Array.isArray(value)) throw malformed("list", "a page", "an array of entries");
  for (const item of value) parseEntry(item, "list");
  return value as Entry[];
}

/** Validates the reply to `help`. @throws {FerryError} `protocol` when malformed. */
export function parseHelpReply(value: unknown): CommandHelp[] {
  const reply = record(value, "help");
  if (!Array.isArray(reply.commands)) throw malformed("help", '"commands"', "an array");
  for (const item of reply.commands) {
    const command = record(item, "help", "a command");
    text(command, "name", "help");
    text(command, "summary", "help");
  }
  return reply.commands as CommandHelp[];
}

/** Validates the reply to `stat`. @throws {FerryError} `protocol` when malformed. */
export function parseStatReply(value: unknown): StatReply {
  const reply = record(value, "stat");
  parseEntry(reply.entry, "stat");
  sha256(reply, "sha256", "stat", true);
  return reply as unknown as StatReply;
}

/** Validates the reply that starts a download. @throws {FerryError} `protocol` when malformed. */
export function parseDownloadInvitation(value: unknown): DownloadInvitation {
  const reply = record(value, "get");
  parseEntry(reply.entry, "get");
  count(reply, "offset", "get");
  return reply as unknown as DownloadInvitation;
}

/** Validates the first reply to `put`. @throws {FerryError} `protocol` when malformed. */
export function parseUploadInvitation(value: unknown): UploadInvitation {
  const reply = record(value, "put");
  if (reply.skipped === undefined) {
    count(reply, "offset", "put");
    return reply as unknown as UploadInvitation;
  }
  if (reply.skipped !== "identical") throw malformed("put", '"skipped"', '"identical"');
  parseEntry(reply.entry, "put");
  text(reply, "path", "put", true);
  sha256(reply, "sha256", "put");
  return reply as unknown as UploadInvitation;
}

/** Validates the reply that ends an upload. @throws {FerryError} `protocol` when malformed. */
export function parseUploadDone(value: unknown): UploadDone {
  const reply = record(value, "put");
  parseEntry(reply.entry, "put");
  text(reply, "path", "put", true);
  sha256(reply, "sha256", "put");
  return reply as unknown as UploadDone;
}

/** Validates the reply to `usage`. @throws {FerryError} `protocol` when malformed. */
export function parseUsageReply(value: unknown): UsageReply {
  const reply = record(value, "usage");
  count(reply, "bytes", "usage");
  count(reply, "files", "usage");
  count(reply, "quotaBytes", "usage", true);
  count(reply, "quotaFiles", "usage", true);
  return reply as unknown as UsageReply;
}
