/**
 * The start-up self-check: before doing anything, a program asks Deno
 * whether it holds every permission its configuration needs, and if not,
 * says exactly which flags would give them, instead of failing later with
 * a stack trace from deep inside.
 *
 * @module
 */

import { serverStateDir } from "../core/defaults.ts";
import { FerryError } from "../core/errors.ts";
import {
  clientPermissionFlags,
  type ClientSandboxConfig,
  netAddress,
  S3_ENV_VARS,
  s3NetAddress,
  serverDenoFlags,
  type ServerSandboxConfig,
} from "./permission_flags.ts";

/**
 * The permission descriptors the server needs for `config`: the data folder
 * (only its state folder with S3 storage: no `files/`), and the port unless
 * it only manages users. With S3 storage, also the S3 endpoint once known,
 * and the `FERRY_S3_*` variables when they hold the settings.
 */
export function serverPermissionNeeds(
  config: ServerSandboxConfig,
  task: "serve" | "manage" = "serve",
): Deno.PermissionDescriptor[] {
  const s3 = config.storage === "s3";
  const root = s3 ? serverStateDir(config.dataDir) : config.dataDir;
  const needs: Deno.PermissionDescriptor[] = [
    { name: "read", path: root },
    { name: "write", path: root },
  ];
  if (task === "serve") needs.push({ name: "net", host: netAddress(config.hostname, config.port) });
  if (task === "serve" && config.web !== undefined) needs.push({ name: "net", host: config.web });
  if (task === "serve") {
    for (const path of config.webFiles ?? []) needs.push({ name: "read", path });
  }
  if (s3 && config.s3Endpoint !== undefined) {
    needs.push({ name: "net", host: s3NetAddress(config.s3Endpoint) });
  }
  if (s3 && config.s3FromEnv) {
    needs.push(...S3_ENV_VARS.map((variable) => ({ name: "env" as const, variable })));
  }
  return needs;
}

/**
 * The permission descriptors the client needs for `config`: its working
 * and state folders, and its server unless it stays local (`keygen`).
 */
export function clientPermissionNeeds(
  config: ClientSandboxConfig,
  task: "connect" | "local" = "connect",
): Deno.PermissionDescriptor[] {
  const files: Deno.PermissionDescriptor[] = [
    { name: "read", path: config.workDir },
    { name: "write", path: config.workDir },
    { name: "read", path: config.stateDir },
    { name: "write", path: config.stateDir },
  ];
  return task === "local" ? files : [...files, { name: "net", host: config.server }];
}

function describe(descriptor: Deno.PermissionDescriptor): string {
  if (descriptor.name === "read" || descriptor.name === "write") {
    return `${descriptor.name} "${descriptor.path}"`;
  }
  if (descriptor.name === "net") return `net "${descriptor.host}"`;
  if (descriptor.name === "env") return `env "${descriptor.variable}"`;
  return descriptor.name;
}

async function missing(needs: Deno.PermissionDescriptor[]): Promise<string[]> {
  const out: string[] = [];
  for (const descriptor of needs) {
    const status = await Deno.permissions.query(descriptor);
    if (status.state !== "granted") out.push(describe(descriptor));
  }
  return out;
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
  const lacking = await missing(serverPermissionNeeds(config, task));
  if (lacking.length === 0) return;
  const [cert, key] = config.webFiles ?? [];
  const web = (config.web === undefined ? "" : ` --web ${config.web}`) +
    (cert === undefined || key === undefined ? "" : ` --web-cert ${cert} --web-key ${key}`);
  const where = `--data ${config.dataDir} --host ${config.hostname} --port ${config.port}${web}`;
  if (config.storage !== "s3") {
    const flags = serverDenoFlags(config).join(" ");
    throw new FerryError(
      "usage",
      `Cannot start: this ferryd may not use ${lacking.join(", ")}.\n` +
        `Run it with:  deno run ${flags} server.ts serve ${where}\n` +
        `or build a binary for it:  deno task compile ${where}`,
    );
  }
  // The endpoint is in s3.json or the environment: unknown until they are read.
  const endpoint = config.s3Endpoint ?? "URL";
  const s3 = `--storage s3 --s3-endpoint ${endpoint}${config.s3FromEnv ? " --s3-env" : ""}`;
  const run = config.s3Endpoint === undefined
    ? `deno task serve ${where} --storage s3 --s3-endpoint URL`
    : `deno run ${serverDenoFlags(config).join(" ")} server.ts serve ${where} --storage s3`;
  throw new FerryError(
    "usage",
    `Cannot start: this ferryd may not use ${lacking.join(", ")}.\n` +
      `Run it with:  ${run}\n` +
      `or build a binary for it:  deno task compile ${where} ${s3}`,
  );
}

/**
 * Checks that the client holds what `config` needs for `task`.
 *
 * @throws {FerryError} `usage` naming what is missing and the exact flags
 *   (or compile command) that grant it.
 */
export async function checkClientPermissions(
  config: ClientSandboxConfig,
  task: "connect" | "local" = "connect",
): Promise<void> {
  const lacking = await missing(clientPermissionNeeds(config, task));
  if (lacking.length === 0) return;
  const flags = clientPermissionFlags(config).join(" ");
  throw new FerryError(
    "usage",
    `Cannot start: this ferry may not use ${lacking.join(", ")}.\n` +
      `Run it with:  deno run ${flags} client.ts --server ${config.server} ` +
      `--work ${config.workDir} --home ${config.stateDir} ...\n` +
      `or build a binary for it:  deno task compile --server ${config.server} ` +
      `--work ${config.workDir} --home ${config.stateDir}`,
  );
}
