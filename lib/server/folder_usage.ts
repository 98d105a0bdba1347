/**
 * What a user's folder holds, for quotas: counted once by walking it, then
 * kept up to date by the server's own changes, with room reserved for
 * uploads in progress so that concurrent uploads cannot overshoot together.
 *
 * @module
 */

import type { Storage } from "../storage/storage.ts";

/** Bytes and files. */
export interface Usage {
  /** Bytes in files. */
  bytes: number;
  /** Number of files. */
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

/** The usage of one folder tree. */
export class FolderUsage {
  #storage: Storage;
  #counted: Usage | undefined;
  #reserved: Usage = { bytes: 0, files: 0 };

  /** @param storage The user's view of the storage (its root is the folder). */
  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Current usage plus what uploads in progress have reserved. */
  async current(): Promise<Usage> {
    if (this.#counted === undefined) {
      const counted = { bytes: 0, files: 0 };
      await walk(this.#storage, "", counted);
      this.#counted ??= counted;
    }
    return {
      bytes: this.#counted.bytes + this.#reserved.bytes,
      files: this.#counted.files + this.#reserved.files,
    };
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

  /** Forgets the count (after a change too big to track, like `rmdir -r`); recounted when needed. */
  invalidate(): void {
    this.#counted = undefined;
  }
}
