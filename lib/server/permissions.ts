/**
 * What a user may do, and the presets `user add` offers.
 *
 * @module
 */

/** Every permission. */
export const PERMISSIONS = ["list", "read", "write", "overwrite", "delete", "mkdir"] as const;

/** One of {@linkcode PERMISSIONS}. */
export type Permission = typeof PERMISSIONS[number];

/** Named sets of permissions. */
export const PRESETS = {
  "read-write": [...PERMISSIONS],
  "read-only": ["list", "read"],
  "upload-only": ["write", "mkdir"],
} as const satisfies Record<string, readonly Permission[]>;

/** The name of a preset. */
export type Preset = keyof typeof PRESETS;

/** Whether `value` is a permission name. */
export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && (PERMISSIONS as readonly string[]).includes(value);
}

/** The preset a permission set equals, or `"custom"`. */
export function presetName(permissions: readonly Permission[]): Preset | "custom" {
  const set = new Set(permissions);
  for (const [name, preset] of Object.entries(PRESETS)) {
    if (preset.length === set.size && preset.every((p) => set.has(p))) return name as Preset;
  }
  return "custom";
}
