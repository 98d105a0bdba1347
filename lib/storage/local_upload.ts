/**
 * The {@linkcode UploadSink} of {@linkcode LocalStorage}: bytes go to a
 * partial file in the state folder, are hashed as they arrive, and on commit
 * are verified, made durable and moved into place atomically, so no reader
 * ever sees half a file.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { BufferedFileWriter, writeAllNow } from "../local_fs/buffered_file_writer.ts";
import type { DirectIo } from "../local_fs/direct_io.ts";
import { EARLY_SYNC_BYTES, EarlySync } from "../local_fs/early_sync.ts";
import { DirectorySyncs } from "../local_fs/directory_sync.ts";
import { placeUpload } from "../local_fs/place_file.ts";
import { fsError, isDiskFull } from "../local_fs/fs_error.ts";
import type { Jail } from "./jail.ts";
import { DIRECT_IO_MAX_BYTES, type PartialFiles } from "./partial_files.ts";
import type { PathLock } from "./path_locks.ts";
import { parentOf, quotePath } from "../core/remote_path.ts";
import { type HashCache, ResumableHash } from "./resumable_hash.ts";
import type { RemotePath } from "../core/remote_path.ts";
import type { Entry, UploadOptions } from "./storage.ts";
import { UploadShell } from "./upload_shell.ts";

/** What {@linkcode LocalUpload.start} needs. */
export interface LocalUploadInit {
  /** The remote path being written. */
  path: RemotePath;
  /** The options the client gave. */
  options: UploadOptions;
  /** The jail of the shared folder, to place the file on commit. */
  jail: Jail;
  /** The partial-upload folder. */
  partials: PartialFiles;
  /** Hash states of aborted uploads in this process. */
  hashes: HashCache;
  /** Whether big writes may be direct calls now (shared by the storage). */
  directIo: DirectIo;
  /** The write lock on `path`; the upload owns it from now on. */
  lock: PathLock;
  /** Told the verified SHA-256 of the committed file, its remote path and its stat. */
  committed?: (path: RemotePath, info: Deno.FileInfo, sha256: string) => void;
}

/**
 * An upload into a local folder. It owns its {@linkcode PathLock} and releases
 * it exactly once: when {@linkcode LocalUpload.commit} ends (success or
 * failure), at {@linkcode LocalUpload.abort}, or when starting fails.
 *
 * Calls are serialised ({@linkcode UploadShell}): a `commit` or `abort`
 * waits for a pending `write`. A write past the announced size throws
 * `too_large` and writes nothing; the caller then aborts.
 * An upload that does not commit keeps its partial file only when it can
 * resume (a record, see `RESUME_MIN_BYTES`, and no full disk under it).
 */
export class LocalUpload extends UploadShell {
  #jail: Jail;
  #partials: PartialFiles;
  #lock: PathLock;
  #hashes: HashCache;
  #partialPath: string;
  #file: Deno.FsFile | undefined;
  /** Gathers a big upload's messages into fewer file writes. */
  #out: BufferedFileWriter | undefined;
  /** Flushes a big upload to the disk while it comes, so the commit's sync is short. */
  #early: EarlySync | undefined;
  #hash: ResumableHash;
  #withMeta: boolean;
  #offset: number;
  #written: number;
  /** Set when a write met a full disk: the partial is not kept then. */
  #diskFull = false;
  #kept = 0;
  #committed: LocalUploadInit["committed"];

  private constructor(
    init: LocalUploadInit,
    file: Deno.FsFile,
    hash: ResumableHash,
    offset: number,
    withMeta: boolean,
  ) {
    super(init.path, init.options);
    this.#withMeta = withMeta;
    this.#hashes = init.hashes;
    this.#partialPath = init.partials.locate(init.path).data;
    this.#jail = init.jail;
    this.#partials = init.partials;
    this.#lock = init.lock;
    this.#committed = init.committed;
    this.#file = file;
    if (init.options.size > DIRECT_IO_MAX_BYTES) {
      this.#out = new BufferedFileWriter(file, { direct: init.directIo });
    }
    if (init.options.size - offset > EARLY_SYNC_BYTES) this.#early = new EarlySync(file);
    this.#hash = hash;
    this.#offset = offset;
    this.#written = offset;
  }

  /**
   * Opens the partial file: resumes a matching one when asked, else starts
   * an empty one (truncating any earlier partial of the same path).
   *
   * @param init The path, options, jail, partial folder and lock.
   * @returns The open upload.
   * @throws {FerryError} A mapped file system error; the lock is released
   * (and what was written deleted, when the disk is full).
   */
  static async start(init: LocalUploadInit): Promise<LocalUpload> {
    try {
      const { file, offset, withMeta } = await init.partials.open(init.path, init.options);
      const partial = init.partials.locate(init.path).data;
      const cached = init.hashes.take(partial);
      const hash = offset === 0
        ? ResumableHash.fresh(partial)
        : ResumableHash.resume(partial, offset, cached);
      return new LocalUpload(init, file, hash, offset, withMeta);
    } catch (error) {
      try {
        if (isDiskFull(error)) init.partials.discard(init.path);
      } finally {
        init.lock.release();
      }
      throw fsError(error, `Cannot start the upload of ${quotePath(init.path)}`);
    }
  }

  /** Where the sender must start: 0, or the length of the resumed partial. */
  get offset(): number {
    return this.#offset;
  }

  /** The bytes of the partial file kept for a resume once the upload ended (0 when none is). */
  get keptBytes(): number {
    return this.#kept;
  }

  /**
   * Closes the partial file, keeps it (and, in memory, its hash state) for a
   * resume when it can resume (else deletes it), and releases the lock.
   */
  protected async keep(): Promise<void> {
    // The hash state is kept only if the file holds every byte it covers.
    let resumable = this.state === "open";
    try {
      await this.#out?.flush();
    } catch (error) {
      resumable = false;
      if (isDiskFull(error)) this.#diskFull = true;
    }
    await this.#early?.settle().catch(() => {
      resumable = false;
    });
    const snapshot = resumable && this.#keeps() ? this.#hash.snapshot() : undefined;
    if (snapshot) this.#hashes.put(this.#partialPath, snapshot);
    this.#finish("kept");
  }

  /** The bytes in the partial file, offset included. */
  protected received(): number {
    return this.#written;
  }

  /** Appends bytes to the partial file and to the hash. */
  protected async store(chunk: Uint8Array, action: string): Promise<void> {
    const file = this.#openFile(action);
    try {
      if (this.#out) {
        await this.#out.write(chunk);
        // The background hash reads what is in the file up to the bytes
        // counted as written: none may wait in the buffer meanwhile.
        if (this.#hash.catchingUp) await this.#out.flush();
      } else {
        writeAllNow(file, chunk); // a small upload: see DIRECT_IO_MAX_BYTES
      }
    } catch (error) {
      this.state = "broken";
      if (isDiskFull(error)) this.#diskFull = true;
      throw fsError(error, action);
    }
    this.#hash.update(chunk);
    this.#written += chunk.byteLength;
    this.#early?.appended(chunk.byteLength);
  }

  /**
   * Verifies the size and SHA-256, makes the file durable and moves it into
   * place: with `overwrite` by `rename`, without it by a hard link, which fails
   * when the target appeared in the meantime instead of replacing it. On a
   * size mismatch the partial is kept for a resume, on a hash mismatch it is
   * deleted; a verified partial that cannot be placed is kept.
   */
  protected async place(
    action: string,
    expected: string | undefined,
  ): Promise<{ entry: Entry; sha256: string }> {
    const file = this.#openFile(action);
    const broken = this.state === "broken";
    let gone = false;
    try {
      // No early sync may still run on the file when it is closed or synced.
      await this.#early?.settle();
      if (broken) throw new FerryError("internal", `${action}: an earlier write failed`);
      const { size, overwrite, mtime } = this.options;
      if (this.#written !== size) {
        throw new FerryError("integrity", `${action}: received ${this.#written} of ${size} bytes`);
      }
      await this.#out?.flush();
      const sha256 = await this.#hash.digest();
      if (this.differs(sha256, expected)) {
        this.#closeFile();
        this.#partials.discard(this.path, this.#withMeta);
        gone = true;
        throw this.mismatch(action);
      }
      if (mtime !== undefined) setTimes(file, mtime);
      await file.syncData();
      // The entry says the file's own mtime (its last write, or the one set),
      // not the time of the commit.
      const info = file.statSync();
      const stored = info.mtime?.getTime() ?? mtime ?? Date.now();
      this.#closeFile();
      const partial = this.#partials.locate(this.path).data;
      const how = overwrite ? "replace" : this.options.keepBoth ? "keep-both" : "new";
      // A new file is placed by a hard link, which fails when the name is taken: no need to look.
      const target = how === "new"
        ? { path: this.#jail.resolveNewEntry(this.path, action), existing: undefined }
        : this.#jail.resolveForCreate(this.path, action);
      if (target.existing?.isDirectory) {
        throw new FerryError("is_directory", `${action}: a folder with that name exists`);
      }
      const placed = placeUpload(partial, target.path, how);
      gone = true;
      const name = placed.slice(placed.lastIndexOf("/") + 1);
      const folder = parentOf(this.path);
      this.#committed?.(folder === "" ? name : `${folder}/${name}`, info, sha256);
      await FOLDER_SYNCS.sync(placed.slice(0, placed.lastIndexOf("/")) || "/");
      try {
        this.#partials.discard(this.path, this.#withMeta);
      } catch {
        // The file is in place: a leftover partial would only be overwritten later.
      }
      return { entry: { name, kind: "file", size, mtime: stored }, sha256 };
    } catch (error) {
      if (isDiskFull(error)) this.#diskFull = true;
      throw fsError(error, action);
    } finally {
      this.#finish(gone ? "gone" : "kept");
    }
  }

  #openFile(action: string): Deno.FsFile {
    if (this.state === "finished" || this.#file === undefined) {
      throw new TypeError(`${action}: the upload is finished`);
    }
    return this.#file;
  }

  /** Whether a partial left now could resume: it has a record, and the disk did not fill under it. */
  #keeps(): boolean {
    return this.#withMeta && !this.#diskFull;
  }

  /**
   * Ends the upload: closes the file, keeps the partial (`"kept"`) only when
   * it can resume, else deletes it (`"gone"`: none is left), and releases the lock.
   */
  #finish(partial: "kept" | "gone"): void {
    this.state = "finished";
    try {
      const keep = partial === "kept" && this.#keeps();
      if (keep) this.#kept = this.#file?.statSync().size ?? this.#written;
      this.#closeFile();
      if (partial === "kept" && !keep) this.#partials.discard(this.path, this.#withMeta);
    } catch {
      // A partial that could not be closed or deleted is swept later (partialMaxAgeHours).
    } finally {
      this.#lock.release();
    }
  }

  #closeFile(): void {
    const file = this.#file;
    this.#file = undefined;
    file?.close();
  }
}

/** Sets the modification (and access) time the sender announced. */
function setTimes(file: Deno.FsFile, mtime: number): void {
  const time = new Date(mtime);
  file.utimeSync(time, time);
}

/** Folder syncs of this process, coalesced across uploads (group commit). */
const FOLDER_SYNCS = new DirectorySyncs();
