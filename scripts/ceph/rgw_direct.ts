/**
 * The Ceph RGW's own PUT and GET of one object, as the baseline that
 * `bench_ferryd_s3.ts` divides ferry's rates by: one signed S3 request per
 * transfer from this process (`aws4fetch`, `UNSIGNED-PAYLOAD`), no ferry
 * code in the way.
 *
 * @module
 */

import { AwsClient } from "aws4fetch";
import type { CephClusterInfo } from "./cluster.ts";

/** One bucket of a running cluster, spoken to directly. */
export class RgwDirect {
  #aws: AwsClient;
  #base: string;

  /**
   * @param cluster The running cluster.
   * @param bucket The bucket (created by {@linkcode RgwDirect.ensureBucket}).
   */
  constructor(cluster: CephClusterInfo, bucket: string) {
    this.#aws = new AwsClient({
      accessKeyId: cluster.accessKey,
      secretAccessKey: cluster.secretKey,
      region: cluster.region,
      service: "s3",
      retries: 0,
    });
    this.#base = `${cluster.endpoint}/${bucket}`;
  }

  /** Creates the bucket unless this user owns it already. */
  async ensureBucket(): Promise<void> {
    const response = await this.#aws.fetch(this.#base, { method: "PUT" });
    const text = await response.text();
    if (!response.ok && !text.includes("BucketAlreadyOwnedByYou")) {
      throw new Error(`Cannot create bucket ${this.#base}: HTTP ${response.status} ${text}`);
    }
  }

  /**
   * PUTs `bytes` as `key` in one request, timed from the request to the
   * answer.
   *
   * @param key The object key.
   * @param bytes The whole object (in memory, so that no file read is timed).
   * @returns Seconds.
   */
  async put(key: string, bytes: Uint8Array<ArrayBuffer>): Promise<number> {
    const start = performance.now();
    const response = await this.#aws.fetch(`${this.#base}/${key}`, {
      method: "PUT",
      body: bytes,
      headers: { "content-type": "application/octet-stream" },
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`RGW PUT ${key}: HTTP ${response.status} ${text}`);
    return (performance.now() - start) / 1000;
  }

  /**
   * GETs `key` into a local file (as `ferry get` does), timed from the
   * request to the last byte written.
   *
   * @param key The object key.
   * @param path The local file (created or truncated).
   * @returns Seconds.
   */
  async get(key: string, path: string): Promise<number> {
    const start = performance.now();
    const response = await this.#aws.fetch(`${this.#base}/${key}`);
    if (!response.ok || response.body === null) {
      throw new Error(`RGW GET ${key}: HTTP ${response.status} ${await response.text()}`);
    }
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    await response.body.pipeTo(file.writable);
    return (performance.now() - start) / 1000;
  }

  /** Deletes `key`. */
  async remove(key: string): Promise<void> {
    const response = await this.#aws.fetch(`${this.#base}/${key}`, { method: "DELETE" });
    await response.body?.cancel();
  }
}
