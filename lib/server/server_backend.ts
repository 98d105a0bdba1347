/**
 * What a server stores where: the files ({@linkcode Storage}) and the state
 * every instance must share, host key and users ({@linkcode StateStore}).
 * Local: `DATA/files` and `DATA/state`. S3: both in the bucket, so several
 * ferryd processes on one bucket serve one namespace with one identity.
 * Either way the configuration (`config.json`, `s3.json`) and the audit log
 * stay in the local `DATA/state` of each instance.
 *
 * @module
 */

import { dataLayout } from "../core/defaults.ts";
import { LocalStorage } from "../storage/local_storage.ts";
import { LocalStateStore, type StateStore } from "../storage/state_store.ts";
import type { Storage } from "../storage/storage.ts";
import type { S3Settings } from "./s3_settings.ts";

/** A server's storage and shared state. */
export interface ServerBackend {
  /** The files. */
  storage: Storage;
  /** Host key and users. */
  state: StateStore;
  /** Where the files are, for the start-up log line. */
  description: string;
}

/**
 * The local back end: `DATA/files` and `DATA/state` (created when missing).
 *
 * @param dataDir The data folder.
 * @returns The back end.
 */
export async function openLocalBackend(dataDir: string): Promise<ServerBackend> {
  const storage = await LocalStorage.open(dataDir);
  const layout = dataLayout(dataDir);
  return {
    storage,
    state: new LocalStateStore(layout.state),
    description: layout.files,
  };
}

/**
 * The S3 back end: files below `PREFIX files/`, state below `PREFIX state/`.
 *
 * @param settings From {@linkcode loadS3Settings}.
 * @returns The back end.
 * @throws {Error} When the bucket does not exist or cannot be reached.
 */
export async function openS3Backend(settings: S3Settings): Promise<ServerBackend> {
  const { S3Storage } = await import("../storage/s3/mod.ts");
  const storage = await S3Storage.open(settings.config, { createBucket: settings.createBucket });
  return {
    storage,
    state: await openS3State(settings),
    description: `bucket "${settings.config.bucket}" at ${settings.config.endpoint}` +
      (settings.config.prefix ? `, prefix "${settings.config.prefix}"` : ""),
  };
}

/**
 * The shared state alone, in the bucket (for `server.ts user ...`).
 *
 * @param settings From {@linkcode loadS3Settings}.
 * @returns The state store.
 */
export async function openS3State(settings: S3Settings): Promise<StateStore> {
  // Loaded on demand: a local server never loads the S3 client.
  const { S3StateStore } = await import("../storage/s3/mod.ts");
  return await S3StateStore.open(settings.config, { createBucket: settings.createBucket });
}
