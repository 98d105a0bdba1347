/**
 * The web front end's settings, from ferryd's `--web ADDR:PORT`,
 * `--web-cert FILE`, `--web-key FILE` and `--web-insecure` flags, and the
 * checks that refuse an unsafe combination before anything listens.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";

/** Where and how the web front end listens. */
export interface WebOptions {
  /** The address to listen on. */
  hostname: string;
  /** The TCP port (0: any free port, for tests). */
  port: number;
  /** The TLS certificate chain file (PEM); with `keyFile`, HTTPS. */
  certFile?: string;
  /** The TLS private key file (PEM). */
  keyFile?: string;
  /** Serve plain HTTP on a non-loopback address (behind a trusted proxy). */
  insecure?: boolean;
}

/**
 * Parses `--web ADDR:PORT` (`[::1]:8443` for IPv6).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWebAddress } from "./web_options.ts";
 * assert.deepEqual(parseWebAddress("127.0.0.1:8443"), { hostname: "127.0.0.1", port: 8443 });
 * assert.deepEqual(parseWebAddress("[::1]:8443"), { hostname: "::1", port: 8443 });
 * ```
 *
 * @throws {FerryError} `usage` unless it is `HOST:PORT` with a port from 0 to 65535.
 */
export function parseWebAddress(text: string): { hostname: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:\[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new FerryError(
      "usage",
      `Cannot use --web "${text}": expected ADDRESS:PORT, such as 127.0.0.1:8443`,
    );
  }
  return { hostname: (match[1] ?? match[2]) as string, port };
}

/**
 * Whether an address is the loopback interface (only this machine reaches it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./web_options.ts";
 * assert.equal(isLoopback("127.0.0.1"), true);
 * assert.equal(isLoopback("0.0.0.0"), false);
 * ```
 */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Whether the options serve HTTPS. */
export function servesTls(options: WebOptions): boolean {
  return options.certFile !== undefined && options.keyFile !== undefined;
}

/**
 * Checks the options: a certificate needs its key and the other way round,
 * and plain HTTP on an address other machines reach needs `insecure`.
 *
 * @throws {FerryError} `usage` with what to change.
 */
export function checkWebOptions(options: WebOptions): void {
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new FerryError(
      "usage",
      "Cannot serve HTTPS: give both --web-cert FILE and --web-key FILE",
    );
  }
  if (!servesTls(options) && !isLoopback(options.hostname) && !options.insecure) {
    throw new FerryError(
      "usage",
      `Cannot serve plain HTTP on ${options.hostname}: passwords would cross the network in ` +
        "clear. Give --web-cert FILE --web-key FILE, listen on 127.0.0.1 behind a TLS proxy, " +
        "or add --web-insecure if a trusted proxy on this network terminates TLS",
    );
  }
}
