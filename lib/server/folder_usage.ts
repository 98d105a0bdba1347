/**
 * What a user's folder holds, for quotas: counted once by walking it (its
 * files, and the partial uploads kept for a resume of paths inside it), then
 * kept up to date by the server's own changes, with room reserved for
 * uploads in progress so that concurrent uploads cannot overshoot together.
 *
 * A partial upload counts as the file it will become: its bytes and one
 * file, from the moment its upload ends without a commit until it is
 * resumed, replaced, committed or swept (`partialMaxAgeHours`).
 *
 * @module
 */

import type { RemotePath, Storage } from "../storage/storage.ts";

/** Bytes and files. */
export interface Usage {
  /** Bytes in files (and partial uploads). */
  bytes: number;
  /** Number of files (and partial uploads). */
  files: number;
}

/** Room held for one upload until it commits or aborts. */
export interface Reservation {
  /** Gives the room back (once). */
  release(): void;
}

async function walk(storage: Storage, path: string, into: Usage): Promise<void> {
  for await (const entry of storage.list(path)) {
    const child = path === "" ? entry.name : `${path}/${entry.name}`;
    if (entry.kind === "dir") await walk(storage, child, into);
    else {
      into.bytes += entry.size;
      into.files++;
    }
  }
}

async function partialsOf(storage: Storage): Promise<Map<RemotePath, number>> {
  const partials = new Map<RemotePath, number>();
  for await (const { path, bytes } of storage.listPartials()) partials.set(path, bytes);
  return partials;
}

/** The usage of one folder tree. */
export class FolderUsage {
  #storage: Storage;
  #counted: Usage | undefined;
  /** The bytes of each partial upload kept for a resume, by remote path. */
  #partials: Map<RemotePath, number> | undefined;
  #reserved: Usage = { bytes: 0, files: 0 };

  /** @param storage The user's view of the storage (its root is the folder). */
  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Current usage (files and kept partial uploads) plus what uploads in progress have reserved. */
  async current(): Promise<Usage> {
    if (this.#counted === undefined) {
      const counted = { bytes: 0, files: 0 };
      await walk(this.#storage, "", counted);
      this.#counted ??= counted;
    }
    if (this.#partials === undefined) {
      const partials = await partialsOf(this.#storage);
      this.#partials ??= partials;
    }
    const partials = this.partials();
    return {
      bytes: this.#counted.bytes + partials.bytes + this.#reserved.bytes,
      files: this.#counted.files + partials.files + this.#reserved.files,
    };
  }

  /**
   * What the kept partial uploads take, as counted by the last {@linkcode current}:
   * all of them, or the one of `path` (which an upload to `path` resumes or
   * replaces, so it does not count against that upload).
   */
  partials(path?: RemotePath): Usage {
    const partials = this.#partials ?? new Map<RemotePath, number>();
    if (path !== undefined) {
      const bytes = partials.get(path);
      return bytes === undefined ? { bytes: 0, files: 0 } : { bytes, files: 1 };
    }
    let bytes = 0;
    for (const size of partials.values()) bytes += size;
    return { bytes, files: partials.size };
  }

  /** Holds room for an upload of `bytes` (and one more file when `newFile`). */
  reserve(bytes: number, newFile: boolean): Reservation {
    const files = newFile ? 1 : 0;
    this.#reserved.bytes += bytes;
    this.#reserved.files += files;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.#reserved.bytes -= bytes;
        this.#reserved.files -= files;
      },
    };
  }

  /** Records a change the server made (a commit, a delete). */
  apply(bytes: number, files: number): void {
    if (this.#counted) {
      this.#counted.bytes += bytes;
      this.#counted.files += files;
    }
  }

  /**
   * Records that an upload to `path` took over its partial upload (resumed
   * or emptied it): its room is now the upload's reservation.
   */
  uploadOpened(path: RemotePath): void {
    this.#partials?.delete(path);
  }

  /** Records what an upload to `path` left for a resume when it ended (0: nothing). */
  uploadEnded(path: RemotePath, keptBytes: number): void {
    if (keptBytes > 0) this.#partials?.set(path, keptBytes);
    else this.#partials?.delete(path);
  }

  /** Whether a kept partial upload of `path` is counted. */
  hasPartial(path: RemotePath): boolean {
    return this.#partials?.has(path) ?? false;
  }

  /** Forgets the count (after a change too big to track, like `rmdir -r`); recounted when needed. */
  invalidate(): void {
    this.#counted = undefined;
  }

  /** Forgets the partial uploads' count (after a sweep deleted some); recounted when needed. */
  invalidatePartials(): void {
    this.#partials = undefined;
  }
}
