/**
 * The users file (`users.json` in the server state: `DATA/state`, or the
 * bucket with `--storage s3`): who may log in, how, and what they may do.
 * It is re-read whenever it changes (checked at most once a second, and at
 * every login), so `user add|del|set|passwd` take effect without restarting
 * any server sharing it, even for sessions already open. It is written
 * atomically and conditionally: a change made from an old version is redone
 * on the new one, so two writers never lose each other's changes.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import type { StateStore } from "../storage/state_store.ts";
import type { PasswordHash } from "./password_hash.ts";
import { isPermission, type Permission, PRESETS } from "./permissions.ts";

/** The name of the users file in the server state. */
export const USERS_FILE = "users.json";

/** One user's record. */
export interface UserRecord {
  /** What the user may do. */
  permissions: Permission[];
  /** The user's folder inside `files/` (created at login); absent: the shared root. */
  home?: string;
  /** Most bytes the user's folder may hold (absent: no limit). */
  quotaBytes?: number;
  /** Most files the user's folder may hold (absent: no limit). */
  quotaFiles?: number;
  /** The password verifier; absent for key-only users. */
  password?: PasswordHash;
  /** Base64 X25519 public keys allowed to log in as this user. */
  keys: string[];
}

interface UsersFile {
  version: 1;
  users: Record<string, UserRecord & { role?: keyof typeof PRESETS }>;
}

const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const RECHECK_MS = 1000;
const UPDATE_ATTEMPTS = 8;

/**
 * Checks a user name: letters, digits, `_`, `.`, `-`, starting with a letter
 * or `_`, at most 64 characters.
 *
 * @throws {FerryError} `usage` when it does not fit.
 */
export function checkUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new FerryError(
      "usage",
      `Cannot use user name "${name}": use letters, digits, "_", "." or "-", starting with a letter`,
    );
  }
}

function normalizeRecord(record: UsersFile["users"][string]): UserRecord {
  const permissions = Array.isArray(record.permissions)
    ? record.permissions.filter(isPermission)
    : [...PRESETS[record.role ?? "read-write"] ?? []];
  const { role: _role, ...rest } = record;
  return { ...rest, permissions, keys: Array.isArray(record.keys) ? record.keys : [] };
}

function parseUsers(bytes: Uint8Array): Map<string, UserRecord> {
  let parsed: UsersFile;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new FerryError("internal", `Cannot read users file: it is not JSON`, { cause });
  }
  if (parsed?.version !== 1 || typeof parsed.users !== "object" || parsed.users === null) {
    throw new FerryError("internal", "Cannot read users file: unknown format");
  }
  return new Map(
    Object.entries(parsed.users).map(([name, record]) => [name, normalizeRecord(record)]),
  );
}

/** Reads and writes the users file of one server state. */
export class UserStore {
  #store: StateStore;
  #cache: Map<string, UserRecord> | undefined;
  #version: string | undefined;
  #checkedAt = 0;

  /** @param store The server state (a state folder or a bucket). */
  constructor(store: StateStore) {
    this.#store = store;
  }

  /**
   * Reads every user, from the file as it is now.
   *
   * @returns Name to record; empty when the file does not exist yet.
   * @throws {FerryError} `internal` when the file is not a users file.
   */
  async load(): Promise<Map<string, UserRecord>> {
    return (await this.#read()).users;
  }

  async #read(): Promise<{ users: Map<string, UserRecord>; version: string | undefined }> {
    const stored = await this.#store.read(USERS_FILE);
    if (stored === undefined) return { users: new Map(), version: undefined };
    return { users: parseUsers(stored.bytes), version: stored.version };
  }

  /**
   * Looks up one user, from a copy re-read when the file changed. The file
   * is looked at every time with `fresh` (logins), else at most once a
   * second (the permission check of every request). A look is cheap: a
   * `stat` on disk, a conditional GET (`304 Not Modified`) in a bucket.
   */
  async get(name: string, options: { fresh?: boolean } = {}): Promise<UserRecord | undefined> {
    const now = Date.now();
    if (this.#cache === undefined || options.fresh || now - this.#checkedAt >= RECHECK_MS) {
      this.#checkedAt = now;
      const stored = this.#cache === undefined || this.#version === undefined
        ? await this.#store.read(USERS_FILE)
        : await this.#store.readIfChanged(USERS_FILE, this.#version);
      if (stored === undefined) {
        this.#cache = new Map();
        this.#version = undefined;
      } else if (stored !== "unchanged") {
        this.#cache = parseUsers(stored.bytes);
        this.#version = stored.version;
      }
    }
    return this.#cache?.get(name);
  }

  /**
   * Changes the users file in one atomic, conditional step. When another
   * writer changed it meanwhile, `change` runs again on the new content.
   *
   * @param change Edits the map in place; it may run more than once, and
   * may throw to give up.
   * @throws {FerryError} `busy` when the file kept changing under it.
   */
  async update(change: (users: Map<string, UserRecord>) => void): Promise<void> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const { users, version } = await this.#read();
      change(users);
      const file = { version: 1, users: Object.fromEntries(users) };
      const bytes = new TextEncoder().encode(JSON.stringify(file, null, 2) + "\n");
      if (await this.#store.replace(USERS_FILE, bytes, version)) {
        this.#cache = undefined;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 50 * attempt));
    }
    throw new FerryError(
      "busy",
      `Cannot change "${this.#store.describe(USERS_FILE)}": other writers kept changing it`,
    );
  }
}
