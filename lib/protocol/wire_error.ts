/**
 * The one mapping between errors and the `ERROR` message on the wire.
 *
 * @module
 */

import { FerryError, isErrorCode } from "../core/errors.ts";

/** The JSON body of an `ERROR` message. */
export interface WireError {
  /** A stable code from `ERROR_CODES`. */
  code: string;
  /** A human-readable sentence. */
  message: string;
}

/**
 * Turns anything thrown by a handler into what the client may see.
 * A {@linkcode FerryError} keeps its code and message; anything else is an
 * internal error whose details stay on the server.
 */
export function toWireError(error: unknown): WireError {
  if (error instanceof FerryError) return { code: error.code, message: error.message };
  return { code: "internal", message: "The server failed to carry out the request" };
}

/**
 * Turns a received `ERROR` body into a {@linkcode FerryError}.
 * Unknown codes from a newer server become `internal`, message kept.
 */
export function fromWireError(value: unknown): FerryError {
  const body = (typeof value === "object" && value !== null ? value : {}) as Partial<WireError>;
  const message = typeof body.message === "string" ? body.message : "The server reported an error";
  return new FerryError(isErrorCode(body.code) ? body.code : "internal", message);
}
