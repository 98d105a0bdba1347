/**
 * Key files: 32 random bytes that replace a passphrase (`--key-file`).
 *
 * A key file ferry makes is one line of text, `ferry-file-key ` and the key
 * in base64, so it can be printed or pasted; a file of exactly 32 raw bytes
 * (say `head -c 32 /dev/urandom`) is accepted too.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { FerryError } from "../core/errors.ts";
import { KEY_BYTES, LABELS, sha256 } from "./_primitives.ts";

const HEADER = "ferry-file-key ";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function parseKeyFile(bytes: Uint8Array): Uint8Array | null {
  const text = decoder.decode(bytes).trim();
  if (text.startsWith(HEADER)) {
    const body = text.slice(HEADER.length);
    const key = /^[A-Za-z0-9+/]{43}=$/.test(body) ? Buffer.from(body, "base64") : null;
    return key?.byteLength === KEY_BYTES ? new Uint8Array(key) : null;
  }
  return bytes.byteLength === KEY_BYTES ? new Uint8Array(bytes) : null;
}

/**
 * Reads a key file.
 *
 * @param path Where the key file is.
 * @returns The 32-byte key.
 * @throws {FerryError} `local_io` when the file cannot be read or is not a key file.
 *
 * @example Loading a key file made by {@linkcode createKeyFile}
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKeyFile, loadKeyFile } from "./key_file.ts";
 * const path = `${await Deno.makeTempDir()}/file.key`;
 * const key = await createKeyFile(path);
 * assert.deepEqual(await loadKeyFile(path), key);
 * ```
 */
export async function loadKeyFile(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (cause) {
    const why = cause instanceof Deno.errors.NotFound ? "no such file" : (cause as Error).message;
    throw new FerryError("local_io", `Cannot read key file "${path}": ${why}`, { cause });
  }
  const key = parseKeyFile(bytes);
  if (!key) {
    throw new FerryError(
      "local_io",
      `Cannot read key file "${path}": not a ferry key file (expected "${HEADER.trim()} <base64>" or 32 raw bytes)`,
    );
  }
  return key;
}

/**
 * Makes a new key file of 32 random bytes, mode 0600, creating its folder
 * (mode 0700) if needed. It never replaces an existing file.
 *
 * @param path Where to write the key file.
 * @returns The new 32-byte key.
 * @throws {FerryError} `exists` when `path` exists; `local_io` when it cannot be written.
 *
 * @example Refusing to overwrite
 * ```ts
 * import assert from "node:assert/strict";
 * import { createKeyFile } from "./key_file.ts";
 * const path = `${await Deno.makeTempDir()}/file.key`;
 * await createKeyFile(path);
 * await assert.rejects(createKeyFile(path), /the file exists/);
 * ```
 */
export async function createKeyFile(path: string): Promise<Uint8Array> {
  const key = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  const text = `${HEADER}${Buffer.from(key).toString("base64")}\n`;
  const slash = path.lastIndexOf("/");
  const folder = slash > 0 ? path.slice(0, slash) : "";
  try {
    if (folder) await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
    await Deno.writeFile(path, encoder.encode(text), { createNew: true, mode: 0o600 });
  } catch (cause) {
    if (cause instanceof Deno.errors.AlreadyExists) {
      throw new FerryError("exists", `Cannot create key file "${path}": the file exists`, {
        cause,
      });
    }
    throw new FerryError(
      "local_io",
      `Cannot create key file "${path}": ${(cause as Error).message}`,
      { cause },
    );
  }
  return key;
}

/**
 * A short, stable name for a key, to show the user which key file they hold
 * (`SHA256:` and the unpadded base64 of SHA-256 of a label and the key). It is
 * never stored in encrypted files, so files do not reveal which of them share
 * a key.
 *
 * @param key The 32-byte key.
 * @returns The fingerprint, e.g. `SHA256:q3e…`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyFingerprint } from "./key_file.ts";
 * assert.match(keyFingerprint(new Uint8Array(32)), /^SHA256:[A-Za-z0-9+/]{43}$/);
 * ```
 */
export function keyFingerprint(key: Uint8Array): string {
  const digest = sha256(encoder.encode(LABELS.fingerprint), key);
  return `SHA256:${Buffer.from(digest).toString("base64").replace(/=+$/, "")}`;
}
