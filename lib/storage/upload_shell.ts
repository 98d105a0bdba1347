/**
 * What every back end's {@linkcode UploadSink} shares: calls serialised (a
 * `commit` or `abort` waits for a pending `write`), the open / broken /
 * finished states, the size limit, the check of the sender's SHA-256
 * against the back end's own, and the hash the commit keeps. A back end
 * supplies how bytes are stored, committed and kept for a resume.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { quotePath, type RemotePath } from "../core/remote_path.ts";
import { SerialQueue } from "../core/serial_queue.ts";
import type { Entry, UploadOptions, UploadSink } from "./storage.ts";

/** Where an upload is: taking bytes, past a failed write (commit refused), or ended. */
export type UploadState = "open" | "broken" | "finished";

/**
 * The shell of an upload. Subclasses implement the `protected` steps; the
 * public methods run them one at a time, in call order.
 */
export abstract class UploadShell implements UploadSink {
  /** The remote path being written. */
  protected readonly path: RemotePath;
  /** The options the client gave. */
  protected readonly options: UploadOptions;
  /** Where the upload is; a step sets `"broken"` when a write failed half-way. */
  protected state: UploadState = "open";
  #serial = new SerialQueue();
  #sha256: string | undefined;

  /**
   * @param path The remote path being written.
   * @param options The options the client gave.
   */
  protected constructor(path: RemotePath, options: UploadOptions) {
    this.path = path;
    this.options = options;
  }

  /** Where the sender must start: 0, or the bytes already held. */
  abstract get offset(): number;

  /** The bytes kept for a resume once the upload ended (0 when none are). */
  abstract get keptBytes(): number;

  /** The SHA-256 of the committed bytes, hashed as they arrived; `undefined` until committed. */
  get sha256(): string | undefined {
    return this.#sha256;
  }

  /**
   * Appends bytes.
   *
   * @param chunk The next bytes; the caller may reuse the buffer afterwards.
   * @throws {FerryError} `too_large` past the announced size (nothing taken);
   *   `internal` after a failed write.
   * @throws {TypeError} After commit or abort.
   */
  write(chunk: Uint8Array): Promise<void> {
    return this.#serial.run(() => {
      const action = `Cannot write ${quotePath(this.path)}`;
      this.assertOpen(action);
      if (this.state === "broken") {
        throw new FerryError("internal", `${action}: an earlier write failed`);
      }
      const { size } = this.options;
      if (this.received() + chunk.byteLength > size) {
        throw new FerryError("too_large", `${action}: more data than the announced ${size} bytes`);
      }
      return this.store(chunk, action);
    });
  }

  /**
   * Verifies the size and, when given, the sender's SHA-256, and makes the
   * file appear whole.
   *
   * @param sha256Hex The sender's SHA-256 of the whole file, in hexadecimal (any case).
   * @returns The committed entry; {@linkcode UploadShell.sha256} then holds the hash.
   * @throws {FerryError} `integrity` on a size mismatch (the data is kept for
   *   a resume) or a hash mismatch (the data is discarded); what placing it
   *   may throw (`exists`, `is_directory`, `not_found`, `busy`).
   * @throws {TypeError} After commit or abort.
   */
  commit(sha256Hex?: string): Promise<Entry> {
    return this.#serial.run(async () => {
      const action = `Cannot commit ${quotePath(this.path)}`;
      this.assertOpen(action);
      const committed = await this.place(action, sha256Hex?.toLowerCase());
      this.#sha256 = committed.sha256;
      return committed.entry;
    });
  }

  /** Keeps what was received for a resume, when the back end can, and ends the upload. */
  abort(): Promise<void> {
    return this.#serial.run(async () => {
      if (this.state !== "finished") await this.keep();
    });
  }

  /** @throws {TypeError} Once the upload ended. */
  protected assertOpen(action: string): void {
    if (this.state === "finished") throw new TypeError(`${action}: the upload is finished`);
  }

  /** Bytes held so far (offset included): what the size limit counts. */
  protected abstract received(): number;

  /** Stores one chunk that fits the announced size (the upload is open, not broken). */
  protected abstract store(chunk: Uint8Array, action: string): Promise<void>;

  /**
   * Whether the back end's `digest` differs from the sender's `expected`
   * (lower case; `undefined` when the sender sent none). On `true` the
   * caller discards the data and throws {@linkcode UploadShell.mismatch}.
   */
  protected differs(digest: string, expected: string | undefined): boolean {
    return expected !== undefined && digest !== expected;
  }

  /** The `integrity` error of a hash mismatch. */
  protected mismatch(action: string): FerryError {
    return new FerryError("integrity", `${action}: the SHA-256 does not match the data`);
  }

  /**
   * Commits: checks the size, digests the hash and compares it with
   * `expected` (see {@linkcode UploadShell.differs}), places the file, and
   * ends the upload whatever happens.
   *
   * @param action The start of error messages (`Cannot commit "a.txt"`).
   * @param expected The sender's SHA-256 in lower case, when it sent one.
   * @returns The entry and the hash of what was committed.
   */
  protected abstract place(
    action: string,
    expected: string | undefined,
  ): Promise<{ entry: Entry; sha256: string }>;

  /** Aborts (the upload is not finished): keeps what it can for a resume and ends. */
  protected abstract keep(): Promise<void>;
}
