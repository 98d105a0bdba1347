/**
 * The defaults both programs share: ferryd's port and address, and the
 * layout of its data folder (`DATA/files` for the files of local storage,
 * `DATA/state` for the server's state; the same names are the key prefixes
 * in an S3 bucket). Everything that needs one of them takes it from here.
 *
 * @module
 */

/** ferryd's TCP port when `--port` is not given, and the client's when a server names none. */
export const DEFAULT_PORT = 7878;

/** The address ferryd listens on when `--host` is not given: all of them. */
export const DEFAULT_HOSTNAME = "0.0.0.0";

/** ferryd's data folder when `--data` is not given. */
export const DEFAULT_DATA_DIR = "./data";

/** The folder of the data folder (or the key prefix in a bucket) that holds the files. */
export const FILES_FOLDER = "files";

/** The folder of the data folder (or the key prefix in a bucket) that holds the server's state. */
export const STATE_FOLDER = "state";

/** The two folders of a data folder. */
export interface DataLayout {
  /** The files of local storage: `DATA/files`. */
  files: string;
  /** The server's state (configuration, audit log, host key, users, partial uploads): `DATA/state`. */
  state: string;
}

function inDataDir(dataDir: string, folder: string): string {
  return `${dataDir.length > 1 ? dataDir.replace(/\/+$/, "") : dataDir}/${folder}`;
}

/**
 * The folders of a data folder (trailing slashes of `dataDir` dropped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataLayout } from "./defaults.ts";
 * assert.deepEqual(dataLayout("/srv/ferry/"), {
 *   files: "/srv/ferry/files",
 *   state: "/srv/ferry/state",
 * });
 * ```
 *
 * @param dataDir The data folder (`--data`).
 * @returns Its files and state folders.
 */
export function dataLayout(dataDir: string): DataLayout {
  return { files: inDataDir(dataDir, FILES_FOLDER), state: inDataDir(dataDir, STATE_FOLDER) };
}

/**
 * The server's state folder inside its data folder: `DATA/state`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverStateDir } from "./defaults.ts";
 * assert.equal(serverStateDir("/srv/ferry/"), "/srv/ferry/state");
 * ```
 *
 * @param dataDir The data folder (`--data`).
 * @returns `DATA/state`.
 */
export function serverStateDir(dataDir: string): string {
  return inDataDir(dataDir, STATE_FOLDER);
}
