/**
 * The S3 settings of `ferryd --storage s3`: endpoint, bucket, region,
 * credentials and prefix, from `DATA/state/s3.json` (mode 0600) or from the
 * `FERRY_S3_*` environment variables. Never from the command line, where
 * every user of the machine could read the secret.
 *
 * The environment is the source when ferryd may read it (its grant names
 * the `FERRY_S3_*` variables) and `FERRY_S3_ENDPOINT` is set; otherwise the
 * file is.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { resolveS3Config, type S3StorageConfig } from "../storage/s3/s3_config.ts";

/** The file name of the S3 settings in the state folder. */
export const S3_CONFIG_FILE = "s3.json";

/** The S3 settings of a server, and where they came from. */
export interface S3Settings {
  /** What `S3Storage.open` takes. */
  config: S3StorageConfig;
  /** Create the bucket when it does not exist. */
  createBucket: boolean;
  /** `"file"`: `s3.json`; `"env"`: the `FERRY_S3_*` variables. */
  source: "file" | "env";
  /** The source in words, for messages. */
  where: string;
}

const REQUIRED = ["endpoint", "bucket", "region", "accessKeyId", "secretAccessKey"] as const;
const ENV_NAMES: Readonly<Record<string, string>> = {
  endpoint: "FERRY_S3_ENDPOINT",
  bucket: "FERRY_S3_BUCKET",
  region: "FERRY_S3_REGION",
  accessKeyId: "FERRY_S3_ACCESS_KEY_ID",
  secretAccessKey: "FERRY_S3_SECRET_ACCESS_KEY",
  prefix: "FERRY_S3_PREFIX",
  createBucket: "FERRY_S3_CREATE_BUCKET",
};

async function environmentIsSource(): Promise<boolean> {
  const status = await Deno.permissions.query({ name: "env", variable: "FERRY_S3_ENDPOINT" });
  return status.state === "granted" && (Deno.env.get("FERRY_S3_ENDPOINT") ?? "") !== "";
}

function checked(
  values: Record<string, unknown>,
  where: string,
  name: (key: string) => string,
): S3StorageConfig {
  for (const key of REQUIRED) {
    if (typeof values[key] !== "string" || values[key] === "") {
      throw new FerryError("usage", `${where}: "${name(key)}" must be set`);
    }
  }
  const config: S3StorageConfig = {
    endpoint: values.endpoint as string,
    bucket: values.bucket as string,
    region: values.region as string,
    accessKeyId: values.accessKeyId as string,
    secretAccessKey: values.secretAccessKey as string,
  };
  if (values.prefix !== undefined && values.prefix !== "") {
    if (typeof values.prefix !== "string") {
      throw new FerryError("usage", `${where}: "${name("prefix")}" must be a string`);
    }
    config.prefix = values.prefix;
  }
  try {
    resolveS3Config(config);
  } catch (error) {
    throw new FerryError("usage", `${where}: ${(error as Error).message}`);
  }
  return config;
}

function fromEnvironment(): S3Settings {
  const where = "The FERRY_S3_* environment variables";
  const values: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENV_NAMES)) values[key] = Deno.env.get(variable);
  const config = checked(values, where, (key) => ENV_NAMES[key] ?? key);
  const create = Deno.env.get("FERRY_S3_CREATE_BUCKET") ?? "";
  return { config, createBucket: ["1", "true"].includes(create), source: "env", where };
}

async function fromFile(stateDir: string): Promise<S3Settings> {
  const path = `${stateDir}/${S3_CONFIG_FILE}`;
  let text: string;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new FerryError(
      "usage",
      `Cannot use --storage s3: there is no "${path}" and FERRY_S3_ENDPOINT is not set ` +
        "(or not granted): see docs/SCALING.md",
    );
  }
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    throw new FerryError(
      "usage",
      `Cannot use "${path}": it holds a secret key, so only its owner may read it (chmod 600)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FerryError("usage", `${path}: not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new FerryError("usage", `${path}: expected a JSON object`);
  }
  const values = parsed as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!key.startsWith("//") && !Object.hasOwn(ENV_NAMES, key)) {
      throw new FerryError("usage", `${path}: unknown key "${key}" (see docs/SCALING.md)`);
    }
  }
  if (values.createBucket !== undefined && typeof values.createBucket !== "boolean") {
    throw new FerryError("usage", `${path}: "createBucket" must be true or false`);
  }
  const config = checked(values, path, (key) => key);
  return { config, createBucket: values.createBucket === true, source: "file", where: path };
}

/**
 * Reads the S3 settings: from the `FERRY_S3_*` variables when they are
 * granted and `FERRY_S3_ENDPOINT` is set, else from `STATE/s3.json`.
 *
 * @example `DATA/state/s3.json`
 * ```json
 * {
 *   "endpoint": "http://10.0.0.5:8000",
 *   "bucket": "ferry",
 *   "region": "default",
 *   "accessKeyId": "AK...",
 *   "secretAccessKey": "...",
 *   "prefix": "team/",
 *   "createBucket": false
 * }
 * ```
 *
 * @param stateDir The server's state folder.
 * @returns The settings and their source.
 * @throws {FerryError} `usage` when there are none, a value is missing or
 * malformed, or the file may be read by others than its owner.
 */
export async function loadS3Settings(stateDir: string): Promise<S3Settings> {
  return await environmentIsSource() ? fromEnvironment() : await fromFile(stateDir);
}
