/**
 * The identical-file answer to a `put` that carries the client's SHA-256
 * (`put-sha256`): when the path already holds a file of that size and
 * SHA-256, nothing needs to be sent. The client learns no more than the
 * `exists` it would get anyway, so users without the `list` permission (a
 * drop box) can re-run an upload without a listing. The stored file's hash
 * comes from the back end when it holds it (S3, the local hash index), so the
 * check then reads nothing; else the file is read once and its hash recorded.
 *
 * @module
 */

import { isFerryError } from "../../core/errors.ts";
import type { Request } from "../../protocol/requests.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type { AuditDetail, RequestContext } from "../request_context.ts";
import { storedSha256 } from "./stat_command.ts";

/**
 * Answers `REPLY { skipped: "identical", entry, path, sha256 }` when the
 * upload is not needed (never with `force`).
 *
 * @returns The audit detail when it answered (`skipped: "identical"`, no byte), else `undefined`
 *   (upload as usual).
 */
export async function skipIdenticalUpload(
  request: Extract<Request, { op: "put" }>,
  path: RemotePath,
  context: RequestContext,
): Promise<AuditDetail | undefined> {
  if (request.sha256 === undefined || request.force) return undefined;
  let entry;
  try {
    entry = await context.storage.stat(path);
  } catch (error) {
    if (isFerryError(error, "not_found")) return undefined;
    throw error;
  }
  if (entry.kind !== "file" || entry.size !== request.size) return undefined;
  const sha256 = await storedSha256(context.storage, path, context.signal);
  if (sha256 !== request.sha256.toLowerCase()) return undefined;
  await context.reply({ skipped: "identical", entry, path, sha256 });
  return { path, bytes: 0, size: entry.size, sha256, skipped: "identical" };
}
