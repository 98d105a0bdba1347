/**
 * Decides who a client is, from the credentials of its last handshake
 * message and the static key the handshake proved it holds.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import { FerryError } from "../core/errors.ts";
import type { AuthRequest } from "../protocol/requests.ts";
import { type DeriveKey, deriveKey, verifyPassword } from "./password_hash.ts";
import type { Permission } from "./permissions.ts";
import type { UserRecord, UserStore } from "./user_store.ts";

/** A logged-in user and what the users file says about them now. */
export interface Account {
  /** The user name. */
  name: string;
  /** What the user may do. */
  permissions: ReadonlySet<Permission>;
  /** The user's folder inside `files/`, or `undefined` for the shared root. */
  home: string | undefined;
  /** Most bytes the user's folder may hold. */
  quotaBytes: number | undefined;
  /** Most files the user's folder may hold. */
  quotaFiles: number | undefined;
}

/** The account a users-file record describes. */
export function accountOf(name: string, record: UserRecord): Account {
  return {
    name,
    permissions: new Set(record.permissions),
    home: record.home,
    quotaBytes: record.quotaBytes,
    quotaFiles: record.quotaFiles,
  };
}

function holdsKey(keys: readonly string[], clientKey: Uint8Array): boolean {
  let found = false;
  for (const key of keys) {
    const bytes = Buffer.from(key, "base64");
    if (bytes.byteLength === clientKey.byteLength && timingSafeEqual(bytes, clientKey)) {
      found = true;
    }
  }
  return found;
}

/**
 * Checks credentials. A wrong password, an unknown user and an unknown key
 * all give the same error, so a client cannot tell which it was.
 *
 * @param users The users file.
 * @param auth The validated credentials.
 * @param clientKey The client's static key from the handshake.
 * @param derive Where the password's scrypt runs.
 * @returns The account.
 * @throws {FerryError} `auth_failed`.
 */
export async function authenticate(
  users: UserStore,
  auth: AuthRequest,
  clientKey: Uint8Array,
  derive: DeriveKey = deriveKey,
): Promise<Account> {
  const record = await users.get(auth.user, { fresh: true });
  const ok = auth.method === "password"
    ? await verifyPassword(auth.password, record?.password, derive)
    : record !== undefined && holdsKey(record.keys, clientKey);
  if (!ok || !record) {
    throw new FerryError("auth_failed", "Permission denied: wrong user name or credentials");
  }
  return accountOf(auth.user, record);
}
