/**
 * {@linkcode Storage} in an S3 bucket (Ceph RGW, MinIO, AWS S3...): files
 * are objects below `PREFIX files/`, folders are key prefixes kept by a
 * zero-byte marker, partial uploads are multipart uploads recorded below
 * `PREFIX state/`, and write locks are lease objects that hold across every
 * server sharing the bucket. See `docs/SCALING.md`.
 *
 * @module
 */

import { checkRename, checkUpload } from "../upload_checks.ts";
import { FerryError } from "../../core/errors.ts";
import { quotePath } from "../../core/remote_path.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type {
  Entry,
  PartialUpload,
  RemoveDirectoryOptions,
  RenameOptions,
  Storage,
  UploadOptions,
  UploadSink,
} from "../storage.ts";
import { KeyMap } from "./key_map.ts";
import { LeaseLocks } from "./lease_locks.ts";
import type { Lease } from "./lease_locks.ts";
import { connectBucket } from "./s3_client.ts";
import { MAX_OBJECT_SIZE, resolveS3Config } from "./s3_config.ts";
import type { S3StorageConfig, S3StorageOptions } from "./s3_config.ts";
import type { S3Context } from "./s3_context.ts";
import { s3Error } from "./s3_errors.ts";
import { listS3Folder } from "./s3_list.ts";
import { openS3Read } from "./s3_read.ts";
import type { S3ReadSource } from "./s3_read.ts";
import { listUploads, moveEntry, removeFolder, removeStaleUploads } from "./s3_tree_ops.ts";
import { entryOf, findEntry, missing, requireParent } from "./s3_tree.ts";
import { S3Upload } from "./s3_upload.ts";
import { prepareUpload } from "./upload_resume.ts";

/**
 * The S3 back end. Each instance is one server for the leases: two
 * instances on one bucket exclude each other like two ferryd processes.
 *
 * @example Writing and reading a file
 * ```ts ignore
 * import { S3Storage } from "./s3_storage.ts";
 * import { createHash } from "node:crypto";
 * const storage = await S3Storage.open({
 *   endpoint: "http://127.0.0.1:8000",
 *   bucket: "ferry",
 *   region: "default",
 *   accessKeyId: "AK",
 *   secretAccessKey: "SK",
 * }, { createBucket: true });
 * const bytes = new TextEncoder().encode("hello");
 * const upload = await storage.openUpload("a.txt", { size: 5, overwrite: false, resume: false });
 * await upload.write(bytes);
 * await upload.commit(createHash("sha256").update(bytes).digest("hex"));
 * const { bytes, sha256 } = await storage.openRead("a.txt", 0);
 * ```
 */
export class S3Storage implements Storage {
  #ctx: S3Context;
  #locks: LeaseLocks;

  private constructor(ctx: S3Context) {
    this.#ctx = ctx;
    this.#locks = new LeaseLocks(ctx);
  }

  /**
   * Checks the configuration and that the bucket exists (creating it when
   * `options.createBucket`).
   *
   * @param config Endpoint, bucket, region, credentials and prefix.
   * @param options Tuning.
   * @returns The storage.
   * @throws {TypeError} For a malformed configuration.
   * @throws {Error} When the bucket does not exist or cannot be reached.
   */
  static async open(config: S3StorageConfig, options: S3StorageOptions = {}): Promise<S3Storage> {
    const resolved = resolveS3Config(config, options);
    const client = await connectBucket(resolved, "storage");
    const keys = new KeyMap(resolved.filesPrefix, resolved.statePrefix);
    return new S3Storage({ client, keys, config: resolved });
  }

  /** Describes a file or folder. */
  async stat(path: RemotePath): Promise<Entry> {
    const action = `Cannot stat ${quotePath(path)}`;
    try {
      const found = await findEntry(this.#ctx, path);
      if (found === undefined) {
        throw await missing(this.#ctx, path, action);
      }
      return entryOf(path, found);
    } catch (error) {
      throw s3Error(error, action);
    }
  }

  /** Streams a folder's entries, one listing page at a time. */
  list(path: RemotePath): AsyncIterable<Entry> {
    return listS3Folder(this.#ctx, path);
  }

  /** Opens a file at `offset` (a ranged GET); also gives the stored SHA-256. */
  openRead(path: RemotePath, offset: number): Promise<S3ReadSource> {
    return openS3Read(this.#ctx, path, offset);
  }

  /** Starts or resumes an upload; the returned sink holds the path's lease. */
  async openUpload(path: RemotePath, options: UploadOptions): Promise<UploadSink> {
    const action = checkUpload(path, options);
    if (options.size > MAX_OBJECT_SIZE) {
      throw new FerryError("too_large", `${action}: the object store takes at most 5 TiB`);
    }
    const lease = await this.#locks.acquire(path, "upload");
    try {
      await requireParent(this.#ctx, path, action);
      const found = await findEntry(this.#ctx, path);
      if (found?.kind === "dir") throw new FerryError("is_directory", `${action}: it is a folder`);
      if (found !== undefined && !options.overwrite && !options.keepBoth) {
        throw new FerryError("exists", `${action}: it already exists`);
      }
      const start = await prepareUpload(this.#ctx, path, options);
      return new S3Upload({ ctx: this.#ctx, path, options, lease, start });
    } catch (error) {
      await lease.release();
      throw s3Error(error, action);
    }
  }

  /** Removes a file. */
  async remove(path: RemotePath): Promise<void> {
    const action = `Cannot remove ${quotePath(path)}`;
    if (path === "") throw new FerryError("is_directory", `${action}: it is the root folder`);
    await this.#locked(path, "remove", action, async () => {
      const found = await findEntry(this.#ctx, path);
      if (found === undefined) {
        throw await missing(this.#ctx, path, action);
      }
      if (found.kind === "dir") throw new FerryError("is_directory", `${action}: it is a folder`);
      await this.#ctx.client.delete(this.#ctx.keys.file(path));
    });
  }

  /** Creates one folder (its marker); its parent must exist. */
  async makeDirectory(path: RemotePath): Promise<void> {
    const action = `Cannot create folder ${quotePath(path)}`;
    if (path === "") throw new FerryError("exists", `${action}: it is the root folder`);
    await this.#locked(path, "makeDirectory", action, async () => {
      await requireParent(this.#ctx, path, action);
      if (await findEntry(this.#ctx, path) !== undefined) {
        throw new FerryError("exists", `${action}: it already exists`);
      }
      await this.#ctx.client.put(this.#ctx.keys.folder(path), "", {
        "content-type": "application/x-directory",
      });
    });
  }

  /**
   * Removes a folder (with everything below it when `recursive`: not
   * atomic, see {@linkcode removeFolder}). The root cannot be removed.
   */
  async removeDirectory(path: RemotePath, options: RemoveDirectoryOptions): Promise<void> {
    const action = `Cannot remove folder ${quotePath(path)}`;
    if (path === "") throw new FerryError("invalid_path", `${action}: it is the root folder`);
    await this.#locked(path, "removeDirectory", action, async () => {
      const found = await findEntry(this.#ctx, path);
      if (found === undefined) {
        throw await missing(this.#ctx, path, action);
      }
      if (found.kind === "file") {
        throw new FerryError("not_directory", `${action}: it is not a folder`);
      }
      await removeFolder(this.#ctx, path, options.recursive, action);
    });
  }

  /**
   * Moves a file (a server-side copy, then a delete of the source) or a
   * folder (each key in turn: not atomic, see {@linkcode moveFolder}). Only a
   * file replaces a file, and only with `overwrite`.
   */
  async rename(from: RemotePath, to: RemotePath, options: RenameOptions): Promise<void> {
    const action = checkRename(from, to);
    await this.#locked(from, "rename", action, async () => {
      const source = await findEntry(this.#ctx, from);
      if (source === undefined) throw await missing(this.#ctx, from, action);
      if (from === to) return;
      await this.#locked(to, "rename", action, () => {
        return moveEntry(this.#ctx, { from, to, source, overwrite: options.overwrite, action });
      });
    });
  }

  /**
   * Forgets partial uploads untouched for `maxAgeMs` (their parts, tail and
   * record), except those whose path is leased by an upload now.
   *
   * @param maxAgeMs The age past which a partial upload is stale.
   * @returns How many were removed.
   */
  removeStalePartials(maxAgeMs: number): Promise<number> {
    return removeStaleUploads(this.#ctx, this.#locks, maxAgeMs);
  }

  /**
   * Streams the partial uploads recorded in the bucket (their parts and
   * tail), except those this server is writing now.
   */
  listPartials(): AsyncIterable<PartialUpload> {
    return listUploads(this.#ctx, this.#locks);
  }

  async #locked(
    path: RemotePath,
    purpose: "remove" | "makeDirectory" | "removeDirectory" | "rename",
    action: string,
    task: () => Promise<void>,
  ): Promise<void> {
    let lease: Lease | undefined;
    try {
      lease = await this.#locks.acquire(path, purpose);
      await task();
    } catch (error) {
      throw s3Error(error, action);
    } finally {
      await lease?.release();
    }
  }
}
