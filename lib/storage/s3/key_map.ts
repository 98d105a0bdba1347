/**
 * How remote paths map onto object keys.
 *
 * | what                      | key                                  |
 * | ------------------------- | ------------------------------------ |
 * | file `a/b.txt`            | `PREFIX files/a/b.txt`               |
 * | folder `a` (its marker)   | `PREFIX files/a/` (zero bytes)       |
 * | write lease of `a/b.txt`  | `PREFIX state/locks/a/b.txt`         |
 * | upload state of `a/b.txt` | `PREFIX state/uploads/SHA256.json`   |
 * | bytes after the last part | `PREFIX state/uploads/SHA256.tail`   |
 *
 * `SHA256` is the hex SHA-256 of the remote path. Leases keep the path
 * itself, so the leases inside a folder are found with one listing.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { FerryError } from "../../core/errors.ts";
import { quotePath } from "../../core/remote_path.ts";
import type { RemotePath } from "../../core/remote_path.ts";

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

const encoder = new TextEncoder();

/** The keys of one storage (one bucket and prefix). */
export class KeyMap {
  #files: string;
  #state: string;

  /**
   * @param filesPrefix The prefix of file keys, such as `files/`.
   * @param statePrefix The prefix of state keys, such as `state/`.
   */
  constructor(filesPrefix: string, statePrefix: string) {
    this.#files = filesPrefix;
    this.#state = statePrefix;
  }

  /** The prefix of every file key. */
  get filesPrefix(): string {
    return this.#files;
  }

  /** The prefix of every lease key. */
  get locksPrefix(): string {
    return `${this.#state}locks/`;
  }

  /**
   * The key of a file.
   *
   * @param path A normalised remote path other than the root.
   * @returns The key.
   * @throws {FerryError} `invalid_path` when the key would be too long.
   */
  file(path: RemotePath): string {
    return checked(`${this.#files}${path}`, path);
  }

  /**
   * The prefix of everything inside a folder, which is also the key of its
   * marker object.
   *
   * @param path A normalised folder path (`""` for the root).
   * @returns The prefix, ending with `/`.
   * @throws {FerryError} `invalid_path` when the key would be too long.
   */
  folder(path: RemotePath): string {
    return path === "" ? this.#files : checked(`${this.#files}${path}/`, path);
  }

  /**
   * The remote path of a file key or folder prefix.
   *
   * @param key A key starting with the files prefix.
   * @returns The remote path (without a trailing `/`).
   */
  pathOf(key: string): RemotePath {
    return key.slice(this.#files.length).replace(/\/$/, "");
  }

  /**
   * The key of the write lease of a path.
   *
   * @param path A normalised remote path other than the root.
   * @returns The key.
   */
  lock(path: RemotePath): string {
    return checked(`${this.locksPrefix}${path}`, path);
  }

  /**
   * The remote path a lease key is for.
   *
   * @param key A key starting with the locks prefix.
   * @returns The remote path.
   */
  lockedPath(key: string): RemotePath {
    return key.slice(this.locksPrefix.length);
  }

  /**
   * The keys of the partial-upload records of a path.
   *
   * @param path A normalised remote path.
   * @returns The state object's key and the tail object's key.
   */
  upload(path: RemotePath): { state: string; tail: string } {
    const id = createHash("sha256").update(path, "utf8").digest("hex");
    const base = `${this.#state}uploads/${id}`;
    return { state: `${base}.json`, tail: `${base}.tail` };
  }
}

function checked(key: string, path: RemotePath): string {
  if (key.length > MAX_KEY_BYTES / 3 && encoder.encode(key).byteLength > MAX_KEY_BYTES) {
    throw new FerryError(
      "invalid_path",
      `Cannot use path ${quotePath(path)}: it is too long for the object store`,
    );
  }
  return key;
}
