/**
 * The {@linkcode HashIndex} as {@linkcode LocalStorage} uses it: one
 * connection per state folder in a process (shared by every storage opened
 * on it), and best effort. The index only saves reading files: when it
 * cannot be read or written (a full disk, a locked file) the storage works
 * on, finding no hash and hashing again, instead of failing the operation.
 *
 * @module
 */

import { fileStamp, HASH_INDEX_FILE, HashIndex } from "./hash_index.ts";
import type { RemotePath } from "../core/remote_path.ts";

const OPEN = new Map<string, HashIndex>();

/** The hash index of one local storage, by the remote paths of its files. */
export class LocalHashes {
  #file: string;

  private constructor(file: string) {
    this.#file = file;
  }

  /**
   * Opens the index of a state folder (`STATE/hash_index.sqlite`), or the
   * connection this process already has to it.
   *
   * @param stateDir The storage's state folder (absolute, resolved).
   * @returns The index.
   * @throws {Error} When the file exists but is no index (deleting it is safe).
   */
  static open(stateDir: string): LocalHashes {
    const hashes = new LocalHashes(`${stateDir}/${HASH_INDEX_FILE}`);
    hashes.#index();
    return hashes;
  }

  #index(): HashIndex {
    let index = OPEN.get(this.#file);
    if (index === undefined) {
      index = HashIndex.open(this.#file);
      OPEN.set(this.#file, index);
    }
    return index;
  }

  #try<T>(work: (index: HashIndex) => T): T | undefined {
    try {
      return work(this.#index());
    } catch {
      return undefined; // see the module's note: a missing row only costs a hash
    }
  }

  /**
   * The recorded SHA-256 of `path` when it still describes the file `info`
   * describes (a stale row is dropped).
   */
  lookup(path: RemotePath, info: Deno.FileInfo): string | undefined {
    const stamp = fileStamp(info);
    return stamp === undefined ? undefined : this.#try((index) => index.lookup(path, stamp));
  }

  /** Records the SHA-256 of `path` as the file was when `info` was taken. */
  record(path: RemotePath, info: Deno.FileInfo, sha256: string): void {
    const stamp = fileStamp(info);
    if (stamp !== undefined) this.#try((index) => index.record(path, stamp, sha256));
  }

  /**
   * A hook recording the SHA-256 of `path` as the file was when `info` was
   * taken: a file changed since then never matches the row.
   */
  recorder(path: RemotePath, info: Deno.FileInfo): (sha256: string) => Promise<void> {
    return (sha256) => Promise.resolve(this.record(path, info, sha256));
  }

  /** Forgets a file. */
  forget(path: RemotePath): void {
    this.#try((index) => index.forget(path));
  }

  /** Forgets a path and everything below it. */
  async forgetTree(path: RemotePath): Promise<void> {
    await this.#try((index) => index.forgetTree(path))?.catch(() => {});
  }

  /** Moves the rows of a file, or of a folder and everything below it. */
  async move(from: RemotePath, to: RemotePath): Promise<void> {
    await this.#try((index) => index.move(from, to))?.catch(() => {});
  }

  /**
   * Closes this process's connection to the index (the next use opens it
   * again): for tests that reopen a storage, and for a clean shutdown.
   */
  close(): void {
    OPEN.get(this.#file)?.close();
    OPEN.delete(this.#file);
  }
}
