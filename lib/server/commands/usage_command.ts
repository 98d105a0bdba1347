/**
 * `USAGE`: what the user's folder holds, and their quota (the client's `df`).
 * Counts only, never names: any logged-in user may ask.
 *
 * @module
 */

import type { Request } from "../../protocol/requests.ts";
import { FolderUsage } from "../folder_usage.ts";
import type { RequestContext } from "../request_context.ts";

/** `USAGE`: `REPLY { bytes, files, quotaBytes?, quotaFiles? }`. */
export async function usage(
  _request: Extract<Request, { op: "usage" }>,
  context: RequestContext,
): Promise<void> {
  // A user without a quota has no running count: walk the folder once.
  const now = await (context.usage ?? new FolderUsage(context.storage)).current();
  const { quotaBytes, quotaFiles } = context.account;
  await context.reply({
    bytes: now.bytes,
    files: now.files,
    ...(quotaBytes === undefined ? {} : { quotaBytes }),
    ...(quotaFiles === undefined ? {} : { quotaFiles }),
  });
}
