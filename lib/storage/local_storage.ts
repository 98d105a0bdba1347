/**
 * {@linkcode Storage} on the local disk: files in `DATA/files`, partial
 * uploads in `DATA/state/partial`, the SHA-256 of files in the hash index
 * `DATA/state/hash_index.sqlite` ({@linkcode LocalHashes}), every path
 * resolved through a {@linkcode Jail} and every change guarded by
 * {@linkcode PathLocks}.
 *
 * @module
 */

import { dataLayout } from "../core/defaults.ts";
import { FerryError } from "../core/errors.ts";
import { checkRename, checkUpload } from "./upload_checks.ts";
import { statKind, toEntry } from "./entry_info.ts";
import { fsError } from "../local_fs/fs_error.ts";
import { Jail } from "./jail.ts";
import { listDirectory } from "./local_list.ts";
import { openLocalRead } from "./local_read.ts";
import { DirectIo } from "../local_fs/direct_io.ts";
import { LocalUpload } from "./local_upload.ts";
import { PartialFiles } from "./partial_files.ts";
import { PathLocks } from "./path_locks.ts";
import { HashCache } from "./resumable_hash.ts";
import { LocalHashes } from "./local_hashes.ts";
import { baseName, isSameOrInside, quotePath } from "../core/remote_path.ts";
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

// One lock table per shared folder, so two LocalStorage objects opened on the
// same data folder in one process still exclude each other.
const LOCK_TABLES = new Map<string, PathLocks>();

/**
 * The local-disk back end.
 *
 * @example Writing and reading a file
 * ```ts
 * import { LocalStorage } from "./local_storage.ts";
 * import { ViewReader } from "../core/byte_source.ts";
 * import { createHash } from "node:crypto";
 * import assert from "node:assert/strict";
 * const data = await Deno.makeTempDir();
 * const storage = await LocalStorage.open(data);
 * const bytes = new TextEncoder().encode("hello");
 * const upload = await storage.openUpload("a.txt", { size: 5, overwrite: false, resume: false });
 * await upload.write(bytes);
 * await upload.commit(createHash("sha256").update(bytes).digest("hex"));
 * const read = await new ViewReader((await storage.openRead("a.txt", 0)).bytes).read(new Uint8Array(8));
 * assert.equal(new TextDecoder().decode(read ?? undefined), "hello");
 * await Deno.remove(data, { recursive: true });
 * ```
 */
export class LocalStorage implements Storage {
  #jail: Jail;
  #locks: PathLocks;
  #partials: PartialFiles;
  #hashes = new HashCache();
  #directIo = new DirectIo();
  #index: LocalHashes;

  private constructor(jail: Jail, locks: PathLocks, partials: PartialFiles, index: LocalHashes) {
    this.#jail = jail;
    this.#locks = locks;
    this.#partials = partials;
    this.#index = index;
  }

  /**
   * Opens (creating when missing) `DATA/files` and `DATA/state/partial`; the
   * state folders are created with mode 0700. At the first open in a process,
   * partial files that can never resume (no record: see `RESUME_MIN_BYTES`)
   * are deleted.
   *
   * @param dataDir The data folder (`--data`).
   * @param options `resumeMinBytes`: uploads smaller than this keep no
   *   resume record. @default {RESUME_MIN_BYTES}
   * @returns The storage.
   * @throws {Error} When the state folder lies inside the files folder, the
   * two are on different file systems (uploads could not be moved in place),
   * or the hash index is not one (deleting it is safe).
   */
  static async open(
    dataDir: string,
    options: { resumeMinBytes?: number } = {},
  ): Promise<LocalStorage> {
    const { files: filesDir, state: stateDir } = dataLayout(dataDir);
    await Deno.mkdir(filesDir, { recursive: true });
    await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });
    await Deno.mkdir(`${stateDir}/partial`, { recursive: true, mode: 0o700 });
    const root = await Deno.realPath(filesDir);
    const partialDir = await Deno.realPath(`${stateDir}/partial`);
    const jail = new Jail(root);
    if (jail.contains(partialDir)) {
      throw new Error(`Cannot open storage in "${dataDir}": the state folder is inside "files"`);
    }
    if ((await Deno.stat(root)).dev !== (await Deno.stat(partialDir)).dev) {
      throw new Error(
        `Cannot open storage in "${dataDir}": "files" and "state" must be on one file system`,
      );
    }
    const partials = new PartialFiles(partialDir, options);
    let locks = LOCK_TABLES.get(root);
    if (locks === undefined) {
      locks = new PathLocks();
      LOCK_TABLES.set(root, locks);
      await partials.removeUnresumable();
    }
    const index = LocalHashes.open(await Deno.realPath(stateDir));
    return new LocalStorage(jail, locks, partials, index);
  }

  /** Describes a file or folder, following symbolic links that stay inside. */
  stat(path: RemotePath): Promise<Entry> {
    const action = `Cannot stat ${quotePath(path)}`;
    try {
      const real = this.#jail.resolveExisting(path, action);
      return Promise.resolve(toEntry(baseName(path), statKind(real, action)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Streams a folder's files and folders. Links leading outside the shared
   * folder, dangling links, special files and names no client could send are
   * left out. Errors about `path` itself arrive at the first iteration.
   */
  list(path: RemotePath): AsyncIterable<Entry> {
    return listDirectory(this.#jail, path);
  }

  /**
   * Opens a regular file at `offset`. The caller must read the stream to its
   * end or cancel it, which closes the file.
   */
  openRead(path: RemotePath, offset: number): Promise<ReadSource> {
    return openLocalRead(this.#jail, path, offset, this.#directIo, this.#index);
  }

  /**
   * The SHA-256 the index holds for a file as it is now (same size, mtime
   * and inode as when it was recorded), without opening it.
   *
   * @throws {FerryError} `is_directory` for a folder, `not_found`, `invalid_path`.
   */
  knownSha256(path: RemotePath): Promise<string | undefined> {
    const action = `Cannot hash ${quotePath(path)}`;
    try {
      const info = statKind(this.#jail.resolveExisting(path, action), action);
      if (info.isDirectory) throw new FerryError("is_directory", `${action}: it is a folder`);
      return Promise.resolve(this.#index.lookup(path, info));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Forgets the indexed SHA-256 of a file: the next use hashes it again. */
  forgetSha256(path: RemotePath): Promise<void> {
    this.#index.forget(path);
    return Promise.resolve();
  }

  /**
   * Closes this process's connection to the hash index (any later use opens
   * it again): for tests that reopen a storage, and a clean shutdown.
   */
  close(): void {
    this.#index.close();
  }

  /** Starts or resumes an upload; the returned sink holds the path's lock. */
  async openUpload(path: RemotePath, options: UploadOptions): Promise<UploadSink> {
    const action = checkUpload(path, options);
    const lock = this.#locks.tryAcquire(path, "upload");
    try {
      const target = this.#jail.resolveForCreate(path, action);
      if (target.existing?.isDirectory) {
        throw new FerryError("is_directory", `${action}: it is a folder`);
      }
      if (target.existing !== undefined && !options.overwrite && !options.keepBoth) {
        throw new FerryError("exists", `${action}: it already exists`);
      }
    } catch (error) {
      lock.release();
      throw error;
    }
    return await LocalUpload.start({
      path,
      options,
      jail: this.#jail,
      partials: this.#partials,
      hashes: this.#hashes,
      directIo: this.#directIo,
      lock,
      committed: (placed, info, sha256) => this.#index.record(placed, info, sha256),
    });
  }

  /**
   * Deletes partial uploads untouched for `maxAgeMs`, except those being written.
   *
   * @returns How many were deleted.
   */
  removeStalePartials(maxAgeMs: number): Promise<number> {
    return this.#partials.removeOlderThan(maxAgeMs, (path) => this.#locks.isLocked(path));
  }

  /** Streams the partial uploads kept for a resume, except those being written. */
  listPartials(): AsyncIterable<PartialUpload> {
    return this.#partials.list((path) => this.#locks.isLocked(path));
  }

  /** Removes a file, or a symbolic link itself (never what it leads to). */
  async remove(path: RemotePath): Promise<void> {
    const action = `Cannot remove ${quotePath(path)}`;
    if (path === "") throw new FerryError("is_directory", `${action}: it is the root folder`);
    using _lock = this.#locks.tryAcquire(path, "remove");
    const entry = this.#jail.resolveEntry(path, action);
    if (entry.info.isDirectory) throw new FerryError("is_directory", `${action}: it is a folder`);
    try {
      await Deno.remove(entry.path);
    } catch (error) {
      throw fsError(error, action);
    }
    this.#index.forget(path);
  }

  /** Creates one folder; its parent must exist. */
  async makeDirectory(path: RemotePath): Promise<void> {
    const action = `Cannot create folder ${quotePath(path)}`;
    if (path === "") throw new FerryError("exists", `${action}: it is the root folder`);
    using _lock = this.#locks.tryAcquire(path, "makeDirectory");
    const target = this.#jail.resolveForCreate(path, action);
    if (target.existing !== undefined) {
      throw new FerryError("exists", `${action}: it already exists`);
    }
    try {
      await Deno.mkdir(target.path);
    } catch (error) {
      throw fsError(error, action);
    }
  }

  /**
   * Removes a folder (with its contents when `recursive`). For a symbolic
   * link to a folder only the link is removed. The root cannot be removed.
   */
  async removeDirectory(path: RemotePath, options: RemoveDirectoryOptions): Promise<void> {
    const action = `Cannot remove folder ${quotePath(path)}`;
    if (path === "") throw new FerryError("invalid_path", `${action}: it is the root folder`);
    using _lock = this.#locks.tryAcquire(path, "removeDirectory");
    const entry = this.#jail.resolveEntry(path, action);
    if (!entry.info.isDirectory) {
      throw new FerryError("not_directory", `${action}: it is not a folder`);
    }
    try {
      await Deno.remove(entry.path, { recursive: options.recursive && !entry.isSymlink });
    } catch (error) {
      // A recursive removal may have taken part of the folder before failing.
      if (options.recursive) await this.#index.forgetTree(path);
      throw fsError(error, action);
    }
    await this.#index.forgetTree(path);
  }

  /**
   * Moves a file or folder (a symbolic link moves itself). Only a file
   * replaces a file, and only with `overwrite`.
   */
  async rename(from: RemotePath, to: RemotePath, options: RenameOptions): Promise<void> {
    const action = checkRename(from, to);
    using _from = this.#locks.tryAcquire(from, "rename");
    const source = this.#jail.resolveEntry(from, action);
    if (from === to) return;
    using _to = this.#locks.tryAcquire(to, "rename");
    const target = this.#jail.resolveForCreate(to, action);
    const moved = source.path;
    if (source.info.isDirectory && !source.isSymlink && isSameOrInside(target.path, moved)) {
      throw new FerryError("invalid_path", `${action}: a folder cannot move into itself`);
    }
    if (target.existing !== undefined) {
      if (!options.overwrite) {
        throw new FerryError("exists", `${action}: ${quotePath(to)} already exists`);
      }
      if (target.existing.isDirectory) {
        throw new FerryError("is_directory", `${action}: the destination is a folder`);
      }
      if (source.info.isDirectory) {
        throw new FerryError("is_directory", `${action}: a folder cannot replace a file`);
      }
    }
    try {
      await Deno.rename(moved, target.path);
    } catch (error) {
      throw fsError(error, action);
    }
    if (!source.info.isDirectory) this.#index.forget(to); // a file replaced by a file's rows
    await this.#index.move(from, to);
  }
}
