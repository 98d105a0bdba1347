/**
 * What a transfer of `FerryClient` takes and gives back, and the
 * answer to `usage`.
 *
 * @module
 */

import type { Hash } from "node:crypto";
import type { Entry } from "../core/entry.ts";

/** Options of `FerryClient.download`. */
export interface DownloadOptions {
  /** Bytes the caller already has; `hash` must hold their SHA-256 state. */
  offset?: number;
  /** A SHA-256 already fed with the first `offset` bytes. */
  hash?: Hash;
  /** Called with the bytes done so far (offset included). */
  onProgress?: (done: number, total: number) => void;
  /** Ask the server to compress chunks that shrink. */
  compress?: boolean;
}

/** Options of `FerryClient.upload`. */
export interface UploadOptions {
  /** The file's size. */
  size: number;
  /** Replace an existing file. */
  force?: boolean;
  /** Continue a partial upload the server keeps. */
  resume?: boolean;
  /** Keep both: when the name is taken, the server picks `name (n).ext`. */
  rename?: boolean;
  /** Compress chunks that shrink. */
  compress?: boolean;
  /** Modification time to keep (ms since the epoch). */
  mtime?: number;
  /** Called with the bytes done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Also hash the file on the client and check it against the server's
   * (`--verify`); without it the client hashes only a resumed upload.
   */
  verify?: boolean;
  /**
   * Called after the last byte was read, before `END`: throws when the
   * source changed while it was read, and the upload is then not committed.
   */
  beforeEnd?: () => void | Promise<void>;
  /**
   * The file's SHA-256, when known: a server with `put-sha256` then answers
   * "identical, skipped" instead of taking the bytes when the path holds the
   * same file (see `FerryClient.hasFeature`).
   */
  sha256?: string;
}

/** The outcome of a finished transfer. */
export interface TransferResult {
  /** The file as the server has it. */
  entry: Entry;
  /** The remote path (for a keep-both upload, the name the server chose). */
  path: string;
  /** File bytes that crossed the wire (after compression, from `offset`). */
  wireBytes: number;
  /**
   * Hex SHA-256 of the whole file: for a download, the one verified on
   * arrival; for an upload, the server's hash of what it received.
   */
  sha256: string;
  /** Where this transfer started (0 unless resumed). */
  offset: number;
  /** Set when the file was encrypted on upload or decrypted on download. */
  encrypted?: true;
  /**
   * Set when a resumed transfer failed its final check (the file changed
   * since the interruption) and went again from byte 0.
   */
  restarted?: true;
}

/** The answer to `usage` (the client's `df`). */
export interface FolderUsageReport {
  /** Bytes in files. */
  bytes: number;
  /** Number of files. */
  files: number;
  /** The user's quota in bytes, when there is one. */
  quotaBytes?: number;
  /** The user's quota in files, when there is one. */
  quotaFiles?: number;
}
