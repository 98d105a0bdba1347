/**
 * The hash index of the local back end: `{path, size, mtime, inode, sha256}`
 * for files whose SHA-256 ferry has computed (at upload, or while sending or
 * hashing a whole file), kept in an SQLite file in the state folder
 * (`node:sqlite`, built into Deno: no dependency). A row is trusted only
 * while the file's size, modification time and inode are still those it was
 * recorded with; a row that no longer matches is dropped on lookup, and the
 * file is hashed again on next use. Deleting the database loses nothing but
 * time: it is rebuilt as files are used.
 *
 * `node:sqlite` is synchronous, so every statement here is small: one row by
 * its primary key, or a bounded batch of rows below a folder, the event loop
 * getting a turn between batches. One connection per index, WAL mode,
 * statements prepared once.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { RemotePath } from "../core/remote_path.ts";

/** What a row is trusted by: the file's size, modification time (ms) and inode. */
export interface FileStamp {
  /** Size in bytes. */
  size: number;
  /** Modification time, milliseconds since the epoch. */
  mtime: number;
  /** The inode number. */
  ino: number;
}

/** The name of the index file inside the state folder. */
export const HASH_INDEX_FILE = "hash_index.sqlite";

/** Rows moved or deleted per statement when a whole folder moves or goes. */
export const TREE_BATCH_ROWS = 256;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The stamp of a file as `Deno.stat` describes it, or `undefined` when the
 * system does not give the inode or the modification time (such a file is
 * never indexed).
 *
 * @example
 * ```ts
 * import { fileStamp } from "./hash_index.ts";
 * import assert from "node:assert/strict";
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, "abc");
 * assert.equal(fileStamp(await Deno.stat(file))?.size, 3);
 * await Deno.remove(file);
 * ```
 */
export function fileStamp(info: Deno.FileInfo): FileStamp | undefined {
  const mtime = info.mtime?.getTime();
  if (mtime === undefined || info.ino === null || !info.isFile) return undefined;
  return { size: info.size, mtime, ino: info.ino };
}

/** The first path after every path inside `folder/` (the byte after `/` is `0`). */
function treeEnd(folder: RemotePath): string {
  return `${folder}0`;
}

/**
 * The index, one SQLite connection.
 *
 * @example Recording, finding, and a changed file no longer found
 * ```ts
 * import { HashIndex } from "./hash_index.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const index = HashIndex.open(`${dir}/index.sqlite`);
 * const stamp = { size: 3, mtime: 1000, ino: 7 };
 * index.record("a.txt", stamp, "ab".repeat(32));
 * assert.equal(index.lookup("a.txt", stamp), "ab".repeat(32));
 * assert.equal(index.lookup("a.txt", { ...stamp, mtime: 2000 }), undefined);
 * assert.equal(index.lookup("a.txt", stamp), undefined); // the stale row was dropped
 * index.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class HashIndex {
  #db: DatabaseSync;
  #get: StatementSync;
  #put: StatementSync;
  #drop: StatementSync;
  #dropTree: StatementSync;
  #moveOne: StatementSync;
  #moveTree: StatementSync;
  #count: StatementSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#get = db.prepare("SELECT size, mtime, ino, sha256 FROM files WHERE path = ?");
    this.#put = db.prepare(
      "INSERT OR REPLACE INTO files (path, size, mtime, ino, sha256) VALUES (?, ?, ?, ?, ?)",
    );
    this.#drop = db.prepare("DELETE FROM files WHERE path = ?");
    this.#dropTree = db.prepare(
      "DELETE FROM files WHERE path IN " +
        "(SELECT path FROM files WHERE path >= ? AND path < ? LIMIT ?)",
    );
    this.#moveOne = db.prepare("UPDATE OR REPLACE files SET path = ? WHERE path = ?");
    // Moved rows leave the range, so the same statement takes the next batch.
    this.#moveTree = db.prepare(
      "UPDATE OR REPLACE files SET path = ? || substr(path, length(?) + 1) WHERE path IN " +
        "(SELECT path FROM files WHERE path >= ? AND path < ? LIMIT ?)",
    );
    this.#count = db.prepare("SELECT count(*) AS n FROM files");
  }

  /**
   * Opens (creating when missing) the index at `file`, in WAL mode. Its
   * `-wal` and `-shm` files lie beside it.
   *
   * @param file The database file, in a folder only the server may read.
   * @returns The open index.
   * @throws {Error} When the file cannot be opened or is not an index
   *   (deleting it is safe).
   */
  static open(file: string): HashIndex {
    const db = new DatabaseSync(file);
    try {
      db.exec("PRAGMA busy_timeout = 100");
      db.exec("PRAGMA journal_mode = WAL");
      // Commits reach the WAL without an fsync each; a crash can lose the
      // last rows, never corrupt the file (and a lost row is only re-hashed).
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec(
        "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY NOT NULL, " +
          "size INTEGER NOT NULL, mtime INTEGER NOT NULL, ino INTEGER NOT NULL, " +
          "sha256 BLOB NOT NULL) WITHOUT ROWID",
      );
      return new HashIndex(db);
    } catch (error) {
      db.close();
      throw new Error(
        `Cannot open the hash index "${file}" (deleting it is safe): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  /**
   * The SHA-256 recorded for `path`, when the row still matches `stamp`; a
   * row that does not is dropped.
   *
   * @returns Lower-case hex, or `undefined`.
   */
  lookup(path: RemotePath, stamp: FileStamp): string | undefined {
    const row = this.#get.get(path) as
      | { size: number; mtime: number; ino: number; sha256: Uint8Array }
      | undefined;
    if (row === undefined) return undefined;
    if (row.size !== stamp.size || row.mtime !== stamp.mtime || row.ino !== stamp.ino) {
      this.#drop.run(path);
      return undefined;
    }
    return toHex(row.sha256);
  }

  /**
   * Records the SHA-256 of `path` as it was with `stamp`. A value that is not
   * 64 lower- or upper-case hex digits is ignored.
   */
  record(path: RemotePath, stamp: FileStamp, sha256: string): void {
    const hex = sha256.toLowerCase();
    if (!SHA256_HEX.test(hex)) return;
    this.#put.run(path, stamp.size, stamp.mtime, stamp.ino, fromHex(hex));
  }

  /** Forgets `path` (a file). */
  forget(path: RemotePath): void {
    this.#drop.run(path);
  }

  /**
   * Forgets `path` and everything below it, a batch at a time.
   *
   * @param path A folder (or file); never the root `""`.
   */
  async forgetTree(path: RemotePath): Promise<void> {
    this.#drop.run(path);
    while (Number(this.#dropTree.run(`${path}/`, treeEnd(path), TREE_BATCH_ROWS).changes) > 0) {
      await nextTurn();
    }
  }

  /**
   * Moves the row of `from` and the rows below it to `to` (a row already at
   * a destination is replaced), a batch at a time.
   *
   * @param from The old path; never the root `""`.
   * @param to The new path, not inside `from`.
   */
  async move(from: RemotePath, to: RemotePath): Promise<void> {
    this.#moveOne.run(to, from);
    // SQLite counts characters, not UTF-16 units: it measures `from` itself.
    const args = [to, from, `${from}/`, treeEnd(from), TREE_BATCH_ROWS] as const;
    while (Number(this.#moveTree.run(...args).changes) > 0) await nextTurn();
  }

  /** How many rows the index holds. */
  size(): number {
    return Number((this.#count.get() as { n: number }).n);
  }

  /** Closes the connection (its WAL is folded into the file). */
  close(): void {
    this.#db.close();
  }
}

/** Lets the event loop run other work between two batches. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
