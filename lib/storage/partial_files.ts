/**
 * Where unfinished uploads live: `DATA/state/partial/<sha256 of the remote
 * path>.part` for the bytes and `<same>.json` for what they belong to, so a
 * later upload can tell whether it may resume them.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { RemotePath } from "../core/remote_path.ts";
import type { PartialUpload, UploadOptions } from "./storage.ts";

/** What a partial upload is for, kept next to its bytes. */
export interface PartialMeta {
  /** The remote path the upload goes to. */
  path: RemotePath;
  /** The size the sender announced. */
  size: number;
  /** The modification time the sender announced, when it did. */
  mtime?: number;
  /** When the upload started, ms since the epoch. */
  createdAt: number;
}

/** The two files of one partial upload. */
export interface PartialLocation {
  /** The bytes received so far. */
  data: string;
  /** The {@linkcode PartialMeta} as JSON. */
  meta: string;
}

/** An open partial file, positioned at its end. */
export interface OpenedPartial {
  /** The file, open for writing; the caller closes it. */
  file: Deno.FsFile;
  /** How many bytes it already holds: where the sender must start. */
  offset: number;
  /** Whether a metadata file was written (so a later upload may resume it). */
  withMeta: boolean;
}

/**
 * Uploads smaller than this keep no resume record: resending them costs less
 * than the record (a write and a delete), and many small files go faster.
 */
export const RESUME_MIN_BYTES = 1024 * 1024;

/**
 * Uploads up to this size are created and written with direct (synchronous)
 * calls: for a small file the hops to Deno's thread pool cost more than the
 * calls (ferryd's CPU for 1,000 × 4 KiB uploads: −16 %, docs/PERFORMANCE.md).
 * Larger ones are opened with async calls, and their data goes through
 * direct calls only while they stay fast (see `DirectIo`).
 */
export const DIRECT_IO_MAX_BYTES = 64 * 1024;

// Our own small file; anything bigger is not ours.
const MAX_META_BYTES = 16 * 1024;

/**
 * The partial-upload folder.
 *
 * @example Locating a partial upload
 * ```ts
 * import { PartialFiles } from "./partial_files.ts";
 * import assert from "node:assert/strict";
 * const partials = new PartialFiles("/srv/data/state/partial");
 * assert.match(partials.locate("a/b.txt").data, /^\/srv\/data\/state\/partial\/[0-9a-f]{64}\.part$/);
 * ```
 */
export class PartialFiles {
  #dir: string;
  #resumeMinBytes: number;

  /**
   * @param dir The absolute path of the partial-upload folder.
   * @param options `resumeMinBytes`: uploads smaller than this keep no resume
   *   record. @default {RESUME_MIN_BYTES}
   */
  constructor(dir: string, options: { resumeMinBytes?: number } = {}) {
    this.#dir = dir;
    this.#resumeMinBytes = options.resumeMinBytes ?? RESUME_MIN_BYTES;
  }

  /**
   * Names the files of the partial upload of `path`.
   *
   * @param path A normalised remote path.
   * @returns The absolute paths of its bytes and its metadata.
   */
  locate(path: RemotePath): PartialLocation {
    const key = createHash("sha256").update(path, "utf8").digest("hex");
    return { data: `${this.#dir}/${key}.part`, meta: `${this.#dir}/${key}.json` };
  }

  /**
   * Opens the partial file of an upload. With `options.resume`, a partial whose
   * metadata matches the path, size and mtime (and which is not longer than
   * the size) is reopened at its end; otherwise the partial is replaced by a
   * new, empty file and its metadata rewritten. Nothing is read: see
   * `resumable_hash.ts`. A partial that is also a committed file (a `kill -9`
   * after the hard link into place, before the partial's removal) is never
   * resumed nor emptied in place: that would change the committed file.
   *
   * @param path A normalised remote path.
   * @param options The upload's options.
   * @returns The open file and its length.
   */
  async open(path: RemotePath, options: UploadOptions): Promise<OpenedPartial> {
    const withMeta = options.size >= this.#resumeMinBytes;
    if (options.resume && withMeta) {
      const resumed = await this.#reopen(path, options);
      if (resumed !== undefined) return resumed;
    }
    const data = this.locate(path).data;
    const file = options.size <= DIRECT_IO_MAX_BYTES ? createNow(data) : await createFile(data);
    try {
      const { size, mtime } = options;
      const createdAt = Date.now();
      if (withMeta) {
        await this.#writeMeta(
          mtime === undefined ? { path, size, createdAt } : { path, size, mtime, createdAt },
        );
      }
    } catch (error) {
      file.close();
      throw error;
    }
    return { file, offset: 0, withMeta };
  }

  /**
   * Reads the metadata of the partial upload of `path`.
   *
   * @param path A normalised remote path.
   * @returns The metadata, or `undefined` when there is none or it is unreadable.
   */
  readMeta(path: RemotePath): Promise<PartialMeta | undefined> {
    return this.#readMetaFile(this.locate(path).meta);
  }

  async #readMetaFile(file: string): Promise<PartialMeta | undefined> {
    try {
      if ((await Deno.stat(file)).size > MAX_META_BYTES) return undefined;
      return parseMeta(JSON.parse(await Deno.readTextFile(file)));
    } catch {
      return undefined;
    }
  }

  async #writeMeta(meta: PartialMeta): Promise<void> {
    await Deno.writeTextFile(this.locate(meta.path).meta, JSON.stringify(meta), { mode: 0o600 });
  }

  /**
   * Deletes partial uploads untouched for longer than `maxAgeMs`, except
   * those `isBusy` says are being written.
   *
   * @returns How many were deleted.
   */
  async removeOlderThan(maxAgeMs: number, isBusy: (path: RemotePath) => boolean): Promise<number> {
    const cutoff = Date.now() - maxAgeMs;
    let removed = 0;
    for await (const entry of Deno.readDir(this.#dir)) {
      const orphanMeta = entry.name.endsWith(".json");
      if (!entry.isFile || !(entry.name.endsWith(".part") || orphanMeta)) continue;
      const data = `${this.#dir}/${entry.name.replace(/\.json$/, ".part")}`;
      const meta = data.replace(/\.part$/, ".json");
      // A record whose bytes are gone is left over (a small upload replaced a big one's partial).
      if (orphanMeta && await Deno.stat(data).then(() => true, () => false)) continue;
      const info = await Deno.stat(orphanMeta ? meta : data).catch(() => undefined);
      if (!info?.mtime || info.mtime.getTime() > cutoff) continue;
      const owner = await this.#readMetaFile(meta);
      if (owner && isBusy(owner.path)) continue;
      await removeIfPresent(data);
      await removeIfPresent(meta);
      removed++;
    }
    return removed;
  }

  /**
   * Streams the partial uploads that have a record (the only ones that can
   * resume), except those `isBusy` says are being written.
   */
  async *list(isBusy: (path: RemotePath) => boolean): AsyncIterable<PartialUpload> {
    for await (const entry of Deno.readDir(this.#dir)) {
      if (!entry.isFile || !entry.name.endsWith(".json")) continue;
      const meta = await this.#readMetaFile(`${this.#dir}/${entry.name}`);
      if (meta === undefined || isBusy(meta.path)) continue;
      const { data } = this.locate(meta.path);
      // A record under another path's name is not this path's (copied by hand).
      if (data !== `${this.#dir}/${entry.name.replace(/\.json$/, ".part")}`) continue;
      const info = await Deno.stat(data).catch(() => undefined);
      if (info?.isFile) yield { path: meta.path, bytes: info.size };
    }
  }

  /**
   * Deletes the partial files that have no record: uploads too small to
   * resume, left by a process that ended without aborting them (`kill -9`).
   * Only before the first upload of this process: a big upload's file
   * exists a moment before its record.
   *
   * @returns How many were deleted.
   */
  async removeUnresumable(): Promise<number> {
    let removed = 0;
    for await (const entry of Deno.readDir(this.#dir)) {
      if (!entry.isFile || !entry.name.endsWith(".part")) continue;
      const data = `${this.#dir}/${entry.name}`;
      if (await Deno.stat(data.replace(/\.part$/, ".json")).then(() => true, () => false)) continue;
      await removeIfPresent(data);
      removed++;
    }
    return removed;
  }

  /**
   * Deletes the files of the partial upload of `path`, if present. An unlink
   * is a direct call, like the jail's (see jail.ts).
   *
   * @param path A normalised remote path.
   * @param withMeta Whether it has a metadata file too. @default {true}
   */
  discard(path: RemotePath, withMeta = true): void {
    const { data, meta } = this.locate(path);
    removeNowIfPresent(data);
    if (withMeta) removeNowIfPresent(meta);
  }

  async #reopen(path: RemotePath, options: UploadOptions): Promise<OpenedPartial | undefined> {
    const meta = await this.readMeta(path);
    if (meta?.path !== path || meta.size !== options.size || meta.mtime !== options.mtime) {
      return undefined;
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.locate(path).data, { read: true, write: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    try {
      const info = await file.stat();
      const offset = info.size;
      // More than one link: a committed file's leftover (see `open`), not a partial.
      if (offset > options.size || (info.nlink ?? 1) > 1) {
        file.close();
        return undefined;
      }
      await file.seek(0, Deno.SeekMode.End);
      return { file, offset, withMeta: true };
    } catch (error) {
      file.close();
      throw error;
    }
  }
}

function parseMeta(value: unknown): PartialMeta | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { path, size, mtime, createdAt } = value as Record<string, unknown>;
  if (typeof path !== "string" || typeof size !== "number" || typeof createdAt !== "number") {
    return undefined;
  }
  if (mtime !== undefined && typeof mtime !== "number") return undefined;
  return mtime === undefined ? { path, size, createdAt } : { path, size, mtime, createdAt };
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function removeNowIfPresent(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

// A new file (a new inode) each time: an old partial may be a committed file's other name.
const CREATE_OPTIONS: Deno.OpenOptions = { write: true, createNew: true };

/**
 * Creates a small upload's partial file, replacing any old one: see
 * {@linkcode DIRECT_IO_MAX_BYTES}.
 */
function createNow(path: string): Deno.FsFile {
  try {
    return Deno.openSync(path, CREATE_OPTIONS);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  removeNowIfPresent(path);
  return Deno.openSync(path, CREATE_OPTIONS);
}

/** Creates an upload's partial file, replacing any old one. */
async function createFile(path: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, CREATE_OPTIONS);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  await removeIfPresent(path);
  return await Deno.open(path, CREATE_OPTIONS);
}
