/**
 * From the command line to the keys of encrypted files: `put --encrypt`,
 * `get` (decrypting automatically, `--decrypt` to insist, `--raw` not to),
 * `--key-file` and `--passphrase-file`. See `docs/ENCRYPTION.md` §7.
 *
 * @module
 */

import type { UploadEncryption } from "../../client/encrypted_upload.ts";
import { FileKeys } from "../../client/file_keys.ts";
import { FerryError } from "../../core/errors.ts";
import type { CommandOptions } from "./client_options.ts";

/** What encrypted transfers take from the client's environment. */
export interface KeyEnvironment {
  /** The client's state folder, where encrypted uploads keep their resume state. */
  stateDir: string;
  /** The server and user (`alice@[host]:7878`): resume state is per server and user. */
  scope: string;
  /** `FERRY_PASSPHRASE`, when set. */
  passphrase: string | undefined;
  /** Asks for a secret without echo; `null` when it cannot. */
  ask: (question: string) => Promise<string | null>;
}

function keysFor(options: CommandOptions, environment: KeyEnvironment | undefined): FileKeys {
  return new FileKeys({
    keyFile: options.keyFile,
    passphraseFile: options.passphraseFile,
    passphrase: environment?.passphrase,
    ask: environment?.ask,
    requireEncrypted: options.decrypt,
  });
}

/**
 * The encryption of a `put`, or `undefined` without `--encrypt`. The key file
 * is read, or the passphrase asked for (twice) and scrypt run, now: once for
 * all the files of the command, and before any progress is drawn.
 *
 * @param options The command's flags.
 * @param environment State folder, scope, passphrase and prompt.
 * @returns The encryption to pass to every upload.
 * @throws {FerryError} `usage` for flags that do not fit `put`, or no passphrase.
 */
export async function uploadEncryption(
  options: CommandOptions,
  environment: KeyEnvironment | undefined,
): Promise<UploadEncryption | undefined> {
  if (options.raw || options.decrypt) {
    const flag = options.raw ? "--raw" : "--decrypt";
    throw new FerryError("usage", `Cannot use ${flag} with put: it applies to get`);
  }
  if (!options.encrypt) {
    if (options.keyFile !== undefined || options.passphraseFile !== undefined) {
      throw new FerryError(
        "usage",
        "Cannot use a key option without --encrypt: add --encrypt to encrypt the upload",
      );
    }
    return undefined;
  }
  if (!environment) {
    throw new FerryError("usage", "Cannot encrypt: no state folder for the resume state");
  }
  const keys = keysFor(options, environment);
  await keys.encryptionKek();
  return { keys, stateDir: environment.stateDir, scope: environment.scope };
}

/**
 * The keys of a `get`, or `undefined` with `--raw`. A key file or passphrase
 * file is read now, so a bad path fails before any download; a passphrase is
 * asked for only when a file is encrypted, right away when the server marked
 * one (`hinted`).
 *
 * @param options The command's flags.
 * @param environment Passphrase and prompt.
 * @param hinted Whether the server marked any file to fetch as encrypted.
 * @returns The keys to pass to every download.
 * @throws {FerryError} `usage` for `--encrypt`, or a key option that cannot be read.
 */
export async function downloadKeys(
  options: CommandOptions,
  environment: KeyEnvironment | undefined,
  hinted: boolean,
): Promise<FileKeys | undefined> {
  if (options.encrypt) {
    throw new FerryError(
      "usage",
      "Cannot use --encrypt with get: encrypted files are decrypted by themselves",
    );
  }
  if (options.raw) return undefined;
  const keys = keysFor(options, environment);
  await keys.check();
  if (hinted) await keys.preparePassphrase();
  return keys;
}
