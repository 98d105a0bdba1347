/**
 * The users file (`DATA/state/users.json`): who may log in, how, and with
 * which role. It is read afresh at every login, so `user add|del|passwd`
 * take effect without restarting the server; it is written atomically
 * (temporary file, then rename) with mode 0600.
 *
 * @module
 */

import { FerryError } from "../errors.ts";
import type { PasswordHash } from "./password_hash.ts";

/** The file name inside the state folder. */
export const USERS_FILE = "users.json";

/** What a user may do: everything, or only list and download. */
export type Role = "read-write" | "read-only";

/** One user's record. */
export interface UserRecord {
  /** What the user may do. */
  role: Role;
  /** The password verifier; absent for key-only users. */
  password?: PasswordHash;
  /** Base64 X25519 public keys allowed to log in as this user. */
  keys: string[];
}

interface UsersFile {
  version: 1;
  users: Record<string, UserRecord>;
}

const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

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

/** Reads and writes the users file of one state folder. */
export class UserStore {
  #path: string;

  /** @param stateDir The server's state folder. */
  constructor(stateDir: string) {
    this.#path = `${stateDir}/${USERS_FILE}`;
  }

  /**
   * Reads every user.
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
    return new Map(Object.entries(parsed.users));
  }

  /** Looks up one user. */
  async get(name: string): Promise<UserRecord | undefined> {
    return (await this.load()).get(name);
  }

  /**
   * Changes the users file in one atomic step.
   *
   * @param change Edits the map in place.
   */
  async update(change: (users: Map<string, UserRecord>) => void): Promise<void> {
    const users = await this.load();
    change(users);
    const file: UsersFile = { version: 1, users: Object.fromEntries(users) };
    const temporary = `${this.#path}.tmp`;
    await Deno.writeTextFile(temporary, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
    await Deno.rename(temporary, this.#path);
  }
}
