/**
 * The client's identity key for password-less login: an X25519 key pair
 * whose public half the server operator adds with `user add --key`.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { FerryError } from "../core/errors.ts";
import { generateKeyPair, type KeyPair, keyPairFromPrivateKey } from "../noise/mod.ts";

const HEADER = "ferry-identity-x25519 ";

/** The identity file's name inside the client's state folder. */
export const IDENTITY_FILE = "id_x25519";

/**
 * Loads an identity file.
 *
 * @throws {FerryError} `local_io` when missing or not an identity.
 */
export async function loadIdentity(path: string): Promise<KeyPair> {
  let text: string;
  try {
    text = (await Deno.readTextFile(path)).trim();
  } catch (cause) {
    throw new FerryError(
      "local_io",
      `Cannot read identity "${path}": ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const key = text.startsWith(HEADER) ? Buffer.from(text.slice(HEADER.length), "base64") : null;
  if (key?.byteLength !== 32) {
    throw new FerryError("local_io", `Cannot read identity "${path}": not a ferry identity file`);
  }
  return await keyPairFromPrivateKey(new Uint8Array(key));
}

/**
 * Makes a new identity file (mode 0600); refuses to replace one.
 *
 * @returns The public key, base64, for `server.ts user add NAME --key`.
 */
export async function createIdentity(path: string): Promise<string> {
  const pair = await generateKeyPair();
  const folder = path.slice(0, path.lastIndexOf("/"));
  if (folder) await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
  try {
    await Deno.writeTextFile(
      path,
      `${HEADER}${Buffer.from(pair.privateKey).toString("base64")}\n`,
      {
        createNew: true,
        mode: 0o600,
      },
    );
  } catch (cause) {
    if (cause instanceof Deno.errors.AlreadyExists) {
      throw new FerryError("exists", `Cannot create identity "${path}": the file exists`);
    }
    throw cause;
  }
  return Buffer.from(pair.publicKey).toString("base64");
}
