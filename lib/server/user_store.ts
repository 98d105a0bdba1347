/**
 * The users file (`DATA/state/users.json`): who may log in, how, and what
 * they may do. It is re-read whenever it changes (checked at most once a
 * second), so `user add|del|set|passwd` take effect without restarting the
 * server, even for sessions already open. It is written atomically
 * (temporary file, then rename) with mode 0600.
 *
 * @module
 */

import { FerryError } from "../errors.ts";
import type { PasswordHash } from "./password_hash.ts";
import { isPermission, type Permission, PRESETS } from "./permissions.ts";

/** The file name inside the state folder. */
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

/** Reads and writes the users file of one state folder. */
export class UserStore {
  #path: string;
  #cache: Map<string, UserRecord> | undefined;
  #cacheStamp = "";
  #checkedAt = 0;

  /** @param stateDir The server's state folder. */
  constructor(stateDir: string) {
    this.#path = `${stateDir}/${USERS_FILE}`;
  }

  /**
   * Reads every user, from the file as it is now.
   *
   * @returns Name to record; empty when the file does not exist yet.
   * @throws {FerryError} `internal` when the file is not a users file.
   */
  async load(): Promise<Map<string, UserRecord>> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.#path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return new Map();
      throw error;
    }
    let parsed: UsersFile;
    try {
      parsed = JSON.parse(text);
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

  /**
   * Looks up one user, from a copy re-read when the file changed. The file
   * is looked at every time with `fresh` (logins), else at most once a
   * second (the permission check of every request).
   */
  async get(name: string, options: { fresh?: boolean } = {}): Promise<UserRecord | undefined> {
    const now = Date.now();
    if (this.#cache === undefined || options.fresh || now - this.#checkedAt >= RECHECK_MS) {
      this.#checkedAt = now;
      const info = await Deno.stat(this.#path).catch(() => undefined);
      const stamp = info ? `${info.mtime?.getTime()}:${info.size}:${info.ino}` : "none";
      if (stamp !== this.#cacheStamp || this.#cache === undefined) {
        this.#cache = await this.load();
        this.#cacheStamp = stamp;
      }
    }
    return this.#cache.get(name);
  }

  /**
   * Changes the users file in one atomic step.
   *
   * @param change Edits the map in place.
   */
  async update(change: (users: Map<string, UserRecord>) => void): Promise<void> {
    const users = await this.load();
    change(users);
    const file = { version: 1, users: Object.fromEntries(users) };
    const temporary = `${this.#path}.tmp`;
    await Deno.writeTextFile(temporary, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
    await Deno.rename(temporary, this.#path);
    this.#cache = undefined;
  }
}
