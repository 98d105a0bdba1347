/**
 * The storage interface: everything the server does with files goes through
 * it, so that a back end (the local folder today, an object store later) can
 * be swapped without touching the protocol or the session code.
 *
 * Every `path` given to a {@linkcode Storage} is a *remote path* already
 * normalised by {@linkcode normalizeRemotePath}: relative to the user's root,
 * segments joined with `/`, no `.`/`..`, `""` for the root itself. A back end
 * must still make sure that what it opens lies inside its root (symlinks).
 *
 * @module
 */

export type { RemotePath } from "../core/remote_path.ts";
import type { ByteInput } from "../core/byte_source.ts";
import type { Entry } from "../core/entry.ts";
export type { Entry, EntryKind } from "../core/entry.ts";
import type { RemotePath } from "../core/remote_path.ts";

/** An open download: the entry as it was when opened and its bytes. */
export interface ReadSource {
  /** The file as it was when opened. */
  entry: Entry;
  /**
   * The bytes from the requested offset to the end, read into the reader's
   * own buffer: an open file as a `ByteSource` (no Web Streams on the way),
   * or a stream. Read them with `ViewReader`; the reader reads them to the
   * end or cancels them (they may hold an open file).
   */
  bytes: ByteInput;
  /**
   * The whole file's SHA-256 (lower-case hex), when the back end keeps it
   * (S3 stores the hash verified at upload). With it, a download from an
   * offset need not read the bytes before it to end with the file's hash.
   */
  sha256?: string | undefined;
  /**
   * Called by the sender when it hashed the whole file while sending it
   * (only when {@linkcode ReadSource.sha256} was absent and the read began at
   * 0), so that a back end that indexes hashes can keep the result for the
   * file as it was opened. Absent when the back end keeps no index.
   */
  recordSha256?: ((sha256: string) => Promise<void>) | undefined;
}

/** Options of {@linkcode Storage.openUpload}. */
export interface UploadOptions {
  /** The size the sender announced; writing more is refused with `too_large`. */
  size: number;
  /** Replace an existing file; without it an existing file gives `exists`. */
  overwrite: boolean;
  /**
   * Keep both: when the name is taken at commit, use the first free
   * `name (n).ext` instead (the committed entry tells the name).
   */
  keepBoth?: boolean;
  /** Continue a partial upload of the same path and size when one exists. */
  resume: boolean;
  /** The modification time to give the file on commit (ms since the epoch). */
  mtime?: number;
}

/**
 * An upload in progress. It holds the write lock on its path until
 * {@linkcode UploadSink.commit} or {@linkcode UploadSink.abort}.
 */
export interface UploadSink {
  /** Where the sender must start: 0, or the length of a resumed partial. */
  readonly offset: number;
  /** Appends bytes; throws `too_large` past the announced size. */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Checks that exactly the announced size arrived and, when the sender gave
   * one, that its SHA-256 is `sha256Hex`, makes it durable, and moves it into
   * place atomically. On a mismatch the partial data is discarded and
   * `integrity` is thrown. The hash the back end keeps is its own
   * ({@linkcode UploadSink.sha256}), never the sender's.
   *
   * @returns The committed entry.
   */
  commit(sha256Hex?: string): Promise<Entry>;
  /**
   * The SHA-256 (lower-case hex) of the committed bytes, as hashed by the
   * back end while they arrived; `undefined` until a commit succeeded.
   */
  readonly sha256: string | undefined;
  /**
   * Gives up for now: releases the lock, keeps the partial data for a resume
   * when the back end can resume it (see {@linkcode UploadSink.keptBytes}).
   */
  abort(): Promise<void>;
  /**
   * The bytes this upload leaves behind for a resume once it has ended: 0
   * while it runs, after a commit, and when its partial data was discarded
   * (a hash mismatch, a full disk, an upload too small to resume).
   */
  readonly keptBytes: number;
}

/** A partial upload kept for a resume, as {@linkcode Storage.listPartials} gives it. */
export interface PartialUpload {
  /** The remote path it will be committed to. */
  path: RemotePath;
  /** The bytes it holds. */
  bytes: number;
}

/** Options of {@linkcode Storage.rename}. */
export interface RenameOptions {
  /** Replace an existing file at the destination. */
  overwrite: boolean;
}

/** Options of {@linkcode Storage.removeDirectory}. */
export interface RemoveDirectoryOptions {
  /** Remove the contents too; without it a non-empty folder gives `not_empty`. */
  recursive: boolean;
}

/**
 * A place to keep files. All methods throw {@linkcode FerryError} with a
 * protocol code (`not_found`, `exists`, `busy`, `invalid_path`,
 * `is_directory`, `not_directory`, `not_empty`, `too_large`, `integrity`)
 * for anything a client can cause.
 */
export interface Storage {
  /** Describes one path. */
  stat(path: RemotePath): Promise<Entry>;
  /** Streams the entries of a folder, in no particular order. */
  list(path: RemotePath): AsyncIterable<Entry>;
  /** Opens a file for reading from `offset`. */
  openRead(path: RemotePath, offset: number): Promise<ReadSource>;
  /** Starts (or resumes) an upload; `busy` when another upload holds the path. */
  openUpload(path: RemotePath, options: UploadOptions): Promise<UploadSink>;
  /** Removes a file (not a folder). */
  remove(path: RemotePath): Promise<void>;
  /** Creates a folder whose parent exists. */
  makeDirectory(path: RemotePath): Promise<void>;
  /** Removes a folder. */
  removeDirectory(path: RemotePath, options: RemoveDirectoryOptions): Promise<void>;
  /** Moves a file or folder. */
  rename(from: RemotePath, to: RemotePath, options: RenameOptions): Promise<void>;
  /**
   * Deletes partial uploads untouched for `maxAgeMs` (none being written).
   *
   * @returns How many were deleted.
   */
  removeStalePartials(maxAgeMs: number): Promise<number>;
  /**
   * Streams the partial uploads kept for a resume, in no particular order,
   * except those being written now (their upload holds their room). Quotas
   * count them.
   */
  listPartials(): AsyncIterable<PartialUpload>;
  /**
   * Forgets the SHA-256 a back end recorded for a file (a client found that
   * the bytes it received no longer match it), so that the next read hashes
   * the file again. Absent when the back end keeps no hash index.
   */
  forgetSha256?(path: RemotePath): Promise<void>;
  /**
   * The SHA-256 (lower-case hex) the back end holds for the file as it is
   * now, found without reading the file; `undefined` when it holds none (the
   * caller then reads and hashes). Absent when the back end keeps no index.
   */
  knownSha256?(path: RemotePath): Promise<string | undefined>;
}
