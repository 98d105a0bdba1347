/**
 * The storage a user with a quota works through: the user's own view, whose
 * uploads tell the user's {@linkcode FolderUsage} what they take over and
 * what they leave behind for a resume, so that partial uploads count
 * against the quota while they exist.
 *
 * @module
 */

import type {
  Entry,
  PartialUpload,
  ReadSource,
  RemotePath,
  RemoveDirectoryOptions,
  RenameOptions,
  Storage,
  UploadOptions,
  UploadSink,
} from "../storage/storage.ts";
import type { FolderUsage } from "./folder_usage.ts";

/** An upload that reports its end to the usage. */
class CountedUpload implements UploadSink {
  #inner: UploadSink;
  #usage: FolderUsage;
  #path: RemotePath;

  constructor(inner: UploadSink, usage: FolderUsage, path: RemotePath) {
    this.#inner = inner;
    this.#usage = usage;
    this.#path = path;
  }

  get offset(): number {
    return this.#inner.offset;
  }

  get keptBytes(): number {
    return this.#inner.keptBytes;
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.#inner.write(chunk);
  }

  get sha256(): string | undefined {
    return this.#inner.sha256;
  }

  async commit(sha256Hex?: string): Promise<Entry> {
    try {
      return await this.#inner.commit(sha256Hex);
    } finally {
      this.#usage.uploadEnded(this.#path, this.#inner.keptBytes);
    }
  }

  async abort(): Promise<void> {
    try {
      await this.#inner.abort();
    } finally {
      this.#usage.uploadEnded(this.#path, this.#inner.keptBytes);
    }
  }
}

/** A user's storage whose uploads keep the user's usage of partial uploads up to date. */
export class CountedStorage implements Storage {
  #inner: Storage;
  #usage: FolderUsage;

  /**
   * @param inner The user's view of the storage (the one `usage` counts).
   * @param usage The user's usage.
   */
  constructor(inner: Storage, usage: FolderUsage) {
    this.#inner = inner;
    this.#usage = usage;
  }

  /** Starts an upload; its partial upload's room passes to the upload's reservation. */
  async openUpload(path: RemotePath, options: UploadOptions): Promise<UploadSink> {
    let upload: UploadSink;
    try {
      upload = await this.#inner.openUpload(path, options);
    } catch (error) {
      // A failure after the partial was touched (a full disk) may have changed it: count again.
      if (this.#usage.hasPartial(path)) this.#usage.invalidatePartials();
      throw error;
    }
    this.#usage.uploadOpened(path);
    return new CountedUpload(upload, this.#usage, path);
  }

  /** Describes a path. */
  stat(path: RemotePath): Promise<Entry> {
    return this.#inner.stat(path);
  }

  /** Lists a folder. */
  list(path: RemotePath): AsyncIterable<Entry> {
    return this.#inner.list(path);
  }

  /** Opens a file for reading. */
  openRead(path: RemotePath, offset: number): Promise<ReadSource> {
    return this.#inner.openRead(path, offset);
  }

  /** Removes a file. */
  remove(path: RemotePath): Promise<void> {
    return this.#inner.remove(path);
  }

  /** Makes a folder. */
  makeDirectory(path: RemotePath): Promise<void> {
    return this.#inner.makeDirectory(path);
  }

  /** Removes a folder. */
  removeDirectory(path: RemotePath, options: RemoveDirectoryOptions): Promise<void> {
    return this.#inner.removeDirectory(path, options);
  }

  /** Moves a file or folder. */
  rename(from: RemotePath, to: RemotePath, options: RenameOptions): Promise<void> {
    return this.#inner.rename(from, to, options);
  }

  /** Cleans stale partial uploads; the usage counts them again afterwards. */
  async removeStalePartials(maxAgeMs: number): Promise<number> {
    const removed = await this.#inner.removeStalePartials(maxAgeMs);
    if (removed > 0) this.#usage.invalidatePartials();
    return removed;
  }

  /** Forgets the indexed SHA-256 of a file (when the storage keeps an index). */
  forgetSha256(path: RemotePath): Promise<void> {
    return this.#inner.forgetSha256?.(path) ?? Promise.resolve();
  }

  /** The indexed SHA-256 of a file, without reading it (when the storage keeps an index). */
  knownSha256(path: RemotePath): Promise<string | undefined> {
    return this.#inner.knownSha256?.(path) ?? Promise.resolve(undefined);
  }

  /** Streams the partial uploads kept for a resume. */
  listPartials(): AsyncIterable<PartialUpload> {
    return this.#inner.listPartials();
  }
}
