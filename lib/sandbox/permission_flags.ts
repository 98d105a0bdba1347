/**
 * The one source of truth for the Deno permissions of ferryd and ferry.
 * The tasks, the tests and `scripts/compile.ts` all take their flags from
 * here, so what is tested is what ships.
 *
 * @module
 */

/** What the server needs to run. */
export interface ServerSandboxConfig {
  /** The data folder (files and state). */
  dataDir: string;
  /** The address it listens on. */
  hostname: string;
  /** The port it listens on. */
  port: number;
}

/**
 * The exact permission flags of the server: its data folder and its port,
 * nothing else (no environment, no system information, no subprocesses).
 * `--no-prompt` makes anything else fail instead of asking.
 *
 * @example
 * ```ts
 * import { serverPermissionFlags } from "./permission_flags.ts";
 * const flags = serverPermissionFlags({ dataDir: "/srv/ferry", hostname: "0.0.0.0", port: 7878 });
 * console.assert(flags.includes("--allow-net=0.0.0.0:7878"));
 * ```
 */
export function serverPermissionFlags(config: ServerSandboxConfig): string[] {
  const host = config.hostname.includes(":") ? `[${config.hostname}]` : config.hostname;
  return [
    "--no-prompt",
    `--allow-read=${config.dataDir}`,
    `--allow-write=${config.dataDir}`,
    `--allow-net=${host}:${config.port}`,
  ];
}

/** The environment variables the client reads. */
export const CLIENT_ENV_VARS = [
  "FERRY_SERVER",
  "FERRY_USER",
  "FERRY_PASSWORD",
  "FERRY_HOME",
  "HOME",
  "USER",
  "USERPROFILE",
] as const;

/** What the client needs to run. */
export interface ClientSandboxConfig {
  /** The folder it uploads from and downloads into. */
  workDir: string;
  /** Its state folder (`known_hosts`, identity). */
  stateDir: string;
  /** The server as `host:port`. */
  server: string;
}

/**
 * The exact permission flags of the client: its working folder, its state
 * folder, its server, and the `FERRY_*` variables.
 */
export function clientPermissionFlags(config: ClientSandboxConfig): string[] {
  return [
    "--no-prompt",
    `--allow-read=${config.workDir},${config.stateDir}`,
    `--allow-write=${config.workDir},${config.stateDir}`,
    `--allow-net=${config.server}`,
    `--allow-env=${CLIENT_ENV_VARS.join(",")}`,
  ];
}
