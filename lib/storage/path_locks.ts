/**
 * In-process write locks on remote paths, so that two operations never change
 * the same part of the tree at once (a second upload of a path gets `busy`).
 *
 * A lock covers its path and everything below it: it conflicts with a lock on
 * the same path, on a folder above it, or on anything inside it. So a folder
 * cannot be moved or removed while an upload inside it is running.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { parentOf, quotePath } from "../core/remote_path.ts";
import type { RemotePath } from "../core/remote_path.ts";

/** Why a path is locked; it picks the wording of the `busy` error. */
export type LockPurpose = "upload" | "remove" | "makeDirectory" | "removeDirectory" | "rename";

const WORDS: Readonly<Record<LockPurpose, { verb: string; article: string; noun: string }>> = {
  upload: { verb: "write", article: "an", noun: "upload" },
  remove: { verb: "remove", article: "a", noun: "removal" },
  makeDirectory: { verb: "create", article: "a", noun: "folder creation" },
  removeDirectory: { verb: "remove", article: "a", noun: "folder removal" },
  rename: { verb: "move", article: "a", noun: "move" },
};

/** Whether `value` names a {@linkcode LockPurpose} (a lease read back from a store). */
export function isLockPurpose(value: string): value is LockPurpose {
  return Object.hasOwn(WORDS, value);
}

/** `Cannot <verb> "path"`: how errors about an operation for `purpose` begin. */
export function lockedAction(path: RemotePath, purpose: LockPurpose): string {
  return `Cannot ${WORDS[purpose].verb} ${quotePath(path)}`;
}

/**
 * The `busy` error of an operation on `path` for `purpose` that meets a lock
 * held on `other` (the path itself, a folder above it or a path below) for
 * `otherPurpose`, worded for both: `Cannot write "a": a removal is in progress`.
 */
export function busyError(
  path: RemotePath,
  purpose: LockPurpose,
  other: RemotePath,
  otherPurpose: LockPurpose,
): FerryError {
  const words = WORDS[otherPurpose];
  const holder = other === path
    ? `${otherPurpose === purpose ? "another" : words.article} ${words.noun} is in progress`
    : `${words.article} ${words.noun} of ${quotePath(other)} is in progress`;
  return new FerryError("busy", `${lockedAction(path, purpose)}: ${holder}`);
}

/** A held lock. Releasing it twice is harmless; `using` releases it too. */
export interface PathLock extends Disposable {
  /** The locked path. */
  readonly path: RemotePath;
  /** Frees the path. */
  release(): void;
}

/**
 * A table of held path locks. Locks never wait: a conflict is an immediate
 * `busy` error, which the client may retry.
 *
 * @example Two uploads of one path
 * ```ts
 * import { PathLocks } from "./path_locks.ts";
 * import assert from "node:assert/strict";
 * const locks = new PathLocks();
 * using _first = locks.tryAcquire("a/b.txt", "upload");
 * assert.throws(() => locks.tryAcquire("a/b.txt", "upload"));
 * ```
 */
export class PathLocks {
  #held = new Map<RemotePath, LockPurpose>();
  // For each folder, how many held locks lie strictly below it.
  #below = new Map<RemotePath, number>();

  /** How many locks are held. */
  get size(): number {
    return this.#held.size;
  }

  /**
   * Tells whether a lock on `path` would conflict with a held one.
   *
   * @param path A normalised remote path.
   * @returns `true` when `path`, a folder above it or anything below it is locked.
   */
  isLocked(path: RemotePath): boolean {
    return this.#conflict(path) !== undefined;
  }

  /**
   * Locks `path` for one operation.
   *
   * @param path A normalised remote path.
   * @param purpose What the lock is for.
   * @returns The lock; release it when the operation ends.
   * @throws {FerryError} `busy` when it conflicts with a held lock.
   */
  tryAcquire(path: RemotePath, purpose: LockPurpose): PathLock {
    const conflict = this.#conflict(path);
    if (conflict !== undefined) throw busyError(path, purpose, conflict[0], conflict[1]);
    this.#held.set(path, purpose);
    this.#forEachAncestor(path, (folder) => {
      this.#below.set(folder, (this.#below.get(folder) ?? 0) + 1);
    });
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#release(path);
    };
    return { path, release, [Symbol.dispose]: release };
  }

  #release(path: RemotePath): void {
    this.#held.delete(path);
    this.#forEachAncestor(path, (folder) => {
      const count = (this.#below.get(folder) ?? 1) - 1;
      if (count === 0) this.#below.delete(folder);
      else this.#below.set(folder, count);
    });
  }

  #conflict(path: RemotePath): [RemotePath, LockPurpose] | undefined {
    const same = this.#held.get(path);
    if (same !== undefined) return [path, same];
    let found: [RemotePath, LockPurpose] | undefined;
    this.#forEachAncestor(path, (folder) => {
      const purpose = this.#held.get(folder);
      if (found === undefined && purpose !== undefined) found = [folder, purpose];
    });
    if (found !== undefined) return found;
    if ((this.#below.get(path) ?? 0) > 0) {
      for (const [other, purpose] of this.#held) {
        if (path === "" || other.startsWith(`${path}/`)) return [other, purpose];
      }
    }
    return undefined;
  }

  #forEachAncestor(path: RemotePath, visit: (folder: RemotePath) => void): void {
    let current = path;
    while (current !== "") {
      current = parentOf(current);
      visit(current);
    }
  }
}
