/**
 * The `Content-Disposition` of a download: always an attachment, so that an
 * uploaded HTML or SVG file is saved, never shown in the page's origin; the
 * name as RFC 6266 `filename*` (UTF-8, percent-encoded) with a plain ASCII
 * fallback that holds no quote, backslash or control character.
 *
 * @module
 */

/**
 * The header value for a file named `name`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attachmentDisposition } from "./content_disposition.ts";
 * assert.equal(
 *   attachmentDisposition('a "b".txt'),
 *   `attachment; filename="a _b_.txt"; filename*=UTF-8''a%20%22b%22.txt`,
 * );
 * ```
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^A-Za-z0-9 ._()+,=@-]/g, "_") || "download";
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
