/**
 * A held write lease and its renewal (see `lease_locks.ts`).
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import type { LockPurpose, PathLock } from "../path_locks.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type { LeaseLocks } from "./lease_locks.ts";
import { s3Error } from "./s3_errors.ts";

/** A held lease. */
export interface Lease {
  /** The locked path. */
  readonly path: RemotePath;
  /**
   * Renews the lease now and checks that it is still ours.
   *
   * @param action The start of an error message.
   * @throws {FerryError} `busy` when another server took it over.
   */
  confirm(action: string): Promise<void>;
  /** Stops renewing and deletes the lease; releasing twice is harmless. */
  release(): Promise<void>;
}

/**
 * A lease that {@linkcode LeaseLocks.acquire} won: renewed every third of
 * its lifetime by a conditional overwrite of its own version, so that a
 * lease taken over by another server (after it expired) is noticed.
 */
export class HeldLease implements Lease {
  readonly path: RemotePath;
  #locks: LeaseLocks;
  #key: string;
  #purpose: LockPurpose;
  #etag: string;
  #local: PathLock;
  #timer: ReturnType<typeof setInterval>;
  #renewing: Promise<void> = Promise.resolve();
  #lost = false;
  #released = false;

  /**
   * @param locks The table that made it (writes and removes the object).
   * @param key The lease object's key.
   * @param path The locked path.
   * @param purpose What it is for.
   * @param etag The lease object's version.
   * @param local The in-process lock, released with the lease.
   */
  constructor(
    locks: LeaseLocks,
    key: string,
    path: RemotePath,
    purpose: LockPurpose,
    etag: string,
    local: PathLock,
  ) {
    this.#locks = locks;
    this.#key = key;
    this.path = path;
    this.#purpose = purpose;
    this.#etag = etag;
    this.#local = local;
    this.#timer = setInterval(() => {
      this.#renewing = this.#renewing.then(() => this.#renew()).catch(() => {});
    }, locks.renewMs);
    // A forgotten lease must not keep the process alive; it expires by itself.
    Deno.unrefTimer(Number(this.#timer));
  }

  async confirm(action: string): Promise<void> {
    this.#renewing = this.#renewing.then(() => this.#renew());
    await this.#renewing.catch((error) => {
      throw s3Error(error, action);
    });
    if (this.#lost) {
      throw new FerryError("busy", `${action}: another server took over its write lock`);
    }
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    try {
      await this.#renewing.catch(() => {});
      if (!this.#lost) await this.#locks.remove(this.#key);
    } catch {
      // The lease expires by itself.
    } finally {
      this.#local.release();
    }
  }

  async #renew(): Promise<void> {
    if (this.#lost || this.#released) return;
    const etag = await this.#locks.write(this.#key, this.path, this.#purpose, this.#etag);
    if (etag === undefined) this.#lost = true;
    else this.#etag = etag;
  }
}
