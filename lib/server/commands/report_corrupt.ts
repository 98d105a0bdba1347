/**
 * `REPORT-CORRUPT path sha256 [received]`: a client says that a download of
 * `path` from byte 0 did not match the SHA-256 the server recorded for it
 * (the server's copy changed on its disk since the upload). The server
 * writes the audit event and forgets the recorded hash, so that the next
 * read hashes the file again; the file itself is left alone for the
 * operator.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { normalizeRemotePath } from "../../core/remote_path.ts";
import type { Request } from "../../protocol/requests.ts";
import type { AuditDetail, RequestContext } from "../request_context.ts";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Records the report (audit event `report-corrupt`, console log), calls
 * `storage.forgetSha256`, and answers `REPLY {}`.
 *
 * @throws {FerryError} `bad_request` for a hash that is not 64 lowercase hex digits.
 */
export async function reportCorrupt(
  request: Extract<Request, { op: "report-corrupt" }>,
  context: RequestContext,
): Promise<AuditDetail> {
  const path = normalizeRemotePath(request.path);
  for (const hash of [request.sha256, request.received ?? request.sha256]) {
    if (!SHA256_HEX.test(hash)) {
      throw new FerryError(
        "bad_request",
        `Cannot accept the report on "${request.path}": a SHA-256 must be 64 lowercase hex digits`,
      );
    }
  }
  await context.storage.forgetSha256?.(path);
  const received = request.received === undefined ? "" : `, received ${request.received}`;
  context.log.info(
    `"${context.account.name}" reports that "${path}" no longer matches its recorded SHA-256 ${request.sha256}${received}`,
  );
  await context.reply({});
  return {
    path,
    sha256: request.sha256,
    reason: `the download no longer matches the recorded SHA-256${received}`,
  };
}
