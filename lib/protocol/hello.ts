/**
 * The server's hello: the payload of handshake message 2 (docs/PROTOCOL.md,
 * "Handshake"), built by the server and validated by the client. It comes
 * before the client has decided to trust the server's key, so the client
 * reads nothing from it but who the server says it is and its timing.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { FERRY_VERSION, PROTOCOL_VERSION } from "../core/version.ts";
import { SERVER_FEATURES } from "./features.ts";

/** The server's hello. Fields a client does not know are ignored (a newer server). */
export interface Hello {
  /** The server program, `ferryd`. */
  server: string;
  /** The server's product version (`FERRY_VERSION`). */
  version: string;
  /** The protocol version it speaks (also in its preamble). */
  protocol: number;
  /** The optional behaviours it offers (see `SERVER_FEATURES`). */
  features: string[];
  /** Seconds the server waits from this hello to the login (message 3). */
  loginGraceSeconds: number;
  /** Longest the server may take to answer a login (back-off, queue), in seconds. */
  loginWaitSeconds: number;
}

/** The timing a server puts in its hello. */
export type HelloTiming = Pick<Hello, "loginGraceSeconds" | "loginWaitSeconds">;

/**
 * Builds this server's hello.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serverHello, validateHello } from "./hello.ts";
 * const hello = serverHello({ loginGraceSeconds: 60, loginWaitSeconds: 40 });
 * assert.deepEqual(validateHello(JSON.parse(JSON.stringify(hello))), hello);
 * ```
 */
export function serverHello(timing: HelloTiming): Hello {
  return {
    server: "ferryd",
    version: FERRY_VERSION,
    protocol: PROTOCOL_VERSION,
    features: [...SERVER_FEATURES],
    loginGraceSeconds: timing.loginGraceSeconds,
    loginWaitSeconds: timing.loginWaitSeconds,
  };
}

function malformed(what: string): FerryError {
  return new FerryError("protocol", `Cannot read the server's hello: ${what}`);
}

function seconds(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw malformed(`"${name}" is not a number of seconds`);
  }
  return value;
}

/**
 * Checks a hello as it came out of the handshake (parsed JSON).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateHello } from "./hello.ts";
 * assert.throws(() => validateHello({ server: "ferryd" }), /Cannot read the server's hello/);
 * ```
 *
 * @param value The parsed payload of handshake message 2.
 * @returns The hello, with only the known fields.
 * @throws {FerryError} `protocol` naming the first field that is missing or wrong.
 */
export function validateHello(value: unknown): Hello {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw malformed("it is not an object");
  }
  const fields = value as Record<string, unknown>;
  for (const name of ["server", "version"] as const) {
    if (typeof fields[name] !== "string") throw malformed(`"${name}" is not a string`);
  }
  const protocol = fields.protocol;
  if (typeof protocol !== "number" || !Number.isSafeInteger(protocol) || protocol < 0) {
    throw malformed(`"protocol" is not a version number`);
  }
  const features = fields.features;
  if (!Array.isArray(features) || !features.every((item) => typeof item === "string")) {
    throw malformed(`"features" is not a list of names`);
  }
  return {
    server: fields.server as string,
    version: fields.version as string,
    protocol,
    features: [...features],
    loginGraceSeconds: seconds(fields.loginGraceSeconds, "loginGraceSeconds"),
    loginWaitSeconds: seconds(fields.loginWaitSeconds, "loginWaitSeconds"),
  };
}
