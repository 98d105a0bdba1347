/**
 * The S3 storage back end: {@linkcode S3Storage}, the server state beside it
 * ({@linkcode S3StateStore}) and their configuration.
 *
 * @module
 */

export { S3Storage } from "./s3_storage.ts";
export { S3StateStore } from "./s3_state_store.ts";
export type { S3ReadSource } from "./s3_read.ts";
export { resolveS3Config } from "./s3_config.ts";
export type { ResolvedS3Config, S3StorageConfig, S3StorageOptions } from "./s3_config.ts";
