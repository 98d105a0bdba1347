/**
 * The server state of the S3 back end: the host key and the users file as
 * objects below `PREFIX state/`, beside the leases and partial uploads, so
 * that every ferryd on the bucket presents one identity and one set of
 * users. Versions are ETags: reads revalidate with `If-None-Match`, writes
 * are `If-None-Match: *` (create) or `If-Match` (replace), so racing
 * servers agree on one host key and never lose each other's user changes.
 *
 * @module
 */

import type { StateObject, StateStore } from "../state_store.ts";
import { connectBucket, type S3Client } from "./s3_client.ts";
import { resolveS3Config } from "./s3_config.ts";
import type { S3StorageConfig } from "./s3_config.ts";
import { s3Error } from "./s3_errors.ts";

/** The state objects of one bucket and prefix. */
export class S3StateStore implements StateStore {
  #client: S3Client;
  #prefix: string;
  #bucket: string;
  // RGW 16 matches If-Match only against an unquoted ETag, AWS either way.
  #quoted: boolean | undefined;

  private constructor(client: S3Client, bucket: string, prefix: string) {
    this.#client = client;
    this.#bucket = bucket;
    this.#prefix = prefix;
  }

  /**
   * Opens the state of a bucket and prefix, checking that the bucket
   * exists (creating it when `createBucket`).
   *
   * @param config The same configuration as the files' `S3Storage`.
   * @param options `createBucket`: create a missing bucket.
   * @returns The store.
   * @throws {Error} When the bucket does not exist or cannot be reached.
   */
  static async open(
    config: S3StorageConfig,
    options: { createBucket?: boolean } = {},
  ): Promise<S3StateStore> {
    const resolved = resolveS3Config(config, options);
    const client = await connectBucket(resolved, "server state");
    return new S3StateStore(client, resolved.bucket, resolved.statePrefix);
  }

  /** The object's place: `s3://BUCKET/PREFIX state/NAME`. */
  describe(name: string): string {
    return `s3://${this.#bucket}/${this.#prefix}${name}`;
  }

  /** Reads the object and its ETag. */
  async read(name: string): Promise<StateObject | undefined> {
    const action = `Cannot read "${this.describe(name)}"`;
    try {
      const got = await this.#client.getBytes(this.#prefix + name);
      return got === undefined ? undefined : { bytes: got.bytes, version: got.head.etag };
    } catch (error) {
      throw s3Error(error, action);
    }
  }

  /** A conditional GET: 304 means unchanged. */
  async readIfChanged(
    name: string,
    version: string,
  ): Promise<StateObject | "unchanged" | undefined> {
    const action = `Cannot read "${this.describe(name)}"`;
    try {
      const response = await this.#client.send("GET", this.#prefix + name, {
        headers: { "if-none-match": `"${version}"` },
        accept: [304, 404],
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        return response.status === 304 ? "unchanged" : undefined;
      }
      const etag = (response.headers.get("etag") ?? "").replace(/^"(.*)"$/, "$1");
      const bytes = new Uint8Array(await response.arrayBuffer());
      return etag === version ? "unchanged" : { bytes, version: etag };
    } catch (error) {
      throw s3Error(error, action);
    }
  }

  /** A conditional PUT: `If-None-Match: *` to create, `If-Match: ETAG` to replace. */
  async replace(name: string, bytes: Uint8Array, version: string | undefined): Promise<boolean> {
    const action = `Cannot write "${this.describe(name)}"`;
    const key = this.#prefix + name;
    const headers = { "content-type": "application/octet-stream" };
    try {
      if (version === undefined) {
        return await this.#client.put(key, bytes, { ...headers, "if-none-match": "*" }) !==
          undefined;
      }
      const forms = this.#quoted === undefined ? [false, true] : [this.#quoted];
      for (const quoted of forms) {
        const condition = quoted ? `"${version}"` : version;
        if (
          await this.#client.put(key, bytes, { ...headers, "if-match": condition }) !== undefined
        ) {
          this.#quoted = quoted;
          return true;
        }
      }
      return false;
    } catch (error) {
      throw s3Error(error, action);
    }
  }
}
