/**
 * What every session of a server shares: identity, users, storage, limits,
 * logs, and the per-user views of the storage.
 *
 * @module
 */

import type { KeyPair } from "../noise/mod.ts";
import { normalizeRemotePath } from "../core/remote_path.ts";
import { ScopedStorage } from "../storage/scoped_storage.ts";
import type { Storage } from "../storage/storage.ts";
import type { AuditLog } from "./audit_log.ts";
import type { Account } from "./authenticate.ts";
import type { ConnectionLimits } from "./connection_limits.ts";
import type { ConsoleLog } from "./console_log.ts";
import { FolderUsage } from "./folder_usage.ts";
import type { LoginQueue } from "./login_queue.ts";
import type { LoginThrottle } from "./login_throttle.ts";
import type { ScryptThreads } from "./scrypt_threads.ts";
import type { ServerConfig } from "./server_config.ts";
import type { UnlockWatcher } from "./unlocks.ts";
import type { UserStore } from "./user_store.ts";

/** A session as the server sees it, for shutdown. */
export interface SessionHandle {
  /** Finish what runs, refuse new requests, close when idle. */
  drain(): void;
  /** Close now. */
  kill(): void;
}

/** Shared by every session. */
export interface SessionEnvironment {
  /** The host key. */
  hostKey: KeyPair;
  /** The users file. */
  users: UserStore;
  /** The files (the shared root). */
  storage: Storage;
  /** Login back-off and lock-out. */
  throttle: LoginThrottle;
  /** The operator's unlocks (`user unlock`), applied to `throttle`. */
  unlocks: UnlockWatcher;
  /** The password checks: a few at a time, the others wait their turn. */
  logins: LoginQueue;
  /** The threads password checks run on. */
  scrypt: ScryptThreads;
  /** Console log. */
  log: ConsoleLog;
  /** Audit log. */
  audit: AuditLog;
  /** The configuration. */
  config: ServerConfig;
  /** Connection and session counts. */
  limits: ConnectionLimits;
  /** Open sessions. */
  sessions: Set<SessionHandle>;
  /** Set once shutdown started: new requests get `busy`. */
  shuttingDown: boolean;
  /** Usage of each quota'd folder (`""` is the shared root). */
  usage: Map<string, FolderUsage>;
}

/** The storage a user sees: their home (made on first use), or the shared root. */
export async function storageFor(
  environment: SessionEnvironment,
  account: Account,
): Promise<Storage> {
  if (account.home === undefined || account.home === "/") return environment.storage;
  const home = normalizeRemotePath(account.home);
  if (home === "") return environment.storage;
  let made = "";
  for (const segment of home.split("/")) {
    made = made ? `${made}/${segment}` : segment;
    await environment.storage.makeDirectory(made).catch((error) => {
      if (!(error instanceof Error && "code" in error && error.code === "exists")) throw error;
    });
  }
  return new ScopedStorage(environment.storage, home);
}

/** The usage tracker of a user with a quota, shared by all their sessions. */
export function usageFor(
  environment: SessionEnvironment,
  account: Account,
  storage: Storage,
): FolderUsage | undefined {
  if (account.quotaBytes === undefined && account.quotaFiles === undefined) return undefined;
  const key = account.home ?? "";
  let usage = environment.usage.get(key);
  if (!usage) environment.usage.set(key, usage = new FolderUsage(storage));
  return usage;
}
