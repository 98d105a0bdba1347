/**
 * The keys of end-to-end encrypted files for one command (`put --encrypt`,
 * `get`): a key file, or a passphrase from a file, `FERRY_PASSPHRASE` or a
 * prompt. Each is read at most once per command, and scrypt runs at most once
 * per salt, so `put -r` and `get -r` of many files cost one derivation.
 * Format and threat model: `docs/ENCRYPTION.md`.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import {
  deriveKek,
  type EncryptionHeader,
  FileCryptoError,
  type Kek,
  keyFileKek,
  type KeyResolver,
  type KeySource,
  loadKeyFile,
  parseHeader,
  type ScryptParams,
  type UnlockedHeader,
  unlockHeader,
} from "../file_crypto/mod.ts";
import { explainRefusal } from "../sandbox/refusal.ts";

/** Where the keys of encrypted files come from. */
export interface FileKeyOptions {
  /** A key file (`--key-file`); it wins over a passphrase when encrypting. */
  keyFile?: string | undefined;
  /** A file whose first line is the passphrase (`--passphrase-file`). */
  passphraseFile?: string | undefined;
  /** The passphrase from the environment (`FERRY_PASSPHRASE`). */
  passphrase?: string | undefined;
  /**
   * Asks for a secret without echo; `null` when it cannot (not a terminal).
   * Without it, a passphrase must come from a file or the environment.
   */
  ask?: ((question: string) => Promise<string | null>) | undefined;
  /**
   * Refuse to download a file that is not encrypted (`--decrypt`), so a
   * server cannot pass off a plaintext of its choosing. Implied by
   * `keyFile` and `passphraseFile`.
   */
  requireEncrypted?: boolean | undefined;
}

/** A passphrase source that tells how to give one. */
const HOW_TO_GIVE = "set FERRY_PASSPHRASE, or use --passphrase-file or --key-file";

function scryptId(params: ScryptParams): string {
  return `${params.logN}:${params.r}:${params.p}:${params.salt.toHex()}`;
}

function loadError(error: unknown, path: string): unknown {
  return explainRefusal(error, path) ?? error;
}

/**
 * The key material of one command.
 *
 * @example Encrypting with a key file, decrypting with the same
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDecryptStream, createEncryptStream, createHeader } from "../file_crypto/mod.ts";
 * import { createKeyFile } from "../file_crypto/mod.ts";
 * import { FileKeys } from "./file_keys.ts";
 * const folder = await Deno.makeTempDir();
 * await createKeyFile(`${folder}/backup.key`);
 * const keys = new FileKeys({ keyFile: `${folder}/backup.key` });
 * const plaintext = new TextEncoder().encode("hello, ferry");
 * const header = createHeader(await keys.encryptionKek(), plaintext.length);
 * const sealed = ReadableStream.from([plaintext]).pipeThrough(createEncryptStream(header));
 * const opened = sealed.pipeThrough(createDecryptStream(keys.resolver));
 * assert.deepEqual(await new Response(opened).bytes(), plaintext);
 * await Deno.remove(folder, { recursive: true });
 * ```
 */
export class FileKeys {
  #options: FileKeyOptions;
  #keyFile: Promise<Uint8Array> | undefined;
  #passphrase: Promise<string> | undefined;
  #encryptionKek: Promise<Kek> | undefined;
  #keks = new Map<string, Promise<Kek>>();
  /** scrypt runs one at a time: each may take up to 1 GiB. */
  #scrypt: Promise<unknown> = Promise.resolve();

  /** @param options Where the keys come from. */
  constructor(options: FileKeyOptions) {
    this.#options = options;
  }

  /** Whether a download must be encrypted (`--decrypt`, `--key-file`, `--passphrase-file`). */
  get requireEncrypted(): boolean {
    const { requireEncrypted, keyFile, passphraseFile } = this.#options;
    return Boolean(requireEncrypted) || keyFile !== undefined || passphraseFile !== undefined;
  }

  /**
   * Reads the key file or the passphrase file now, if one was given, so a
   * bad path fails before any transfer starts.
   *
   * @throws {FerryError} `local_io` or `usage` for a file that cannot be used.
   */
  async check(): Promise<void> {
    if (this.#options.keyFile !== undefined) await this.#loadKeyFile();
    if (this.#options.passphraseFile !== undefined) await this.#readPassphrase(false);
  }

  /**
   * Asks for the passphrase now rather than when the first encrypted file
   * arrives (in the middle of the progress display), unless a key file is
   * given. A failure is not thrown here: it shows for each encrypted file.
   */
  async preparePassphrase(): Promise<void> {
    if (this.#options.keyFile !== undefined) return;
    await this.#readPassphrase(false).catch(() => {});
  }

  /**
   * The KEK new files are encrypted under: the key file's, else scrypt of
   * the passphrase with a fresh salt, asked twice when typed. Made once: all
   * the files of one command share the scrypt salt.
   *
   * @throws {FerryError} `usage` when no passphrase can be had or the two differ.
   */
  encryptionKek(): Promise<Kek> {
    this.#encryptionKek ??= (async (): Promise<Kek> => {
      if (this.#options.keyFile !== undefined) return keyFileKek(await this.#loadKeyFile());
      const passphrase = await this.#readPassphrase(true);
      const kek = await this.#serially(() => deriveKek(passphrase));
      if (kek.kind === "passphrase") this.#keks.set(scryptId(kek.scrypt), Promise.resolve(kek));
      return kek;
    })();
    return this.#encryptionKek;
  }

  /**
   * Asks for the key only once a file turned out to be encrypted, and only
   * the kind its header says.
   */
  readonly resolver: KeyResolver = (header) => this.#sourceFor(header);

  /**
   * Unlocks a header kept from an interrupted transfer.
   *
   * @param header The header's bytes or a parsed header.
   * @returns The header with its file key.
   * @throws {FileCryptoError} `wrong_key`, or what parsing finds.
   */
  async unlock(header: EncryptionHeader | Uint8Array): Promise<UnlockedHeader> {
    const parsed = header instanceof Uint8Array ? parseHeader(header) : header;
    return await unlockHeader(parsed, await this.#sourceFor(parsed));
  }

  async #sourceFor(header: EncryptionHeader): Promise<KeySource> {
    const { keyFile, passphraseFile, passphrase } = this.#options;
    if (header.keyKind === "key_file") {
      if (keyFile === undefined) {
        throw new FileCryptoError(
          "wrong_key",
          "Cannot decrypt: the file was encrypted with a key file (use --key-file)",
        );
      }
      return { keyFile: await this.#loadKeyFile() };
    }
    if (keyFile !== undefined && passphraseFile === undefined && !passphrase) {
      return { keyFile: await this.#loadKeyFile() }; // refused: encrypted with a passphrase
    }
    const text = await this.#readPassphrase(false);
    const params = header.scrypt as ScryptParams;
    const id = scryptId(params);
    let kek = this.#keks.get(id);
    if (!kek) {
      kek = this.#serially(() => deriveKek(text, params));
      this.#keks.set(id, kek);
    }
    return { kek: await kek };
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#scrypt.then(task, task);
    this.#scrypt = run.catch(() => {});
    return run;
  }

  #loadKeyFile(): Promise<Uint8Array> {
    const path = this.#options.keyFile as string;
    this.#keyFile ??= loadKeyFile(path).catch((error) => {
      throw loadError(error, path);
    });
    return this.#keyFile;
  }

  /** The passphrase, asked for (twice when `confirm`) at most once per command. */
  #readPassphrase(confirm: boolean): Promise<string> {
    this.#passphrase ??= this.#findPassphrase(confirm);
    return this.#passphrase;
  }

  async #findPassphrase(confirm: boolean): Promise<string> {
    const { passphraseFile, passphrase, ask } = this.#options;
    if (passphraseFile !== undefined) return await readPassphraseFile(passphraseFile);
    if (passphrase) return passphrase;
    const typed = ask ? await ask("Passphrase for encrypted files: ") : null;
    if (typed === null) {
      const why = `no passphrase, and none can be asked for: not a terminal (${HOW_TO_GIVE})`;
      if (confirm) throw new FerryError("usage", `Cannot encrypt: ${why}`);
      throw new FileCryptoError("wrong_key", `Cannot decrypt: ${why}`);
    }
    if (!confirm) return typed;
    if (typed === "") throw new FerryError("usage", "Cannot encrypt: the passphrase is empty");
    const again = await ask?.("Same passphrase again: ");
    if (again !== typed) {
      throw new FerryError("usage", "Cannot encrypt: the two passphrases differ");
    }
    return typed;
  }
}

/**
 * Reads a passphrase file: its first line, without the line end.
 *
 * @param path The file.
 * @returns The passphrase.
 * @throws {FerryError} `local_io` when it cannot be read, `usage` when its first line is empty.
 */
export async function readPassphraseFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (cause) {
    const refusal = explainRefusal(cause, path);
    if (refusal) throw refusal;
    const why = cause instanceof Deno.errors.NotFound ? "no such file" : (cause as Error).message;
    throw new FerryError("local_io", `Cannot read passphrase file "${path}": ${why}`, { cause });
  }
  const line = text.split("\n", 1)[0]?.replace(/\r$/, "") ?? "";
  if (line === "") {
    throw new FerryError("usage", `Cannot use passphrase file "${path}": its first line is empty`);
  }
  return line;
}
