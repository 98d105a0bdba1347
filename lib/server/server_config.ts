/**
 * The server's configuration: `DATA/state/config.json`, overridable by
 * flags of `serve`. One schema ({@linkcode CONFIG_SCHEMA}) gives every key
 * its type, default, flag and documentation, so the file, the flags,
 * `server.ts config check` and docs/OPERATIONS.md cannot drift apart.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { LOG_LEVELS, type LogLevel } from "./console_log.ts";

/** The configuration, all keys resolved. */
export interface ServerConfig {
  /** Connections at once, all addresses together. */
  maxConnections: number;
  /** Connections at once from one IP address. */
  maxConnectionsPerAddress: number;
  /** Logged-in sessions at once per user. */
  maxSessionsPerUser: number;
  /** Seconds a new connection gets to reach the server's hello (Noise message 2). */
  handshakeTimeoutSeconds: number;
  /** Seconds from the server's hello to the client's login (its user at the prompts). */
  loginGraceSeconds: number;
  /** Connections from one address that may use the login grace at once. */
  loginGracePerAddress: number;
  /** Connections not logged in yet (sshd's `MaxStartups`); more get `busy`. */
  maxStartups: number;
  /** Password checks (scrypt) running at once; more wait their turn. */
  maxPasswordChecks: number;
  /** Longest a login waits for its password check before it gets `busy`. */
  loginQueueSeconds: number;
  /** Seconds a session may stay without any request before it is closed. */
  idleTimeoutSeconds: number;
  /** Turn TCP keepalive on for every connection (the probe interval is the OS's). */
  tcpKeepalive: boolean;
  /** Largest file accepted, in bytes (0: no limit). */
  maxFileSizeBytes: number;
  /** Requests one session may have in flight. */
  maxRequestsInFlight: number;
  /** Wait after the first failed login, in ms; doubles per failure. */
  loginBaseDelayMs: number;
  /** Longest wait between login attempts, in ms. */
  loginMaxDelayMs: number;
  /** Failed logins (per address or per user) before a lock-out. */
  lockoutFailures: number;
  /** Seconds a lock-out lasts. */
  lockoutSeconds: number;
  /** Hours before an untouched partial upload is deleted. */
  partialMaxAgeHours: number;
  /** Seconds running transfers get to finish on SIGTERM/SIGINT. */
  shutdownGraceSeconds: number;
  /** Console log level. */
  logLevel: LogLevel;
  /** Write the audit log (`DATA/state/audit.log`). */
  auditLog: boolean;
}

/** The file name of the configuration in the state folder. */
export const CONFIG_FILE = "config.json";

type KeyType = "count" | "positive" | "level" | "boolean";

interface KeySpec {
  type: KeyType;
  doc: string;
}

/** Every key: its type and what it means. */
export const CONFIG_SCHEMA: Record<keyof ServerConfig, KeySpec> = {
  maxConnections: { type: "positive", doc: "connections at once, all addresses together" },
  maxConnectionsPerAddress: { type: "positive", doc: "connections at once from one IP address" },
  maxSessionsPerUser: { type: "positive", doc: "logged-in sessions at once per user" },
  handshakeTimeoutSeconds: {
    type: "positive",
    doc: "seconds from connect to the server's hello (a silent peer is closed)",
  },
  loginGraceSeconds: {
    type: "positive",
    doc: "seconds from the hello to the login: the user at the prompts",
  },
  loginGracePerAddress: {
    type: "positive",
    doc: "logins per address that get loginGraceSeconds; more: the handshake timeout",
  },
  maxStartups: {
    type: "positive",
    doc: "connections not logged in yet; more get busy at once",
  },
  maxPasswordChecks: {
    type: "positive",
    doc: "password checks (scrypt, 16 MiB each) at once; more queue",
  },
  loginQueueSeconds: {
    type: "positive",
    doc: "longest wait in the login queue before busy (seconds)",
  },
  idleTimeoutSeconds: {
    type: "positive",
    doc: "seconds with no traffic before a session is closed",
  },
  tcpKeepalive: { type: "boolean", doc: "TCP keepalive on every connection (interval: the OS's)" },
  maxFileSizeBytes: { type: "count", doc: "largest file accepted in bytes, 0 for no limit" },
  maxRequestsInFlight: { type: "positive", doc: "requests one session may have in flight" },
  loginBaseDelayMs: { type: "count", doc: "wait after the first failed login (ms), doubling" },
  loginMaxDelayMs: { type: "count", doc: "longest wait between login attempts (ms)" },
  lockoutFailures: {
    type: "positive",
    doc: "failed logins per address or per user before a lock-out",
  },
  lockoutSeconds: { type: "positive", doc: "seconds a lock-out lasts" },
  partialMaxAgeHours: {
    type: "positive",
    doc: "hours before an untouched partial upload is deleted",
  },
  shutdownGraceSeconds: { type: "count", doc: "seconds running transfers get on SIGTERM/SIGINT" },
  logLevel: { type: "level", doc: `console log level: ${LOG_LEVELS.join(", ")}` },
  auditLog: { type: "boolean", doc: "write the JSON-lines audit log in the state folder" },
};

/** The defaults: what a server without a config file uses. */
export const DEFAULT_CONFIG: Readonly<ServerConfig> = Object.freeze({
  maxConnections: 256,
  maxConnectionsPerAddress: 32,
  maxSessionsPerUser: 64,
  handshakeTimeoutSeconds: 10,
  loginGraceSeconds: 120,
  loginGracePerAddress: 8,
  maxStartups: 128,
  maxPasswordChecks: 2,
  loginQueueSeconds: 10,
  idleTimeoutSeconds: 900,
  tcpKeepalive: true,
  maxFileSizeBytes: 0,
  maxRequestsInFlight: 128,
  loginBaseDelayMs: 250,
  loginMaxDelayMs: 30_000,
  lockoutFailures: 10,
  lockoutSeconds: 900,
  partialMaxAgeHours: 168,
  shutdownGraceSeconds: 10,
  logLevel: "info",
  auditLog: true,
});

/** The `serve` flag of a key: `maxConnections` → `max-connections`. */
export function flagOf(key: keyof ServerConfig): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function checkValue(key: keyof ServerConfig, value: unknown, where: string): unknown {
  const spec = CONFIG_SCHEMA[key];
  const bad = (expected: string): never => {
    throw new FerryError(
      "usage",
      `${where}: "${key}" must be ${expected} (got ${JSON.stringify(value)})`,
    );
  };
  switch (spec.type) {
    case "count":
      if (!Number.isSafeInteger(value) || (value as number) < 0) bad("a whole number, 0 or more");
      return value;
    case "positive":
      if (!Number.isSafeInteger(value) || (value as number) < 1) bad("a whole number, 1 or more");
      return value;
    case "boolean":
      if (typeof value !== "boolean") bad("true or false");
      return value;
    case "level":
      if (!LOG_LEVELS.includes(value as LogLevel)) bad(`one of ${LOG_LEVELS.join(", ")}`);
      return value;
  }
}

/**
 * Validates a parsed config file: every key known, every value of its type.
 *
 * @param value The parsed JSON.
 * @param where The file, for messages.
 * @returns The keys it sets.
 * @throws {FerryError} `usage` naming the first bad key.
 */
export function validateConfig(value: unknown, where: string): Partial<ServerConfig> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FerryError("usage", `${where}: expected a JSON object`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith("//")) continue; // comments
    if (!Object.hasOwn(CONFIG_SCHEMA, key)) {
      throw new FerryError("usage", `${where}: unknown key "${key}" (see docs/OPERATIONS.md)`);
    }
    out[key] = checkValue(key as keyof ServerConfig, item, where);
  }
  return out as Partial<ServerConfig>;
}

/**
 * Reads `DATA/state/config.json` (absent: defaults only).
 *
 * @throws {FerryError} `usage` when it is not valid.
 */
export async function loadConfigFile(stateDir: string): Promise<Partial<ServerConfig>> {
  const path = `${stateDir}/${CONFIG_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FerryError("usage", `${path}: not valid JSON: ${(error as Error).message}`);
  }
  return validateConfig(parsed, path);
}

/**
 * Turns `serve` flag values (strings) into config keys.
 *
 * @throws {FerryError} `usage` for a bad value.
 */
export function configFromFlags(values: Record<string, unknown>): Partial<ServerConfig> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(CONFIG_SCHEMA) as (keyof ServerConfig)[]) {
    const text = values[flagOf(key)];
    if (text === undefined) continue;
    const type = CONFIG_SCHEMA[key].type;
    const value = type === "level"
      ? text
      : type === "boolean"
      ? text === "true" || text === true
      : Number(text);
    out[key] = checkValue(key, value, `--${flagOf(key)}`);
  }
  return out as Partial<ServerConfig>;
}

/** The `parseArgs` options for every config flag (all strings). */
export function configFlagOptions(): Record<string, { type: "string" }> {
  return Object.fromEntries(
    (Object.keys(CONFIG_SCHEMA) as (keyof ServerConfig)[]).map((
      key,
    ) => [flagOf(key), { type: "string" as const }]),
  );
}
