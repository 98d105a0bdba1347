/**
 * What every part of the S3 back end shares: the client, the key map and
 * the configuration.
 *
 * @module
 */

import type { KeyMap } from "./key_map.ts";
import type { S3Client } from "./s3_client.ts";
import type { ResolvedS3Config } from "./s3_config.ts";

/** The shared parts of one {@linkcode S3Storage}. */
export interface S3Context {
  /** The signed client of the bucket. */
  client: S3Client;
  /** Remote paths to keys. */
  keys: KeyMap;
  /** The checked configuration. */
  config: ResolvedS3Config;
}
