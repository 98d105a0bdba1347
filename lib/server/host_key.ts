/**
 * The server's long-term identity: a static X25519 key made once and kept
 * in the server state (the state folder, or the bucket with `--storage s3`),
 * readable by the server's user only.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { FerryError } from "../core/errors.ts";
import { generateKeyPair, type KeyPair, keyPairFromPrivateKey } from "../noise/mod.ts";
import type { StateStore } from "../storage/state_store.ts";

/** The name of the host key in the server state. */
export const HOST_KEY_FILE = "host_key";

const HEADER = "ferry-host-key-x25519 ";

async function parseHostKey(store: StateStore, bytes: Uint8Array): Promise<KeyPair> {
  const text = new TextDecoder().decode(bytes).trim();
  const match = text.startsWith(HEADER) ? text.slice(HEADER.length) : "";
  const privateKey = new Uint8Array(Buffer.from(match, "base64"));
  if (privateKey.byteLength !== 32) {
    throw new FerryError(
      "internal",
      `Cannot load host key "${store.describe(HOST_KEY_FILE)}": the file is damaged`,
    );
  }
  return await keyPairFromPrivateKey(privateKey);
}

/**
 * Loads the host key, making it on first start.
 *
 * It holds one line: `ferry-host-key-x25519 <base64 private key>`. It is
 * created only if it does not exist yet (mode 0600 on disk, `If-None-Match:
 * *` in a bucket) and never replaced: a changed host key makes every client
 * refuse the server, which is the point of pinning. When several servers
 * start at once on one bucket, one creates it and the others load that one.
 *
 * @param store The server state.
 * @returns The key pair.
 * @throws {FerryError} `internal` when the object exists but is not a host key.
 */
export async function loadOrCreateHostKey(store: StateStore): Promise<KeyPair> {
  const stored = await store.read(HOST_KEY_FILE);
  if (stored !== undefined) return await parseHostKey(store, stored.bytes);
  const pair = await generateKeyPair();
  const line = `${HEADER}${Buffer.from(pair.privateKey).toString("base64")}\n`;
  if (await store.replace(HOST_KEY_FILE, new TextEncoder().encode(line), undefined)) return pair;
  // Another server created it first: use that one.
  const winner = await store.read(HOST_KEY_FILE);
  if (winner === undefined) {
    throw new FerryError(
      "internal",
      `Cannot load host key "${store.describe(HOST_KEY_FILE)}": it vanished while being created`,
    );
  }
  return await parseHostKey(store, winner.bytes);
}
