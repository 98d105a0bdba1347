/**
 * How `user list` and `user set` show a user: one readable line (sizes as
 * an operator types them: `2 MiB`, not `2097152`), or JSON with `--json`.
 *
 * @module
 */

import { presetName } from "../../server/permissions.ts";
import type { UserRecord } from "../../server/user_store.ts";

const UNITS: readonly [string, number][] = [
  ["TiB", 2 ** 40],
  ["GiB", 2 ** 30],
  ["MiB", 2 ** 20],
  ["KiB", 2 ** 10],
];

/**
 * A byte count in the largest 1024-based unit that gives it back exactly
 * (at most two decimals), as `user add --quota` takes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSize } from "./user_display.ts";
 * assert.equal(formatSize(2 * 2 ** 20), "2 MiB");
 * assert.equal(formatSize(1.5 * 2 ** 30), "1.5 GiB");
 * assert.equal(formatSize(1000), "1000 B");
 * ```
 */
export function formatSize(bytes: number): string {
  for (const [unit, size] of UNITS) {
    const value = Math.round((bytes / size) * 100) / 100;
    if (value >= 1 && Math.round(value * size) === bytes) return `${value} ${unit}`;
  }
  return `${bytes} B`;
}

/** A user as `user list --json` gives it. */
export function describeUser(name: string, record: UserRecord): Record<string, unknown> {
  return {
    name,
    permissions: record.permissions,
    preset: presetName(record.permissions),
    home: record.home ?? null,
    quotaBytes: record.quotaBytes ?? null,
    quotaFiles: record.quotaFiles ?? null,
    password: record.password !== undefined,
    keys: record.keys.length,
  };
}

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? "" : "s"}`;
}

/** The fields of a user's line: permissions, home, quota, how they log in. */
export function userFields(record: UserRecord): string[] {
  const preset = presetName(record.permissions);
  const quota = [
    ...(record.quotaBytes === undefined ? [] : [formatSize(record.quotaBytes)]),
    ...(record.quotaFiles === undefined ? [] : [plural(record.quotaFiles, "file")]),
  ];
  const logins = [
    ...(record.password === undefined ? [] : ["password"]),
    ...(record.keys.length === 0 ? [] : [plural(record.keys.length, "key")]),
  ];
  return [
    preset === "custom" ? record.permissions.join(",") || "no permissions" : preset,
    `home /${record.home ?? ""}`,
    `quota ${quota.length === 0 ? "none" : quota.join(", ")}`,
    `login ${logins.length === 0 ? "none (cannot log in)" : logins.join(" or ")}`,
  ];
}

/**
 * The lines of `user list`: one per user, in aligned columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { userLines } from "./user_display.ts";
 * const lines = userLines([["ann", { permissions: ["list", "read"], keys: [] }]]);
 * assert.match(lines[0] ?? "", /^ann  read-only  home \//);
 * ```
 */
export function userLines(users: Iterable<[string, UserRecord]>): string[] {
  const rows = [...users].map(([name, record]) => [name, ...userFields(record)]);
  const widths = rows.reduce<number[]>(
    (max, row) => row.map((cell, i) => Math.max(max[i] ?? 0, cell.length)),
    [],
  );
  return rows.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)).join("  ")
  );
}
