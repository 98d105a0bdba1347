/**
 * The one place where object-store failures become {@linkcode FerryError}s.
 * Like `fs_error.ts` for the disk: the endpoint and bucket never reach the
 * message (it goes to clients); they stay in `cause` for the server's log.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import type { ErrorCode } from "../../core/errors.ts";
import { xmlText } from "./_xml.ts";

/** A failed S3 request, kept as the `cause` of the {@linkcode FerryError}. */
export class S3RequestError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The S3 error code (`NoSuchKey`, `SlowDown`...), `""` when none was sent. */
  readonly s3Code: string;

  /**
   * @param method The HTTP method.
   * @param url The request URL.
   * @param status The HTTP status.
   * @param s3Code The S3 error code.
   */
  constructor(method: string, url: string, status: number, s3Code: string) {
    super(`${method} ${url} answered HTTP ${status}${s3Code ? ` ${s3Code}` : ""}`);
    this.name = "S3RequestError";
    this.status = status;
    this.s3Code = s3Code;
  }
}

/**
 * Reads the error code of an S3 error answer.
 *
 * @param body The answer's body (may be empty, as for HEAD).
 * @returns The `<Code>`, or `""`.
 */
export function s3ErrorCode(body: string): string {
  return xmlText(body, "Code") ?? "";
}

/**
 * Converts a failed request into a {@linkcode FerryError}.
 *
 * @example A missing object
 * ```ts
 * import { S3RequestError, s3Error } from "./s3_errors.ts";
 * import assert from "node:assert/strict";
 * const error = s3Error(new S3RequestError("GET", "http://s3/b/k", 404, "NoSuchKey"), 'Cannot read "k"');
 * assert.equal(error.code, "not_found");
 * assert.equal(error.message, 'Cannot read "k": no such file or folder');
 * ```
 *
 * @param error What the request threw: an {@linkcode S3RequestError}, a
 * network failure, or a `FerryError` (passed through).
 * @param action The start of the message, naming the remote path.
 * @returns The error to throw.
 */
export function s3Error(error: unknown, action: string): FerryError {
  if (error instanceof FerryError) return error;
  const [code, reason] = classify(error);
  return new FerryError(code, `${action}: ${reason}`, { cause: error });
}

function classify(error: unknown): readonly [ErrorCode, string] {
  if (!(error instanceof S3RequestError)) {
    if (error instanceof Deno.errors.NotCapable) {
      return ["internal", "the server lacks a permission it needs"];
    }
    return ["internal", "the object store cannot be reached"];
  }
  const { status, s3Code } = error;
  if (s3Code === "NoSuchBucket") return ["internal", "the bucket does not exist"];
  if (status === 404) return ["not_found", "no such file or folder"];
  if (s3Code === "QuotaExceeded" || status === 507) {
    return ["quota", "the object store's quota is exhausted"];
  }
  if (s3Code === "KeyTooLongError") {
    return ["invalid_path", "the name is too long for the object store"];
  }
  if (status === 403) return ["denied", "the object store refused access"];
  if (status === 412 || status === 409) {
    return ["busy", "it was changed by another server at the same time"];
  }
  return ["internal", `the object store failed (HTTP ${status}${s3Code ? ` ${s3Code}` : ""})`];
}
