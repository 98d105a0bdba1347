/**
 * Opening what a ferryd command works on, after the self-check: the
 * storage and shared state for `serve`, the shared state alone for `user`
 * and `config check`. With `--storage s3` this happens in two steps: the
 * state folder is checked first (it holds `s3.json`), then the S3 endpoint
 * named by the settings.
 *
 * @module
 */

import { DEFAULT_HOSTNAME, DEFAULT_PORT, serverStateDir } from "../../core/defaults.ts";
import type { ServerSandboxConfig } from "../../sandbox/permission_flags.ts";
import { checkServerPermissions } from "../../sandbox/self_check.ts";
import { loadS3Settings, type S3Settings } from "../../server/s3_settings.ts";
import {
  openLocalBackend,
  openS3Backend,
  openS3State,
  type ServerBackend,
} from "../../server/server_backend.ts";
import { LocalStateStore, type StateStore } from "../../storage/state_store.ts";

/**
 * Checks the grant for `task`, makes the state folder (mode 0700), and with
 * S3 storage reads the settings and checks the grant of their endpoint.
 *
 * @param sandbox The data folder, address, port and storage.
 * @param task `serve`, or `manage` (no port).
 * @returns The S3 settings, or `undefined` for local storage.
 * @throws {FerryError} `usage` naming a missing permission or bad settings.
 */
export async function prepareServer(
  sandbox: ServerSandboxConfig,
  task: "serve" | "manage",
): Promise<S3Settings | undefined> {
  await checkServerPermissions(sandbox, task);
  const state = serverStateDir(sandbox.dataDir);
  await Deno.mkdir(state, { recursive: true, mode: 0o700 });
  if (sandbox.storage !== "s3") return undefined;
  const settings = await loadS3Settings(state);
  await checkServerPermissions({
    ...sandbox,
    s3Endpoint: settings.config.endpoint,
    s3FromEnv: settings.source === "env",
  }, task);
  return settings;
}

/**
 * Opens the storage and shared state of `serve`.
 *
 * @param sandbox The data folder, address, port and storage.
 * @returns The back end.
 */
export async function openServerBackend(sandbox: ServerSandboxConfig): Promise<ServerBackend> {
  const settings = await prepareServer(sandbox, "serve");
  return settings === undefined
    ? await openLocalBackend(sandbox.dataDir)
    : await openS3Backend(settings);
}

/**
 * Opens the shared state (host key, users) for an operator command.
 *
 * @param dataDir The data folder.
 * @param storage `local` or `s3`.
 * @returns The state store.
 */
export async function openServerState(
  dataDir: string,
  storage: ServerSandboxConfig["storage"],
): Promise<StateStore> {
  const sandbox: ServerSandboxConfig = {
    dataDir,
    hostname: DEFAULT_HOSTNAME,
    port: DEFAULT_PORT,
  };
  if (storage !== undefined) sandbox.storage = storage;
  const settings = await prepareServer(sandbox, "manage");
  return settings === undefined
    ? new LocalStateStore(serverStateDir(dataDir))
    : await openS3State(settings);
}
