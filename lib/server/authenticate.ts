/**
 * Decides who a client is, from the credentials of its last handshake
 * message and the static key the handshake proved it holds.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import { FerryError } from "../errors.ts";
import type { AuthRequest } from "../protocol/requests.ts";
import { verifyPassword } from "./password_hash.ts";
import type { Role, UserStore } from "./user_store.ts";

/** A logged-in user. */
export interface Account {
  /** The user name. */
  name: string;
  /** What the user may do. */
  role: Role;
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
 * @returns The account.
 * @throws {FerryError} `auth_failed`.
 */
export async function authenticate(
  users: UserStore,
  auth: AuthRequest,
  clientKey: Uint8Array,
): Promise<Account> {
  const record = await users.get(auth.user);
  const ok = auth.method === "password"
    ? await verifyPassword(auth.password, record?.password)
    : record !== undefined && holdsKey(record.keys, clientKey);
  if (!ok || !record) {
    throw new FerryError("auth_failed", "Permission denied: wrong user name or credentials");
  }
  return { name: auth.user, role: record.role };
}
