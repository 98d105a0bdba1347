/**
 * Helpers shared by the storage tests (not part of the storage API).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { isFerryError } from "../core/errors.ts";
import type { ErrorCode } from "../core/errors.ts";
import { LocalStorage } from "./local_storage.ts";
import type { Entry, Storage, UploadOptions } from "./storage.ts";
import { type ByteInput, ViewReader } from "../core/byte_source.ts";
import { concat } from "../file_crypto/_test_helpers.ts";

/** A temporary data folder with an open storage and a folder outside it. */
export interface TempData extends AsyncDisposable {
  /** The base folder holding everything below (removed on dispose). */
  base: string;
  /** The data folder (`--data`). */
  data: string;
  /** `data/files`. */
  files: string;
  /** `data/state`. */
  state: string;
  /** A folder outside the data folder, holding `secret.txt`. */
  outside: string;
  /** The storage opened on `data`. */
  storage: LocalStorage;
}

/**
 * Makes a fresh data folder; use with `await using`.
 *
 * @returns The folders and the storage.
 */
export async function tempData(): Promise<TempData> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "ferry_storage_" }));
  const data = `${base}/data`;
  const outside = `${base}/outside`;
  await Deno.mkdir(outside);
  await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
  // Resume is exercised with small files here: every upload keeps its record.
  const storage = await LocalStorage.open(data, { resumeMinBytes: 0 });
  return {
    base,
    data,
    files: `${data}/files`,
    state: `${data}/state`,
    outside,
    storage,
    async [Symbol.asyncDispose](): Promise<void> {
      storage.close();
      await Deno.remove(base, { recursive: true });
    },
  };
}

/**
 * The SHA-256 of some bytes in hexadecimal.
 *
 * @param bytes The bytes.
 * @returns The digest.
 */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Uploads `text` to `path` in one write and commits it.
 *
 * @param storage The storage.
 * @param path The remote path.
 * @param text The content.
 * @param options Options other than the size.
 * @returns The committed entry.
 */
export async function putText(
  storage: Storage,
  path: string,
  text: string,
  options: Partial<Omit<UploadOptions, "size">> = {},
): Promise<Entry> {
  const bytes = new TextEncoder().encode(text);
  const sink = await storage.openUpload(path, {
    overwrite: false,
    resume: false,
    ...options,
    size: bytes.byteLength,
  });
  await sink.write(bytes);
  return await sink.commit(sha256Hex(bytes));
}

/**
 * Reads all of a download's bytes, through one reused buffer of `chunkBytes`.
 *
 * @param input The bytes (`ReadSource.bytes`).
 * @param chunkBytes The buffer's size.
 * @returns Them, in one array.
 */
export async function readBytes(input: ByteInput, chunkBytes = 65_536): Promise<Uint8Array> {
  const reader = new ViewReader(input);
  const parts: Uint8Array[] = [];
  let buffer = new ArrayBuffer(chunkBytes);
  for (let read = await reader.read(new Uint8Array(buffer)); read !== null;) {
    parts.push(read.slice());
    buffer = read.buffer as ArrayBuffer;
    read = await reader.read(new Uint8Array(buffer));
  }
  return concat(parts);
}

/**
 * Reads all of a download's bytes as text.
 *
 * @param input The bytes (`ReadSource.bytes`).
 * @returns Them, decoded as UTF-8.
 */
export async function readText(input: ByteInput): Promise<string> {
  return new TextDecoder().decode(await readBytes(input));
}

/**
 * Asserts that `promise` rejects with a `FerryError` of `code`.
 *
 * @param promise What should fail.
 * @param code The expected code.
 * @returns The error's message, for further checks.
 */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<string> {
  let message = "";
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isFerryError(error, code), `expected FerryError "${code}", got ${error}`);
    message = error.message;
    return true;
  });
  return message;
}

/**
 * Lists a folder of the storage as sorted names.
 *
 * @param storage The storage.
 * @param path The folder.
 * @returns The names, sorted.
 */
export async function listNames(storage: Storage, path: string): Promise<string[]> {
  return (await Array.fromAsync(storage.list(path))).map((entry) => entry.name).sort();
}
