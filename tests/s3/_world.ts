/**
 * The S3 test world: one real Ceph cluster (brought up once per run by
 * `s3_storage_test.ts`), one bucket, and a fresh key prefix per test case so
 * the cases never see each other's objects.
 *
 * @module
 */

import type { CephClusterInfo } from "../../scripts/ceph/cluster.ts";
import { S3Client } from "../../lib/storage/s3/s3_client.ts";
import { resolveS3Config } from "../../lib/storage/s3/s3_config.ts";
import type { S3StorageConfig, S3StorageOptions } from "../../lib/storage/s3/s3_config.ts";
import { S3Storage } from "../../lib/storage/s3/s3_storage.ts";

/** The bucket every case uses. */
export const BUCKET = "ferry-test";

/** A cluster plus helpers to open storages on it. */
export class S3World {
  /** The running cluster. */
  readonly cluster: CephClusterInfo;
  #cases = 0;
  #run = crypto.randomUUID().slice(0, 8);

  /** @param cluster The running cluster. */
  constructor(cluster: CephClusterInfo) {
    this.cluster = cluster;
  }

  /** A fresh prefix for one test case. */
  newPrefix(name: string): string {
    return `run-${this.#run}/case${++this.#cases}-${name}/`;
  }

  /** The storage configuration for a prefix. */
  config(prefix: string): S3StorageConfig {
    return {
      endpoint: this.cluster.endpoint,
      bucket: BUCKET,
      region: this.cluster.region,
      accessKeyId: this.cluster.accessKey,
      secretAccessKey: this.cluster.secretKey,
      prefix,
    };
  }

  /** Opens a new storage instance (a new "server") on a prefix. */
  open(prefix: string, options: S3StorageOptions = {}): Promise<S3Storage> {
    return S3Storage.open(this.config(prefix), { createBucket: true, ...options });
  }

  /** A raw client of the bucket, to look behind the storage's back. */
  raw(): S3Client {
    return new S3Client(resolveS3Config(this.config("")));
  }

  /** Every key below a prefix (all pages). */
  async keys(prefix: string): Promise<string[]> {
    const client = this.raw();
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.list(prefix, { maxKeys: 1000, token });
      keys.push(...page.objects.map((object) => object.key));
      token = page.next;
    } while (token !== undefined);
    return keys;
  }

  /** The keys of multipart uploads in progress below a prefix. */
  async multipartUploads(prefix: string): Promise<string[]> {
    const response = await this.raw().send("GET", undefined, { query: { uploads: "", prefix } });
    const xml = await response.text();
    return Array.from(xml.matchAll(/<Upload>[\s\S]*?<Key>([^<]*)<\/Key>/g), (m) => m[1] ?? "");
  }
}

/** A buffer of pseudo-random bytes (fast to make, not compressible). */
export function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
  }
  return bytes;
}

/** Writes `bytes` to a sink in protocol-sized chunks (65514 bytes). */
export async function writeAll(
  sink: { write(chunk: Uint8Array): Promise<void> },
  bytes: Uint8Array,
): Promise<void> {
  for (let at = 0; at < bytes.byteLength; at += 65_514) {
    await sink.write(bytes.subarray(at, Math.min(bytes.byteLength, at + 65_514)));
  }
}
