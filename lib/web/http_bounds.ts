/**
 * Bounds on what a browser may send, checked before anything is read: the
 * URL and header sizes, and request bodies (a declared `Content-Length`
 * within the limit, then counted as they arrive).
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";

/** Longest URL accepted: 8 KiB. */
export const MAX_URL_BYTES = 8 * 1024;

/** Most header bytes (names and values together) accepted: 16 KiB. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Largest JSON body accepted: 64 KiB. */
export const MAX_JSON_BYTES = 64 * 1024;

/** An HTTP status for a refusal made before the request is handled. */
export interface BoundRefusal {
  /** The status. */
  status: number;
  /** Why. */
  message: string;
}

/** Why a request's URL or headers are too big, or `undefined` when they are not. */
export function checkRequestSize(request: Request): BoundRefusal | undefined {
  if (request.url.length > MAX_URL_BYTES) {
    return { status: 414, message: `The URL is over ${MAX_URL_BYTES} bytes` };
  }
  let bytes = 0;
  for (const [name, value] of request.headers) bytes += name.length + value.length + 4;
  if (bytes > MAX_HEADER_BYTES) {
    return { status: 431, message: `The headers are over ${MAX_HEADER_BYTES} bytes` };
  }
  return undefined;
}

/**
 * The declared length of a request's body.
 *
 * @throws {FerryError} `too_large` over `max`, `bad_request` without a valid `Content-Length`.
 */
export function declaredLength(request: Request, max: number): number {
  const text = request.headers.get("content-length");
  const length = Number(text);
  if (text === null || !/^\d+$/.test(text) || !Number.isSafeInteger(length)) {
    throw new FerryError("bad_request", "Cannot read the request: it needs a Content-Length");
  }
  if (length > max) {
    throw new FerryError("too_large", `Cannot read the request: ${length} bytes is over ${max}`);
  }
  return length;
}

/**
 * The body as a stream that fails past `length` bytes (a peer that sends
 * more than it declared).
 */
export function countedBody(request: Request, length: number): ReadableStream<Uint8Array> {
  let seen = 0;
  const body = request.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller): void {
        seen += chunk.byteLength;
        if (seen > length) {
          controller.error(
            new FerryError("too_large", "The body is longer than its Content-Length"),
          );
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * Reads a small JSON body (at most {@linkcode MAX_JSON_BYTES}).
 *
 * @throws {FerryError} `bad_request` when it is not a JSON object, `too_large`.
 */
export async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  const length = declaredLength(request, MAX_JSON_BYTES);
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new FerryError("bad_request", "Cannot read the request: expected application/json");
  }
  const parts: Uint8Array[] = [];
  for await (const chunk of countedBody(request, length)) parts.push(chunk);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(concat(parts)));
  } catch {
    throw new FerryError("bad_request", "Cannot read the request: it is not UTF-8 JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FerryError("bad_request", "Cannot read the request: expected a JSON object");
  }
  return value as Record<string, unknown>;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** A string field of a JSON body. @throws {FerryError} `bad_request` when absent or not a string. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string") {
    throw new FerryError("bad_request", `Cannot read the request: "${name}" must be a string`);
  }
  return value;
}
