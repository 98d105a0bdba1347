/**
 * `put --encrypt`: the encrypted stream of a local file, and the header
 * sidecar that lets an interrupted encrypted upload resume byte for byte
 * (`docs/ENCRYPTION.md` §5).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { isFerryError } from "../core/errors.ts";
import {
  createEncryptStream,
  createHeader,
  encryptedSize,
  isFileCryptoError,
  type UnlockedHeader,
} from "../file_crypto/mod.ts";
import type { FileKeys } from "./file_keys.ts";
import { localError } from "./local_files.ts";

/** How `put --encrypt` gets its keys and where it keeps its resume state. */
export interface UploadEncryption {
  /** The keys of this command. */
  keys: FileKeys;
  /** The client's state folder; header sidecars go to its `encrypt/` folder. */
  stateDir: string;
  /** The server and user (`alice@host:7878`): sidecars are per server, user and remote path. */
  scope: string;
}

/** What a sidecar holds: no secret (the file key stays wrapped in the header). */
interface Sidecar {
  /** The header, base64. */
  header: string;
  /** The local file's absolute path. */
  local: string;
  /** Its size. */
  size: number;
  /** Its modification time (ms since the epoch, 0 when unknown). */
  mtime: number;
}

/** An encrypted upload, ready to send. */
export interface EncryptedSource {
  /** The encrypted file: header, then sealed chunks. */
  readable: ReadableStream<Uint8Array>;
  /** Its exact size. */
  size: number;
  /** Whether to ask the server to resume: only with the header of the interrupted attempt. */
  resume: boolean;
  /** Call when the upload ended, with its error if it failed: keeps or drops the sidecar. */
  settle(error?: unknown): Promise<void>;
}

/** The sidecar of an encrypted upload of `remote`. */
export function sidecarPath(encryption: UploadEncryption, remote: string): string {
  const id = createHash("sha256").update(`${encryption.scope}\n${remote}`).digest("hex");
  return `${encryption.stateDir}/encrypt/${id}.json`;
}

async function readSidecar(path: string): Promise<Sidecar | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined; // missing or damaged: start over with a new header
  }
  const sidecar = value as Partial<Sidecar> | null;
  return typeof sidecar?.header === "string" && typeof sidecar.local === "string" &&
      Number.isSafeInteger(sidecar.size) && Number.isSafeInteger(sidecar.mtime)
    ? sidecar as Sidecar
    : undefined;
}

async function writeSidecar(path: string, sidecar: Sidecar): Promise<void> {
  const folder = path.slice(0, path.lastIndexOf("/"));
  const temporary = `${path}.tmp`;
  try {
    await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(temporary, JSON.stringify(sidecar) + "\n", { mode: 0o600 });
    await Deno.rename(temporary, path);
  } catch (error) {
    throw localError(error, path);
  }
}

async function removeSidecar(path: string): Promise<void> {
  await Deno.remove(path).catch(() => {});
}

/**
 * Serves `readable` as a byte stream whose reads fill the reader's whole
 * buffer, so every `DATA` message goes out full (sealed chunks are 16 bytes
 * longer than a message holds), and runs `before` on the first read: after
 * the server's `REPLY`, before any byte goes.
 */
function fullReads(
  readable: ReadableStream<Uint8Array>,
  before: () => Promise<void>,
): ReadableStream<Uint8Array> {
  const reader = readable.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  let first = true;
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 64 * 1024,
    async pull(controller): Promise<void> {
      if (first) {
        first = false;
        await before();
      }
      const request = controller.byobRequest as ReadableStreamBYOBRequest;
      const view = request.view as ArrayBufferView;
      const target = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      let filled = 0;
      while (filled < target.length) {
        if (pending.length === 0) {
          const next = await reader.read();
          if (next.done) break;
          pending = next.value;
        }
        const n = Math.min(pending.length, target.length - filled);
        target.set(pending.subarray(0, n), filled);
        pending = pending.subarray(n);
        filled += n;
      }
      if (filled === 0) {
        controller.close();
        request.respond(0);
      } else {
        request.respond(filled);
      }
    },
    cancel(reason): Promise<void> {
      return reader.cancel(reason);
    },
  });
}

async function reusableHeader(
  encryption: UploadEncryption,
  sidecar: Sidecar | undefined,
  expected: Omit<Sidecar, "header">,
): Promise<UnlockedHeader | undefined> {
  if (
    !sidecar || sidecar.local !== expected.local || sidecar.size !== expected.size ||
    sidecar.mtime !== expected.mtime
  ) {
    return undefined;
  }
  try {
    const header = await encryption.keys.unlock(Uint8Array.fromBase64(sidecar.header));
    return header.plainSize === expected.size ? header : undefined;
  } catch (error) {
    // Another key or passphrase this time, or a damaged sidecar: start over.
    if (isFileCryptoError(error) || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Encrypts an open local file for upload. With `resume` and a sidecar of the
 * same local file (path, size and modification time) for the same remote
 * path, the kept header is unlocked and reused, so the bytes the server
 * already has come out identical; otherwise a new header is made and the
 * upload starts from 0. The sidecar is written when the server has accepted
 * the upload, before its first byte goes, and dropped once the upload
 * succeeded or failed its hash check.
 *
 * @param file The open local file; the returned stream owns it.
 * @param info Its size and modification time.
 * @param local Its path.
 * @param remote The remote path.
 * @param encryption Keys and state folder.
 * @param resume Whether resuming is allowed.
 * @returns The encrypted stream, its size and whether to resume.
 */
export async function encryptForUpload(
  file: Deno.FsFile,
  info: Deno.FileInfo,
  local: string,
  remote: string,
  encryption: UploadEncryption,
  resume: boolean,
): Promise<EncryptedSource> {
  const path = sidecarPath(encryption, remote);
  const expected = { local: resolve(local), size: info.size, mtime: info.mtime?.getTime() ?? 0 };
  const kept = resume
    ? await reusableHeader(encryption, await readSidecar(path), expected)
    : undefined;
  const header = kept ?? createHeader(await encryption.keys.encryptionKek(), info.size);
  let written = kept !== undefined;
  const encrypted = file.readable.pipeThrough(createEncryptStream(header));
  return {
    readable: fullReads(encrypted, async () => {
      if (written) return;
      await writeSidecar(path, { header: header.bytes.toBase64(), ...expected });
      written = true;
    }),
    size: encryptedSize(info.size),
    resume: kept !== undefined,
    async settle(error?: unknown): Promise<void> {
      if (written && (error === undefined || isFerryError(error, "integrity"))) {
        await removeSidecar(path);
      }
    },
  };
}
