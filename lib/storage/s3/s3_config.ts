/**
 * The configuration of {@linkcode S3Storage}: where the bucket is, how to
 * sign, and the tuning knobs, checked once at start.
 *
 * @module
 */

import { FILES_FOLDER, STATE_FOLDER } from "../../core/defaults.ts";

/** Where the files live and how to reach them. */
export interface S3StorageConfig {
  /** The S3 endpoint, `http(s)://host[:port]` (path-style requests are used). */
  endpoint: string;
  /** The bucket. */
  bucket: string;
  /** The region to sign with (`"default"` for Ceph RGW, `"us-east-1"`...). */
  region: string;
  /** The access key id. */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
  /**
   * A key prefix for everything ferry stores, ending with `/` (`"ferry/"`);
   * files go below `PREFIX files/`, server state below `PREFIX state/`.
   * @default {""}
   */
  prefix?: string;
}

/** Tuning of {@linkcode S3Storage}; every field has a sensible default. */
export interface S3StorageOptions {
  /** Keys asked for per listing request (1–1000). @default {1000} */
  pageSize?: number;
  /**
   * Bytes per multipart part, at least 5 MiB. An upload holds at most
   * `partBuffers` parts in memory; files up to one part are sent with a
   * single PUT. Raised automatically so that no file needs more than 10,000
   * parts.
   * @default {8 MiB}
   */
  partSize?: number;
  /**
   * Part buffers per upload (1–8): the most parts of one upload on their way
   * to the store at once. With 2, the next part fills while the previous one
   * uploads; 1 sends the parts one after the other. Memory per upload is
   * `partBuffers × partSize`.
   * @default {2}
   */
  partBuffers?: number;
  /**
   * Lifetime of a write lease in ms, renewed every third of it while held.
   * All instances sharing a bucket must use the same value.
   * @default {60000}
   */
  leaseMs?: number;
  /** Create the bucket when it does not exist. @default {false} */
  createBucket?: boolean;
  /**
   * Report the sender's modification time in listings, at the cost of one
   * HEAD request per file; otherwise listings give the upload time.
   * @default {true}
   */
  exactListTimes?: boolean;
  /** Requests run at once for folder copies and listing HEADs. @default {8} */
  concurrency?: number;
  /**
   * Sign each part's SHA-256, so the store refuses a part damaged on the
   * way. Costs a hash of every byte on each side. Over `https` the TLS
   * channel already guarantees that the store receives the bytes sent, so
   * parts go with `UNSIGNED-PAYLOAD` there by default.
   * @default {true for an http endpoint, false for https}
   */
  signParts?: boolean;
}

/** A checked configuration with every default filled in. */
export interface ResolvedS3Config {
  /** The endpoint without a trailing `/`. */
  endpoint: string;
  /** The bucket. */
  bucket: string;
  /** The signing region. */
  region: string;
  /** The access key id. */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
  /** The prefix of file keys: `PREFIX files/`. */
  filesPrefix: string;
  /** The prefix of state keys: `PREFIX state/`. */
  statePrefix: string;
  /** See {@linkcode S3StorageOptions}. */
  pageSize: number;
  /** See {@linkcode S3StorageOptions}. */
  partSize: number;
  /** See {@linkcode S3StorageOptions}. */
  partBuffers: number;
  /** See {@linkcode S3StorageOptions}. */
  leaseMs: number;
  /** See {@linkcode S3StorageOptions}. */
  createBucket: boolean;
  /** See {@linkcode S3StorageOptions}. */
  exactListTimes: boolean;
  /** See {@linkcode S3StorageOptions}. */
  concurrency: number;
  /** See {@linkcode S3StorageOptions}. */
  signParts: boolean;
}

const MIB = 1024 * 1024;
/** The smallest part S3 accepts (except for the last one). */
export const MIN_PART_SIZE = 5 * MIB;
/** The most parts one multipart upload may have. */
export const MAX_PARTS = 10_000;
/** The largest object a multipart upload can make (S3's limit). */
export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MIB;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Checks a configuration and fills in the defaults.
 *
 * @example Defaults
 * ```ts
 * import { resolveS3Config } from "./s3_config.ts";
 * import assert from "node:assert/strict";
 * const config = resolveS3Config({
 *   endpoint: "http://127.0.0.1:8000/",
 *   bucket: "ferry",
 *   region: "default",
 *   accessKeyId: "AK",
 *   secretAccessKey: "SK",
 *   prefix: "team/",
 * });
 * assert.equal(config.endpoint, "http://127.0.0.1:8000");
 * assert.equal(config.filesPrefix, "team/files/");
 * assert.equal(config.partSize, 8 * 1024 * 1024);
 * assert.equal(config.partBuffers, 2);
 * assert.equal(config.signParts, true); // http: TLS would make the signature redundant
 * ```
 *
 * @param config Where and how.
 * @param options Tuning.
 * @returns The checked configuration.
 * @throws {TypeError} For a malformed endpoint, bucket name or prefix, or
 * empty credentials.
 * @throws {RangeError} For tuning values out of range.
 */
export function resolveS3Config(
  config: S3StorageConfig,
  options: S3StorageOptions = {},
): ResolvedS3Config {
  let url: URL;
  try {
    url = new URL(config.endpoint);
  } catch {
    throw new TypeError(`Cannot use S3 endpoint "${config.endpoint}": it is not a URL`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.pathname !== "/") {
    throw new TypeError(
      `Cannot use S3 endpoint "${config.endpoint}": expected http(s)://host[:port]`,
    );
  }
  if (!BUCKET_NAME.test(config.bucket)) {
    throw new TypeError(`Cannot use bucket "${config.bucket}": it is not a valid bucket name`);
  }
  const prefix = config.prefix ?? "";
  if (prefix !== "" && (!prefix.endsWith("/") || prefix.startsWith("/") || prefix.includes("//"))) {
    throw new TypeError(
      `Cannot use prefix "${prefix}": it must end with "/" and not start with it`,
    );
  }
  if (config.region === "" || config.accessKeyId === "" || config.secretAccessKey === "") {
    throw new TypeError("Cannot use the S3 configuration: region and credentials must be set");
  }
  const pageSize = options.pageSize ?? 1000;
  const partSize = options.partSize ?? 8 * MIB;
  const leaseMs = options.leaseMs ?? 60_000;
  const concurrency = options.concurrency ?? 8;
  const partBuffers = options.partBuffers ?? 2;
  checkRange("pageSize", pageSize, 1, 1000);
  checkRange("partSize", partSize, MIN_PART_SIZE, 5 * 1024 * MIB);
  checkRange("partBuffers", partBuffers, 1, 8);
  checkRange("leaseMs", leaseMs, 1_000, 3_600_000);
  checkRange("concurrency", concurrency, 1, 64);
  return {
    endpoint: url.origin,
    bucket: config.bucket,
    region: config.region,
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    filesPrefix: `${prefix}${FILES_FOLDER}/`,
    statePrefix: `${prefix}${STATE_FOLDER}/`,
    pageSize,
    partSize,
    partBuffers,
    leaseMs,
    createBucket: options.createBucket ?? false,
    exactListTimes: options.exactListTimes ?? true,
    concurrency,
    signParts: options.signParts ?? url.protocol === "http:",
  };
}

/**
 * The part size for a file: the configured one, raised to a whole number
 * of MiB so that the file needs at most {@linkcode MAX_PARTS} parts.
 *
 * @param size The file's size.
 * @param configured The configured part size.
 * @returns The part size to use.
 */
export function partSizeFor(size: number, configured: number): number {
  const needed = Math.ceil(size / MAX_PARTS / MIB) * MIB;
  return Math.max(configured, needed);
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`Cannot use ${name} ${value}: expected an integer from ${min} to ${max}`);
  }
}
