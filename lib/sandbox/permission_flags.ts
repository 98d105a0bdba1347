/**
 * The one source of truth for the Deno permissions of ferryd and ferry.
 * The tasks (through `scripts/launch.ts`), the tests and
 * `scripts/compile.ts` all take their flags from here, so what is tested
 * is what ships.
 *
 * @module
 */

import { FerryError } from "../errors.ts";

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
 * The server's built-in defaults: `./data`, all addresses, port 7878.
 * `server.ts`, the launcher and `scripts/compile.ts` share them.
 */
export const SERVER_DEFAULTS: Readonly<ServerSandboxConfig> = Object.freeze({
  dataDir: "./data",
  hostname: "0.0.0.0",
  port: 7878,
});

/** `host:port` as Deno's `--allow-net` and `Deno.permissions` spell it. */
export function netAddress(hostname: string, port: number): string {
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

function pathList(paths: string[]): string {
  for (const path of paths) {
    if (path === "" || path.includes(",")) {
      throw new FerryError(
        "usage",
        `Cannot grant access to "${path}": a Deno permission path must be non-empty and ` +
          "hold no comma",
      );
    }
  }
  return paths.join(",");
}

/**
 * The exact permission flags of the server: its data folder and its port,
 * nothing else (no environment, no system information, no subprocesses).
 * `--no-prompt` makes anything else fail instead of asking. The same flags
 * serve `serve` and `user`: one binary, one grant.
 *
 * @example
 * ```ts
 * import { serverPermissionFlags } from "./permission_flags.ts";
 * const flags = serverPermissionFlags({ dataDir: "/srv/ferry", hostname: "0.0.0.0", port: 7878 });
 * console.assert(flags.includes("--allow-net=0.0.0.0:7878"));
 * ```
 */
export function serverPermissionFlags(config: ServerSandboxConfig): string[] {
  const data = pathList([config.dataDir]);
  return [
    "--no-prompt",
    `--allow-read=${data}`,
    `--allow-write=${data}`,
    `--allow-net=${netAddress(config.hostname, config.port)}`,
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
 * folder, its server, and the `FERRY_*` variables (plus the home and user
 * name it falls back on).
 *
 * @example
 * ```ts
 * import { clientPermissionFlags } from "./permission_flags.ts";
 * const flags = clientPermissionFlags({
 *   workDir: "/home/ann/work",
 *   stateDir: "/home/ann/.config/ferry",
 *   server: "files.example:7878",
 * });
 * console.assert(flags.includes("--allow-net=files.example:7878"));
 * ```
 */
export function clientPermissionFlags(config: ClientSandboxConfig): string[] {
  const folders = pathList([config.workDir, config.stateDir]);
  return [
    "--no-prompt",
    `--allow-read=${folders}`,
    `--allow-write=${folders}`,
    `--allow-net=${config.server}`,
    `--allow-env=${CLIENT_ENV_VARS.join(",")}`,
  ];
}

/**
 * The flags of `scripts/launch.ts`, the launcher behind the `serve`, `user`
 * and `client` tasks: it may start `deno` and nothing else; for the client
 * it also reads the variables that decide the client's grant.
 */
export function launcherPermissionFlags(program: "ferryd" | "ferry"): string[] {
  return program === "ferryd"
    ? ["--no-prompt", "--allow-run=deno"]
    : ["--no-prompt", "--allow-run=deno", `--allow-env=${CLIENT_ENV_VARS.join(",")}`];
}

/**
 * The flags of `scripts/compile.ts`: it may start `deno compile` and read
 * `DENORT_BIN` and the variables that locate the client's state folder.
 */
export function compilerPermissionFlags(): string[] {
  return ["--no-prompt", "--allow-run=deno", "--allow-env=DENORT_BIN,FERRY_HOME,HOME,USERPROFILE"];
}
