/**
 * The jail: turns a {@linkcode RemotePath} into an absolute path on the
 * server and proves that it lies inside the shared folder.
 *
 * Deno's `--allow-read=DIR` does not stop a read through a symbolic link that
 * points outside `DIR`, and the data folder also holds the server's state, so
 * every path is resolved with `Deno.realPath` and compared with the root.
 *
 * The jail's calls are synchronous on purpose: `realpath`, `stat` and `lstat`
 * of a path in the kernel's cache take 1–6 µs as direct calls, and 7–17 µs of
 * CPU as Deno async ops (a hop to the blocking thread pool and back), which
 * made them the largest cost of a small file (docs/PERFORMANCE.md). Calls that
 * can take long (opening, creating, reading, writing, `fsync`) stay async.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { fsError } from "../local_fs/fs_error.ts";
import { baseName, parentOf, quotePath } from "../core/remote_path.ts";
import type { RemotePath } from "../core/remote_path.ts";

const MISSING = Symbol("missing");
const OUTSIDE = Symbol("outside");

/** An existing entry found by {@linkcode Jail.resolveEntry}. */
export interface JailEntry {
  /** The entry itself: a symbolic link is not followed here. */
  path: string;
  /** Where the entry leads: {@linkcode JailEntry.path} unless it is a link. */
  real: string;
  /** Whether the entry is a symbolic link (inside the root, or it was refused). */
  isSymlink: boolean;
  /** What {@linkcode JailEntry.real} is. */
  info: Deno.FileInfo;
}

/** A place for a new entry found by {@linkcode Jail.resolveForCreate}. */
export interface CreateTarget {
  /** The absolute path the new entry will have. */
  path: string;
  /** What is already there (never a symbolic link), or `undefined`. */
  existing: Deno.FileInfo | undefined;
}

/**
 * Resolves remote paths inside one root folder.
 *
 * @example Resolving a file
 * ```ts no-assert
 * import { Jail } from "./jail.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/a.txt`, "hi");
 * const jail = new Jail(await Deno.realPath(root));
 * jail.resolveExisting("a.txt");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class Jail {
  #root: string;
  #prefix: string;

  /**
   * @param root The absolute real path of the shared folder, as returned by
   * `Deno.realPath` (no symbolic link in it, no trailing `/`).
   * @throws {TypeError} When `root` is not absolute.
   */
  constructor(root: string) {
    if (!root.startsWith("/")) {
      throw new TypeError(`Cannot use "${root}" as the jail root: it is not an absolute path`);
    }
    this.#root = root;
    this.#prefix = root.endsWith("/") ? root : `${root}/`;
  }

  /** The absolute real path of the shared folder. */
  get root(): string {
    return this.#root;
  }

  /**
   * Tells whether an absolute real path is the root or lies inside it.
   *
   * @param real An absolute path without symbolic links.
   * @returns `true` when it is inside.
   */
  contains(real: string): boolean {
    return real === this.#root || real.startsWith(this.#prefix);
  }

  /**
   * Resolves an existing path, following symbolic links.
   *
   * @param path A normalised remote path.
   * @param action The start of an error message, naming the operation and the
   * path, such as `Cannot read "a.txt"`.
   * @returns The absolute real path, inside the root.
   * @throws {FerryError} `not_found` when it does not exist (or is a dangling
   * link), `invalid_path` when it leads outside the shared folder.
   */
  resolveExisting(path: RemotePath, action = `Cannot find ${quotePath(path)}`): string {
    const real = this.#realOf(path, action);
    if (real === MISSING) throw new FerryError("not_found", `${action}: no such file or folder`);
    if (real === OUTSIDE) {
      throw new FerryError("invalid_path", `${action}: it leads outside the shared folder`);
    }
    return real;
  }

  /**
   * Resolves an existing entry without following a symbolic link in its last
   * segment, for operations on the entry itself (remove, rename). A link must
   * still lead inside the root.
   *
   * @param path A normalised remote path other than the root.
   * @param action The start of an error message, such as `Cannot remove "a"`.
   * @returns The entry and what it leads to.
   * @throws {FerryError} `not_found`, `not_directory` or `invalid_path`.
   */
  resolveEntry(path: RemotePath, action = `Cannot find ${quotePath(path)}`): JailEntry {
    const entryPath = `${this.#parent(path, action)}/${baseName(path)}`;
    try {
      const own = Deno.lstatSync(entryPath);
      if (!own.isSymlink) return { path: entryPath, real: entryPath, isSymlink: false, info: own };
      const real = this.resolveExisting(path, action);
      return { path: entryPath, real, isSymlink: true, info: Deno.statSync(real) };
    } catch (error) {
      throw fsError(error, action);
    }
  }

  /**
   * Resolves the place of a new entry. Its folder must exist inside the root;
   * the entry itself may exist, but must not be a symbolic link (replacing or
   * writing through one is refused).
   *
   * @param path A normalised remote path other than the root.
   * @param action The start of an error message, such as `Cannot write "a"`.
   * @returns The absolute path and what is already there.
   * @throws {FerryError} `not_found` naming a missing folder, `not_directory`
   * when the parent is a file, `invalid_path` for the root, a symbolic link or
   * a parent outside the shared folder.
   */
  resolveForCreate(path: RemotePath, action = `Cannot create ${quotePath(path)}`): CreateTarget {
    const target = `${this.#parent(path, action)}/${baseName(path)}`;
    try {
      const existing = lstatOrUndefined(target);
      if (existing?.isSymlink) {
        throw new FerryError("invalid_path", `${action}: it is a symbolic link`);
      }
      return { path: target, existing };
    } catch (error) {
      throw fsError(error, action);
    }
  }

  /**
   * Resolves the place of a new entry without looking at the entry itself,
   * for a caller that creates it with a call that fails when the name is
   * taken (a hard link, `createNew`): one lookup fewer per file.
   *
   * @param path A normalised remote path other than the root.
   * @param action The start of an error message, such as `Cannot commit "a"`.
   * @returns The absolute path, in a folder inside the root.
   * @throws {FerryError} As {@linkcode Jail.resolveForCreate} for the folder.
   */
  resolveNewEntry(path: RemotePath, action = `Cannot create ${quotePath(path)}`): string {
    return `${this.#parent(path, action)}/${baseName(path)}`;
  }

  /** The real path of the folder holding `path`, which must be a folder inside. */
  #parent(path: RemotePath, action: string): string {
    if (path === "") {
      throw new FerryError("invalid_path", `${action}: it is the root of the shared folder`);
    }
    const parent = parentOf(path);
    const real = this.#realOf(parent, action);
    const named = parent === "" ? "the shared folder" : `folder ${quotePath(parent)}`;
    if (real === MISSING) throw new FerryError("not_found", `${action}: ${named} does not exist`);
    if (real === OUTSIDE) {
      throw new FerryError("invalid_path", `${action}: ${named} leads outside the shared folder`);
    }
    let isDirectory: boolean;
    try {
      isDirectory = Deno.statSync(real).isDirectory;
    } catch (error) {
      throw fsError(error, action);
    }
    if (!isDirectory) {
      throw new FerryError("not_directory", `${action}: ${quotePath(parent)} is not a folder`);
    }
    return real;
  }

  #realOf(path: RemotePath, action: string): string | typeof MISSING | typeof OUTSIDE {
    let real: string;
    try {
      real = Deno.realPathSync(this.#lexical(path));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return MISSING;
      throw fsError(error, action);
    }
    return this.contains(real) ? real : OUTSIDE;
  }

  #lexical(path: RemotePath): string {
    return path === "" ? this.#root : `${this.#prefix}${path}`;
  }
}

function lstatOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
