/**
 * The start-up self-check: before doing anything, a program asks Deno
 * whether it holds every permission its configuration needs, and if not,
 * says exactly which flags would give them, instead of failing later with
 * a stack trace from deep inside.
 *
 * @module
 */

import { FerryError } from "../errors.ts";
import { serverPermissionFlags, type ServerSandboxConfig } from "./permission_flags.ts";

/**
 * The permission descriptors the server needs for `config`: the data folder,
 * and the port unless it only manages users.
 */
export function serverPermissionNeeds(
  config: ServerSandboxConfig,
  task: "serve" | "manage" = "serve",
): Deno.PermissionDescriptor[] {
  const host = config.hostname.includes(":") ? `[${config.hostname}]` : config.hostname;
  const files: Deno.PermissionDescriptor[] = [
    { name: "read", path: config.dataDir },
    { name: "write", path: config.dataDir },
  ];
  return task === "manage" ? files : [...files, { name: "net", host: `${host}:${config.port}` }];
}

function describe(descriptor: Deno.PermissionDescriptor): string {
  if (descriptor.name === "read" || descriptor.name === "write") {
    return `${descriptor.name} "${descriptor.path}"`;
  }
  if (descriptor.name === "net") return `net "${descriptor.host}"`;
  return descriptor.name;
}

/**
 * Checks that the server holds what `config` needs for `task`.
 *
 * @throws {FerryError} `usage` naming what is missing and the exact flags
 *   (or compile command) that grant it.
 */
export async function checkServerPermissions(
  config: ServerSandboxConfig,
  task: "serve" | "manage" = "serve",
): Promise<void> {
  const missing: string[] = [];
  for (const descriptor of serverPermissionNeeds(config, task)) {
    const status = await Deno.permissions.query(descriptor);
    if (status.state !== "granted") missing.push(describe(descriptor));
  }
  if (missing.length === 0) return;
  const flags = serverPermissionFlags(config).join(" ");
  throw new FerryError(
    "usage",
    `Cannot start: this ferryd may not use ${missing.join(", ")}.\n` +
      `Run it with:  deno run ${flags} server.ts serve --data ${config.dataDir} ` +
      `--host ${config.hostname} --port ${config.port}\n` +
      `or build a binary for it:  deno task compile --data ${config.dataDir} --port ${config.port}`,
  );
}
