/**
 * What to do when the destination of a transfer exists, and how to tell an
 * identical file (same SHA-256), which is skipped whatever the policy but
 * `force`.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { sha256OfFile } from "../local_fs/file_sha256.ts";
import type { UploadEncryption } from "./encrypted_upload.ts";
import type { FileKeys } from "./file_keys.ts";
import { localError } from "./local_files.ts";

/**
 * `refuse` (the default: exit 3 naming the file), `force` (replace), or
 * `rename` (keep both, the new one as `name (1).ext`).
 */
export type ConflictPolicy = "refuse" | "force" | "rename";

/** Options shared by single-file transfers. */
export interface FileTransferOptions {
  /** What to do when the destination exists. @default {"refuse"} */
  policy?: ConflictPolicy;
  /** Continue from a partial transfer when there is one. @default {true} */
  resume?: boolean;
  /** Compress chunks that shrink. */
  compress?: boolean;
  /** Uploads: also hash on the client and compare with the server (`--verify`). */
  verify?: boolean;
  /** Called with bytes done and total. */
  onProgress?: (done: number, total: number) => void;
  /** Uploads: encrypt on the client (`put --encrypt`). */
  encryption?: UploadEncryption;
  /**
   * Downloads: decrypt encrypted files with these keys (asked for only when a
   * file is encrypted). Without them, files are saved as stored (`get --raw`).
   */
  keys?: FileKeys;
  /**
   * Downloads: the server marked the file as encrypted (its listing's
   * `encrypted`), so it goes straight to decrypting. Unmarked files are
   * fetched as stored and checked: an encrypted one is fetched again.
   */
  remoteEncrypted?: boolean;
  /**
   * Downloads: neither the target nor its partial existed when the command
   * started (see `freeTargets`), so the local checks before it are skipped.
   */
  knownFree?: boolean;
}

/** A transfer that was not needed. */
export interface Skipped {
  /** Why: the destination already holds the same bytes. */
  skipped: "identical";
  /** The destination path. */
  path: string;
  /** Its SHA-256. */
  sha256: string;
  /** Its size. */
  size: number;
}

/**
 * The SHA-256 of a local file, streamed through one buffer.
 *
 * @throws {FerryError} `local_io` naming the file when it cannot be read
 * (see {@linkcode localError}).
 */
export async function sha256OfLocalFile(path: string): Promise<string> {
  try {
    return await sha256OfFile(path);
  } catch (error) {
    throw localError(error, path);
  }
}

/**
 * The error for an existing destination under the `refuse` policy.
 *
 * @param side Where the destination is.
 * @param path The destination.
 * @param compared Whether its content was compared (not for encrypted uploads).
 */
export function existsError(
  side: "local" | "remote",
  path: string,
  compared = true,
): FerryError {
  const where = side === "local" ? "here" : "on the server";
  const other = compared ? " with other content" : "";
  return new FerryError(
    "exists",
    `Cannot copy to "${path}": it exists ${where}${other} (use --force to replace it or --rename to keep both)`,
  );
}
