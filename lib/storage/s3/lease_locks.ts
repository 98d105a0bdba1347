/**
 * Write locks that hold across servers sharing a bucket: a lease object
 * per locked path (`PREFIX state/locks/PATH`), created with a conditional
 * write (`If-None-Match: *`), renewed while held, and free for the taking
 * once it has not been renewed for `leaseMs` (the holder died).
 *
 * Like {@linkcode PathLocks}, a lock covers its path and everything below
 * it. A new lease is created first and checked second: if a live lease
 * exists above or below the path, the new one is withdrawn and the caller
 * gets `busy`. Two racing servers may thus both give up, but never both
 * proceed. Expiry is judged on the store's clock only (`Last-Modified`
 * against `Date`), so the servers' clocks need not agree.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { busyError, isLockPurpose, lockedAction, PathLocks } from "../path_locks.ts";
import type { LockPurpose } from "../path_locks.ts";
import { parentOf } from "../../core/remote_path.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type { ObjectHead } from "./s3_client.ts";
import type { S3Context } from "./s3_context.ts";
import { s3Error } from "./s3_errors.ts";
import { HeldLease } from "./_held_lease.ts";
import type { Lease } from "./_held_lease.ts";

export type { Lease } from "./_held_lease.ts";

/** The leases of one server (one owner id). */
export class LeaseLocks {
  #ctx: S3Context;
  #owner = crypto.randomUUID();
  #local = new PathLocks();
  // How this store wants an ETag in If-Match: RGW 16 only matches it unquoted.
  #quoted: boolean | undefined;

  /** @param ctx The storage's context. */
  constructor(ctx: S3Context) {
    this.#ctx = ctx;
  }

  /**
   * Locks `path` in this process and across servers.
   *
   * @param path A normalised remote path other than the root.
   * @param purpose What the lock is for (it words the `busy` error).
   * @returns The lease; release it when the operation ends.
   * @throws {FerryError} `busy` when it conflicts with a live lease.
   */
  async acquire(path: RemotePath, purpose: LockPurpose): Promise<Lease> {
    const local = this.#local.tryAcquire(path, purpose);
    const action = lockedAction(path, purpose);
    const key = this.#ctx.keys.lock(path);
    let etag: string | undefined;
    try {
      etag = await this.#create(key, path, purpose, action);
      const conflict = await this.#conflict(path);
      if (conflict !== undefined) throw busyError(path, purpose, conflict[0], conflict[1]);
      return new HeldLease(this, key, path, purpose, etag, local);
    } catch (error) {
      if (etag !== undefined) await this.remove(key).catch(() => {});
      local.release();
      throw s3Error(error, action);
    }
  }

  /** Writes the lease body; `etag` given: only over that version. */
  async write(
    key: string,
    path: RemotePath,
    purpose: LockPurpose,
    etag?: string,
  ): Promise<string | undefined> {
    const body = JSON.stringify({ owner: this.#owner, path, purpose, at: Date.now() });
    const headers = { "content-type": "application/json", "x-amz-meta-purpose": purpose };
    const client = this.#ctx.client;
    if (etag === undefined) {
      return await client.put(key, body, { ...headers, "if-none-match": "*" });
    }
    const forms = this.#quoted === undefined ? [true, false] : [this.#quoted];
    for (const quoted of forms) {
      const written = await client.put(key, body, {
        ...headers,
        "if-match": quoted ? `"${etag}"` : etag,
      });
      if (written !== undefined) {
        this.#quoted = quoted;
        return written;
      }
    }
    return undefined;
  }

  async #create(
    key: string,
    path: RemotePath,
    purpose: LockPurpose,
    action: string,
  ): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const created = await this.write(key, path, purpose);
      if (created !== undefined) return created;
      const held = await this.#ctx.client.head(key);
      if (held === undefined) continue; // released meanwhile: try again
      if (this.#isLive(held)) throw busyError(path, purpose, path, purposeOf(held));
      const taken = await this.write(key, path, purpose, held.etag);
      if (taken !== undefined) return taken;
    }
    throw new FerryError("busy", `${action}: the lock is changing hands, try again`);
  }

  /** A live lease above `path` or below it, if any. */
  async #conflict(path: RemotePath): Promise<[RemotePath, LockPurpose] | undefined> {
    const { client, keys } = this.#ctx;
    const above: RemotePath[] = [];
    for (let folder = parentOf(path); folder !== ""; folder = parentOf(folder)) above.push(folder);
    const heads = await Promise.all(above.map((folder) => client.head(keys.lock(folder))));
    for (const [index, head] of heads.entries()) {
      if (head !== undefined && this.#isLive(head)) return [above[index]!, purposeOf(head)];
    }
    let token: string | undefined;
    do {
      const page = await client.list(`${keys.lock(path)}/`, { maxKeys: 1000, token });
      for (const object of page.objects) {
        if (page.serverTime - object.lastModified < this.#ctx.config.leaseMs) {
          const head = await client.head(object.key);
          if (head !== undefined && this.#isLive(head)) {
            return [keys.lockedPath(object.key), purposeOf(head)];
          }
        }
      }
      token = page.next;
    } while (token !== undefined);
    return undefined;
  }

  /**
   * Tells whether this server holds a lease on `path` (or a lock that conflicts with one).
   *
   * @param path A normalised remote path.
   * @returns `true` when one of this server's operations holds it.
   */
  isLeasedHere(path: RemotePath): boolean {
    return this.#local.isLocked(path);
  }

  /**
   * Tells whether a live lease (of any server) is held on `path` itself.
   *
   * @param path A normalised remote path.
   * @returns `true` when it is leased.
   */
  async isLeased(path: RemotePath): Promise<boolean> {
    if (this.#local.isLocked(path)) return true;
    const head = await this.#ctx.client.head(this.#ctx.keys.lock(path));
    return head !== undefined && this.#isLive(head);
  }

  #isLive(head: ObjectHead): boolean {
    return head.serverTime - head.lastModified < this.#ctx.config.leaseMs;
  }

  /** The renewal period, a third of the lease time. */
  get renewMs(): number {
    return Math.floor(this.#ctx.config.leaseMs / 3);
  }

  /** Deletes a lease object. */
  remove(key: string): Promise<void> {
    return this.#ctx.client.delete(key);
  }
}

function purposeOf(head: ObjectHead): LockPurpose {
  const purpose = head.meta.purpose;
  return purpose !== undefined && isLockPurpose(purpose) ? purpose : "upload";
}
