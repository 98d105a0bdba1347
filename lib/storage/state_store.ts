/**
 * Where a server keeps the small objects that make it who it is: its host
 * key and its users file. Every ferryd on one namespace must see the same
 * ones, so they live beside the files: in the state folder for the local
 * back end ({@linkcode LocalStateStore}), in the bucket for S3
 * (`S3StateStore`). Writes are conditional, so that two servers (or a
 * server and `server.ts user ...`) never lose each other's changes.
 *
 * @module
 */

/** One object as read, with the version it was read at. */
export interface StateObject {
  /** Its bytes. */
  bytes: Uint8Array;
  /** An opaque version that changes whenever the object does. */
  version: string;
}

/** A small store of named objects (`host_key`, `users.json`). */
export interface StateStore {
  /**
   * Names an object for messages, such as `"/srv/ferry/state/users.json"`.
   *
   * @param name The object's name.
   * @returns Where it lives.
   */
  describe(name: string): string;
  /**
   * Reads an object.
   *
   * @param name The object's name.
   * @returns Its bytes and version, or `undefined` when it does not exist.
   */
  read(name: string): Promise<StateObject | undefined>;
  /**
   * Reads an object unless it is still at `version`.
   *
   * @param name The object's name.
   * @param version The version last read.
   * @returns `"unchanged"`, the object, or `undefined` when it does not exist.
   */
  readIfChanged(name: string, version: string): Promise<StateObject | "unchanged" | undefined>;
  /**
   * Writes an object only if it is still at `version`, or with
   * `version: undefined`, only if it does not exist yet.
   *
   * @param name The object's name.
   * @param bytes The new content.
   * @param version The version the change was made from.
   * @returns `false` when the object changed meanwhile (read it again and
   * redo the change), `true` when written.
   */
  replace(name: string, bytes: Uint8Array, version: string | undefined): Promise<boolean>;
}

/**
 * The state folder of the local back end (`DATA/state`). Objects are files
 * of mode 0600, replaced atomically (a temporary file, then a rename); the
 * version is the file's modification time, size and inode. The conditional
 * write is checked just before the rename: it guards against another
 * process on the same host, not against a change in that instant.
 *
 * @example
 * ```ts
 * import { LocalStateStore } from "./state_store.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const store = new LocalStateStore(dir);
 * assert.equal(await store.replace("a", new TextEncoder().encode("1"), undefined), true);
 * assert.equal(await store.replace("a", new TextEncoder().encode("2"), undefined), false);
 * const read = await store.read("a");
 * assert.equal(await store.readIfChanged("a", read!.version), "unchanged");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class LocalStateStore implements StateStore {
  #dir: string;

  /** @param stateDir The server's state folder (it must exist). */
  constructor(stateDir: string) {
    this.#dir = stateDir;
  }

  /** The file's path. */
  describe(name: string): string {
    return `${this.#dir}/${name}`;
  }

  /** Reads the file and its version. */
  async read(name: string): Promise<StateObject | undefined> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.describe(name), { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    try {
      const version = stamp(await file.stat());
      const bytes = new Uint8Array(await new Response(file.readable).arrayBuffer());
      return { bytes, version };
    } finally {
      try {
        file.close();
      } catch {
        // closed by reading to the end
      }
    }
  }

  /** Reads the file when its modification time, size or inode changed. */
  async readIfChanged(
    name: string,
    version: string,
  ): Promise<StateObject | "unchanged" | undefined> {
    const now = await this.#version(name);
    if (now === undefined) return undefined;
    return now === version ? "unchanged" : await this.read(name);
  }

  /** Writes the file through a temporary file and a rename. */
  async replace(name: string, bytes: Uint8Array, version: string | undefined): Promise<boolean> {
    const path = this.describe(name);
    if (version === undefined) {
      try {
        await Deno.writeFile(path, bytes, { createNew: true, mode: 0o600 });
        return true;
      } catch (error) {
        if (error instanceof Deno.errors.AlreadyExists) return false;
        throw error;
      }
    }
    const temporary = `${path}.tmp`;
    await Deno.writeFile(temporary, bytes, { mode: 0o600 });
    if (await this.#version(name) !== version) {
      await Deno.remove(temporary).catch(() => {});
      return false;
    }
    await Deno.rename(temporary, path);
    return true;
  }

  async #version(name: string): Promise<string | undefined> {
    try {
      return stamp(await Deno.stat(this.describe(name)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  }
}

function stamp(info: Deno.FileInfo): string {
  return `${info.mtime?.getTime()}:${info.size}:${info.ino}`;
}
