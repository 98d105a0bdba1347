/**
 * The one source of truth for the Deno permissions of ferryd and ferry.
 * The tasks (through `scripts/launch.ts`), the tests and
 * `scripts/compile.ts` all take their flags from here, so what is tested
 * is what ships.
 *
 * @module
 */

import {
  DEFAULT_DATA_DIR,
  DEFAULT_HOSTNAME,
  DEFAULT_PORT,
  serverStateDir,
} from "../core/defaults.ts";
import { FerryError } from "../core/errors.ts";

/** Where ferryd keeps files: `DATA/files`, or an S3 bucket. */
export type StorageKind = "local" | "s3";

/** What the server needs to run. */
export interface ServerSandboxConfig {
  /** The data folder (files and state; only its state with `s3`). */
  dataDir: string;
  /** The address it listens on. */
  hostname: string;
  /** The port it listens on. */
  port: number;
  /** Where files are kept. @default {"local"} */
  storage?: StorageKind;
  /** With `s3`: the S3 endpoint, `http(s)://host[:port]` (not a secret). */
  s3Endpoint?: string;
  /** With `s3`: the settings come from the `FERRY_S3_*` variables, not `s3.json`. */
  s3FromEnv?: boolean;
  /** The web front end's `host:port` (`--web`), when it is on. */
  web?: string;
  /** The web front end's certificate and key files (`--web-cert`, `--web-key`): read only. */
  webFiles?: string[];
}

/**
 * The environment variables ferryd reads with `--storage s3` when the
 * environment, not `DATA/state/s3.json`, holds the S3 settings.
 */
export const S3_ENV_VARS = [
  "FERRY_S3_ENDPOINT",
  "FERRY_S3_BUCKET",
  "FERRY_S3_REGION",
  "FERRY_S3_ACCESS_KEY_ID",
  "FERRY_S3_SECRET_ACCESS_KEY",
  "FERRY_S3_PREFIX",
  "FERRY_S3_CREATE_BUCKET",
] as const;

/**
 * The server's built-in defaults (`lib/core/defaults.ts`): `./data`, all
 * addresses, port 7878. `server.ts`, the launcher and `scripts/compile.ts`
 * share them.
 */
export const SERVER_DEFAULTS: Readonly<ServerSandboxConfig> = Object.freeze({
  dataDir: DEFAULT_DATA_DIR,
  hostname: DEFAULT_HOSTNAME,
  port: DEFAULT_PORT,
});

/** `host:port` as Deno's `--allow-net` and `Deno.permissions` spell it. */
export function netAddress(hostname: string, port: number): string {
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

/**
 * The `host:port` of an S3 endpoint, the port made explicit (80, 443).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { s3NetAddress } from "./permission_flags.ts";
 * assert.equal(s3NetAddress("https://s3.example"), "s3.example:443");
 * ```
 *
 * @throws {FerryError} `usage` unless it is `http(s)://host[:port]`.
 */
export function s3NetAddress(endpoint: string): string {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || !["http:", "https:"].includes(url.protocol) || url.pathname !== "/") {
    throw new FerryError(
      "usage",
      `Cannot use S3 endpoint "${endpoint}": expected http(s)://host[:port]`,
    );
  }
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  return netAddress(url.hostname.replace(/^\[(.*)\]$/, "$1"), port);
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
 * Deno flags the server runs with besides its permissions: a small V8 young
 * generation. ferryd's hot path allocates a ciphertext buffer per 64 KiB
 * frame; with V8's default 16 MiB semi-spaces its RSS grew with the size of
 * a transfer (+36 MiB from a 64 MiB to a 1 GiB one, 178 MiB with 16
 * clients); with 1 MiB it stays flat (94 MiB peak for a 1 GiB get, 134 MiB
 * with 16 clients) at the same throughput (docs/PERFORMANCE.md).
 */
export const SERVER_RUNTIME_FLAGS: readonly string[] = Object.freeze([
  "--v8-flags=--max-semi-space-size=1",
]);

/**
 * The exact permission flags of the server: its data folder and its port
 * (with `--web`: that address too, and reading its certificate and key),
 * nothing else (no environment, no system information, no subprocesses).
 * With `storage: "s3"`: its state folder (`DATA/state`), its port and the
 * S3 endpoint, plus the `FERRY_S3_*` variables when they hold the settings.
 * `--no-prompt` makes anything else fail instead of asking. The same flags
 * serve `serve` and `user`: one binary, one grant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverPermissionFlags } from "./permission_flags.ts";
 * const flags = serverPermissionFlags({ dataDir: "/srv/ferry", hostname: "0.0.0.0", port: 7878 });
 * assert.ok(flags.includes("--allow-net=0.0.0.0:7878"));
 * const s3 = serverPermissionFlags({
 *   dataDir: "/srv/ferry",
 *   hostname: "0.0.0.0",
 *   port: 7878,
 *   storage: "s3",
 *   s3Endpoint: "http://10.0.0.5:8000",
 * });
 * assert.ok(s3.includes("--allow-read=/srv/ferry/state"));
 * assert.ok(s3.includes("--allow-net=0.0.0.0:7878,10.0.0.5:8000"));
 * const web = serverPermissionFlags({
 *   dataDir: "/srv/ferry",
 *   hostname: "0.0.0.0",
 *   port: 7878,
 *   web: "0.0.0.0:8443",
 *   webFiles: ["/etc/ferry/cert.pem", "/etc/ferry/key.pem"],
 * });
 * assert.ok(web.includes("--allow-net=0.0.0.0:7878,0.0.0.0:8443"));
 * assert.ok(web.includes("--allow-read=/srv/ferry,/etc/ferry/cert.pem,/etc/ferry/key.pem"));
 * ```
 *
 * @throws {FerryError} `usage` for a path that cannot be granted, or `s3`
 * without a valid endpoint.
 */
export function serverPermissionFlags(config: ServerSandboxConfig): string[] {
  const listen = netAddress(config.hostname, config.port) +
    (config.web === undefined ? "" : `,${config.web}`);
  const webFiles = config.webFiles ?? [];
  if (config.storage !== "s3") {
    const data = pathList([config.dataDir]);
    return [
      "--no-prompt",
      `--allow-read=${pathList([config.dataDir, ...webFiles])}`,
      `--allow-write=${data}`,
      `--allow-net=${listen}`,
    ];
  }
  if (config.s3Endpoint === undefined) {
    throw new FerryError(
      "usage",
      "Cannot grant ferryd --storage s3 without its S3 endpoint: give --s3-endpoint URL",
    );
  }
  const state = pathList([serverStateDir(config.dataDir)]);
  return [
    "--no-prompt",
    `--allow-read=${pathList([serverStateDir(config.dataDir), ...webFiles])}`,
    `--allow-write=${state}`,
    `--allow-net=${listen},${s3NetAddress(config.s3Endpoint)}`,
    ...(config.s3FromEnv ? [`--allow-env=${S3_ENV_VARS.join(",")}`] : []),
  ];
}

/** The environment variables the client reads. */
export const CLIENT_ENV_VARS = [
  "FERRY_SERVER",
  "FERRY_USER",
  "FERRY_PASSWORD",
  "FERRY_PASSPHRASE",
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
 * import assert from "node:assert/strict";
 * import { clientPermissionFlags } from "./permission_flags.ts";
 * const flags = clientPermissionFlags({
 *   workDir: "/home/ann/work",
 *   stateDir: "/home/ann/.config/ferry",
 *   server: "files.example:7878",
 * });
 * assert.ok(flags.includes("--allow-net=files.example:7878"));
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
 * and `client` tasks: it may start `deno` and nothing else; it also reads
 * the variables that decide the program's grant (for ferryd, whether
 * `FERRY_S3_ENDPOINT` makes the environment the source of the S3 settings),
 * and `INIT_CWD`, the folder `deno task` was started from, where the
 * program then runs. The client's launcher also reads the checkout (its
 * task runs there) and writes `.cache/`: it keeps the client's bundle
 * there (`scripts/client_bundle.ts`).
 */
export function launcherPermissionFlags(program: "ferryd" | "ferry"): string[] {
  return program === "ferryd"
    ? ["--no-prompt", "--allow-run=deno", "--allow-env=FERRY_S3_ENDPOINT,INIT_CWD"]
    : [
      "--no-prompt",
      "--allow-run=deno",
      "--allow-read=.",
      "--allow-write=./.cache",
      `--allow-env=${[...CLIENT_ENV_VARS, "INIT_CWD"].join(",")}`,
    ];
}

/**
 * The flags of `scripts/compile.ts`: it may start `deno compile` and read
 * `DENORT_BIN` and the variables that locate the client's state folder.
 */
export function compilerPermissionFlags(): string[] {
  return ["--no-prompt", "--allow-run=deno", "--allow-env=DENORT_BIN,FERRY_HOME,HOME,USERPROFILE"];
}

/**
 * The npm packages (`aws4fetch`, `hash-wasm`) serve only the S3 storage,
 * which ferryd loads with a dynamic import. Deno still fetches the packages
 * a dynamic import names before the program starts, and on a fresh machine
 * its download progress then overwrote ferryd's first lines (the host key
 * fingerprint). With local storage ferryd runs with `--no-npm`: nothing is
 * downloaded, and it starts offline.
 */
export const LOCAL_STORAGE_FLAGS: readonly string[] = Object.freeze(["--no-npm"]);

/**
 * Every Deno flag ferryd runs with: {@linkcode SERVER_RUNTIME_FLAGS},
 * {@linkcode LOCAL_STORAGE_FLAGS} unless it serves S3, and
 * {@linkcode serverPermissionFlags}. The launcher, `deno task compile` and
 * the tests start the server with exactly these.
 */
export function serverDenoFlags(config: ServerSandboxConfig): string[] {
  return [
    ...SERVER_RUNTIME_FLAGS,
    ...(config.storage === "s3" ? [] : LOCAL_STORAGE_FLAGS),
    ...serverPermissionFlags(config),
  ];
}
