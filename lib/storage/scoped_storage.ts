/**
 * A view of a {@linkcode Storage} below one folder: a user's home. Every
 * path is prefixed, so the user's `""` is the home and nothing above it can
 * be named (paths are already normalised: no `..`).
 *
 * @module
 */

import type { RemotePath } from "../core/remote_path.ts";
import type {
  Entry,
  PartialUpload,
  ReadSource,
  RemoveDirectoryOptions,
  RenameOptions,
  Storage,
  UploadOptions,
  UploadSink,
} from "./storage.ts";

/** A storage seen from inside one of its folders. */
export class ScopedStorage implements Storage {
  #inner: Storage;
  #prefix: string;

  /**
   * @param inner The whole storage.
   * @param folder The folder to scope to (normalised, not the root).
   */
  constructor(inner: Storage, folder: RemotePath) {
    this.#inner = inner;
    this.#prefix = folder;
  }

  #at(path: RemotePath): RemotePath {
    return path === "" ? this.#prefix : `${this.#prefix}/${path}`;
  }

  /** Describes a path; the home itself is named `""`. */
  async stat(path: RemotePath): Promise<Entry> {
    const entry = await this.#inner.stat(this.#at(path));
    return path === "" ? { ...entry, name: "" } : entry;
  }

  /** Lists a folder. */
  list(path: RemotePath): AsyncIterable<Entry> {
    return this.#inner.list(this.#at(path));
  }

  /** Opens a file for reading. */
  openRead(path: RemotePath, offset: number): Promise<ReadSource> {
    return this.#inner.openRead(this.#at(path), offset);
  }

  /** Starts an upload. */
  openUpload(path: RemotePath, options: UploadOptions): Promise<UploadSink> {
    return this.#inner.openUpload(this.#at(path), options);
  }

  /** Removes a file. */
  remove(path: RemotePath): Promise<void> {
    return this.#inner.remove(this.#at(path));
  }

  /** Makes a folder. */
  makeDirectory(path: RemotePath): Promise<void> {
    return this.#inner.makeDirectory(this.#at(path));
  }

  /** Removes a folder; the home itself cannot be removed. */
  removeDirectory(path: RemotePath, options: RemoveDirectoryOptions): Promise<void> {
    return path === ""
      ? this.#inner.removeDirectory("", options) // the inner root refuses with a clear error
      : this.#inner.removeDirectory(this.#at(path), options);
  }

  /** Moves a file or folder within the home. */
  rename(from: RemotePath, to: RemotePath, options: RenameOptions): Promise<void> {
    return from === ""
      ? this.#inner.rename("", to, options) // the inner root refuses with a clear error
      : this.#inner.rename(this.#at(from), this.#at(to), options);
  }

  /** Streams the partial uploads of paths inside the folder, with their paths inside it. */
  async *listPartials(): AsyncIterable<PartialUpload> {
    const inside = `${this.#prefix}/`;
    for await (const partial of this.#inner.listPartials()) {
      if (partial.path.startsWith(inside)) {
        yield { path: partial.path.slice(inside.length), bytes: partial.bytes };
      }
    }
  }

  /** Cleans partial uploads of the whole storage. */
  removeStalePartials(maxAgeMs: number): Promise<number> {
    return this.#inner.removeStalePartials(maxAgeMs);
  }

  /** Forgets a file's recorded SHA-256, when the storage keeps an index. */
  async forgetSha256(path: RemotePath): Promise<void> {
    await this.#inner.forgetSha256?.(this.#at(path));
  }
}
