/**
 * The web front end's responses: JSON answers, errors as
 * `{ error: { code, message } }` with the HTTP status of the ferry error
 * code, and the security headers every response carries.
 *
 * @module
 */

import type { ErrorCode } from "../core/errors.ts";
import { FerryError } from "../core/errors.ts";

/**
 * The Content-Security-Policy of every response: scripts, styles and
 * requests only from the page's origin (no inline script), no frames.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; " +
  "style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; " +
  "base-uri 'none'; frame-ancestors 'none'";

/** Adds the security headers to `headers` (`Strict-Transport-Security` under TLS). */
export function secureHeaders(headers: Headers, tls: boolean): Headers {
  headers.set("content-security-policy", CONTENT_SECURITY_POLICY);
  headers.set("x-content-type-options", "nosniff");
  headers.set("x-frame-options", "DENY");
  headers.set("referrer-policy", "no-referrer");
  headers.set("cross-origin-opener-policy", "same-origin");
  headers.set("cross-origin-resource-policy", "same-origin");
  if (tls) headers.set("strict-transport-security", "max-age=31536000");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return headers;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  "bad_request": 400,
  "invalid_path": 400,
  usage: 400,
  "auth_failed": 401,
  denied: 403,
  "not_found": 404,
  exists: 409,
  "is_directory": 409,
  "not_directory": 409,
  "not_empty": 409,
  "too_large": 413,
  integrity: 422,
  busy: 503,
  quota: 507,
  cancelled: 499,
};

/** The HTTP status of an error. */
export function statusOf(error: unknown): number {
  return error instanceof FerryError ? STATUS[error.code] ?? 500 : 500;
}

/** A JSON response. */
export function json(value: unknown, status = 200, headers: HeadersInit = {}): Response {
  const all = new Headers(headers);
  all.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(value), { status, headers: all });
}

/** An error response; anything but a `FerryError` is `internal`, its text not shown. */
export function errorResponse(error: unknown): Response {
  const known = error instanceof FerryError;
  const code = known ? error.code : "internal";
  const message = known ? error.message : "Internal error: see the server log";
  const status = statusOf(error);
  return json({ error: { code, message } }, status === 499 ? 400 : status);
}
