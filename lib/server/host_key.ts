/**
 * The server's long-term identity: a static X25519 key made once and kept
 * in the state folder, readable by the server's user only.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { FerryError } from "../errors.ts";
import { generateKeyPair, type KeyPair, keyPairFromPrivateKey } from "../noise/mod.ts";

/** The file name of the host key inside the state folder. */
export const HOST_KEY_FILE = "host_key";

const HEADER = "ferry-host-key-x25519 ";

/**
 * Loads the host key, making it on first start.
 *
 * The file holds one line: `ferry-host-key-x25519 <base64 private key>`. It
 * is created with mode 0600 and never replaced: a changed host key makes
 * every client refuse the server, which is the point of pinning.
 *
 * @param stateDir The server's state folder.
 * @returns The key pair.
 * @throws {FerryError} `internal` when the file exists but is not a host key.
 */
export async function loadOrCreateHostKey(stateDir: string): Promise<KeyPair> {
  const path = `${stateDir}/${HOST_KEY_FILE}`;
  try {
    const text = await Deno.readTextFile(path);
    const match = text.trim().startsWith(HEADER) ? text.trim().slice(HEADER.length) : "";
    const privateKey = new Uint8Array(Buffer.from(match, "base64"));
    if (privateKey.byteLength !== 32) {
      throw new FerryError("internal", `Cannot load host key "${path}": the file is damaged`);
    }
    return await keyPairFromPrivateKey(privateKey);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const pair = await generateKeyPair();
  const line = `${HEADER}${Buffer.from(pair.privateKey).toString("base64")}\n`;
  await Deno.writeTextFile(path, line, { createNew: true, mode: 0o600 });
  return pair;
}
