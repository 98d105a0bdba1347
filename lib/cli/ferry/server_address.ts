/**
 * The client's server and connect timeout, as the command line gives them.
 *
 * @module
 */

import { DEFAULT_PORT } from "../../core/defaults.ts";
import { FerryError } from "../../core/errors.ts";
import { CONNECT_TIMEOUT_SECONDS } from "../../client/login_clock.ts";

/**
 * Parses `host:port`, `[v6]:port` or `host` (port 7878), each with an
 * optional `user@` in front, as ssh takes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseServerAddress } from "./client_options.ts";
 * const server = parseServerAddress("alice@files.example:9000");
 * assert.equal(server.user, "alice");
 * assert.equal(server.port, 9000);
 * ```
 *
 * @throws {FerryError} `usage` when malformed.
 */
export function parseServerAddress(
  text: string,
): { hostname: string; port: number; user?: string } {
  const match = /^(?:([^@\s]+)@)?(?:\[([^\]@]+)\]|([^:\[\]@\s]+))(?::(\d+))?$/.exec(text);
  const port = Number(match?.[4] ?? DEFAULT_PORT);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FerryError("usage", `Cannot use server "${text}": expected [USER@]HOST[:PORT]`);
  }
  const hostname = (match[2] ?? match[3]) as string;
  return match[1] === undefined ? { hostname, port } : { hostname, port, user: match[1] };
}

/**
 * Parses `--connect-timeout`: seconds, more than 0.
 *
 * @throws {FerryError} `usage` otherwise.
 */
export function parseConnectTimeout(text: string | undefined): number {
  if (text === undefined) return CONNECT_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0)) {
    throw new FerryError(
      "usage",
      `Cannot use --connect-timeout "${text}": expected seconds, above 0`,
    );
  }
  return seconds;
}
