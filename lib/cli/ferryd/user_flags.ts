/**
 * The flags of `server.ts user add|set`: permissions (a preset or a list),
 * home folder, quotas and keys, applied to a user's record.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { FerryError } from "../../core/errors.ts";
import { normalizeRemotePath } from "../../core/remote_path.ts";
import { isPermission, type Permission, PERMISSIONS, PRESETS } from "../../server/permissions.ts";
import type { UserRecord } from "../../server/user_store.ts";

function parseKey(text: string): string {
  const bytes = Buffer.from(text, "base64");
  if (bytes.byteLength !== 32) {
    throw new FerryError("usage", `Cannot use key "${text}": expected a base64 X25519 public key`);
  }
  return bytes.toString("base64");
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
};

/**
 * Parses a size like `500M`, `10G`, `1.5T` or `1048576` (1024-based units,
 * an optional `B`/`iB` suffix).
 *
 * @throws {FerryError} `usage` when malformed.
 */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  const bytes = match
    ? Math.round(Number(match[1]) * (SIZE_UNITS[(match[2] ?? "").toUpperCase()] ?? NaN))
    : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new FerryError("usage", `Cannot use size "${text}": expected a number with K, M, G or T`);
  }
  return bytes;
}

/** The flags of `user add|set` as parsed. */
export type UserFlags = Record<string, string | boolean | undefined>;

/** Applies the permission, home and quota flags to a record. */
export function applyFlags(record: UserRecord, values: UserFlags): void {
  const presets = (["read-only", "upload-only", "read-write"] as const).filter((p) => values[p]);
  if (presets.length + (values.permissions !== undefined ? 1 : 0) > 1) {
    throw new FerryError(
      "usage",
      "Cannot combine --read-only, --upload-only, --read-write and --permissions",
    );
  }
  if (presets[0]) record.permissions = [...PRESETS[presets[0]]];
  if (typeof values.permissions === "string") {
    const list = values.permissions.split(",").map((p) => p.trim()).filter(Boolean);
    const bad = list.find((p) => !isPermission(p));
    if (bad !== undefined) {
      throw new FerryError(
        "usage",
        `Cannot use permission "${bad}": use ${PERMISSIONS.join(", ")}`,
      );
    }
    record.permissions = list as Permission[];
  }
  if (typeof values.home === "string") {
    // "/" names the shared root here (an operator's word, not a protocol path).
    const home = values.home === "/" ? "" : normalizeRemotePath(values.home);
    if (home === "") delete record.home;
    else record.home = home;
  }
  if (values["no-home"]) delete record.home;
  if (typeof values.quota === "string") {
    const bytes = values.quota === "none" ? 0 : parseSize(values.quota);
    if (bytes === 0) delete record.quotaBytes;
    else record.quotaBytes = bytes;
  }
  if (typeof values["quota-files"] === "string") {
    const files = values["quota-files"] === "none" ? 0 : Number(values["quota-files"]);
    if (!Number.isSafeInteger(files) || files < 0) {
      throw new FerryError("usage", `Cannot use --quota-files "${values["quota-files"]}"`);
    }
    if (files === 0) delete record.quotaFiles;
    else record.quotaFiles = files;
  }
  if (typeof values.key === "string") record.keys.push(parseKey(values.key));
}
