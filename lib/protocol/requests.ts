/**
 * The requests a client can make, and their validation on arrival.
 *
 * Requests travel as JSON in `REQUEST` messages; {@linkcode parseRequest}
 * turns untrusted JSON into a typed {@linkcode Request} or throws
 * `bad_request`, so no handler ever sees a malformed value.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";

/** Every request, discriminated by `op`. */
export type Request =
  | { op: "help" }
  | { op: "list"; path: string; hash?: boolean }
  | { op: "stat"; path: string; hash?: boolean }
  | { op: "get"; path: string; offset: number; compress?: boolean }
  | {
    op: "put";
    path: string;
    size: number;
    force: boolean;
    resume: boolean;
    rename?: boolean;
    compress?: boolean;
    mtime?: number;
    eager?: boolean;
    sha256?: string;
  }
  | { op: "delete"; path: string }
  | { op: "mkdir"; path: string }
  | { op: "rmdir"; path: string; recursive: boolean }
  | { op: "rename"; from: string; to: string; force: boolean }
  | { op: "usage" }
  | { op: "report-corrupt"; path: string; sha256: string; received?: string }
  | { op: "bye" };

/** The name of a request. */
export type Op = Request["op"];

/** The credentials a client sends in the last handshake message. */
export type AuthRequest =
  | { method: "password"; user: string; password: string }
  | { method: "key"; user: string };

type FieldType = "string" | "count" | "boolean";
type FieldSpec = Record<string, { type: FieldType; optional?: boolean }>;

const PATH = { type: "string" } as const;
const FLAG = { type: "boolean" } as const;
const COUNT = { type: "count" } as const;
const OPTIONAL_FLAG = { type: "boolean", optional: true } as const;

/** The fields of each request, for validation and for `help`. */
const REQUEST_FIELDS: Record<Op, FieldSpec> = {
  help: {},
  list: { path: PATH, hash: OPTIONAL_FLAG },
  stat: { path: PATH, hash: OPTIONAL_FLAG },
  get: { path: PATH, offset: COUNT, compress: OPTIONAL_FLAG },
  put: {
    path: PATH,
    size: COUNT,
    force: FLAG,
    resume: FLAG,
    rename: OPTIONAL_FLAG,
    compress: OPTIONAL_FLAG,
    mtime: { ...COUNT, optional: true },
    eager: OPTIONAL_FLAG,
    sha256: { type: "string", optional: true },
  },
  delete: { path: PATH },
  mkdir: { path: PATH },
  rmdir: { path: PATH, recursive: FLAG },
  rename: { from: PATH, to: PATH, force: FLAG },
  usage: {},
  "report-corrupt": { path: PATH, sha256: PATH, received: { type: "string", optional: true } },
  bye: {},
};

/** The longest string field accepted, in UTF-8 bytes (paths are limited further by the jail). */
export const MAX_STRING_FIELD_BYTES = 8192;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const encoder = new TextEncoder();

/** Whether `text` fits {@linkcode MAX_STRING_FIELD_BYTES} as UTF-8 (at most 3 bytes a UTF-16 unit). */
function fitsStringField(text: string): boolean {
  if (text.length * 3 <= MAX_STRING_FIELD_BYTES) return true;
  return text.length <= MAX_STRING_FIELD_BYTES &&
    encoder.encode(text).byteLength <= MAX_STRING_FIELD_BYTES;
}

function checkFields(what: string, value: Record<string, unknown>, spec: FieldSpec): void {
  for (const [name, field] of Object.entries(spec)) {
    const item = value[name];
    if (item === undefined && field.optional) continue;
    const ok = field.type === "string"
      ? typeof item === "string" && fitsStringField(item)
      : field.type === "count"
      ? Number.isSafeInteger(item) && (item as number) >= 0
      : typeof item === "boolean";
    if (!ok) {
      throw new FerryError(
        "bad_request",
        `Cannot accept ${what}: field "${name}" must be a ${
          field.type === "string"
            ? `string of at most ${MAX_STRING_FIELD_BYTES} UTF-8 bytes`
            : field.type
        }`,
      );
    }
  }
  for (const name of Object.keys(value)) {
    if (name !== "op" && name !== "method" && !(name in spec)) {
      throw new FerryError("bad_request", `Cannot accept ${what}: unknown field "${name}"`);
    }
  }
}

/**
 * Validates an untrusted JSON value as a request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRequest } from "./requests.ts";
 * const request = parseRequest({ op: "get", path: "a.txt", offset: 0 });
 * assert.equal(request.op, "get");
 * ```
 *
 * @param value The parsed JSON body of a `REQUEST` message.
 * @returns The typed request.
 * @throws {FerryError} `bad_request` for an unknown op or a malformed field.
 */
export function parseRequest(value: unknown): Request {
  if (
    !isRecord(value) || typeof value.op !== "string" || !Object.hasOwn(REQUEST_FIELDS, value.op)
  ) {
    const op = isRecord(value) ? JSON.stringify(value.op) : "none";
    throw new FerryError("bad_request", `Cannot accept request: unknown operation ${op}`);
  }
  checkFields(`"${value.op}" request`, value, REQUEST_FIELDS[value.op as Op]);
  return value as Request;
}

/**
 * Validates the untrusted credentials of a handshake.
 *
 * @throws {FerryError} `bad_request` when malformed.
 */
export function parseAuthRequest(value: unknown): AuthRequest {
  if (isRecord(value) && value.method === "password") {
    checkFields("login", value, { user: PATH, password: PATH });
    return value as AuthRequest;
  }
  if (isRecord(value) && value.method === "key") {
    checkFields("login", value, { user: PATH });
    return value as AuthRequest;
  }
  throw new FerryError("bad_request", "Cannot accept login: unknown method");
}

/**
 * The path a request is about (`from` for a rename), for logs and errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestPath } from "./requests.ts";
 * assert.equal(requestPath({ op: "rename", from: "a", to: "b", force: false }), "a");
 * assert.equal(requestPath({ op: "help" }), undefined);
 * ```
 */
export function requestPath(request: Request): string | undefined {
  if ("path" in request) return request.path;
  if ("from" in request) return request.from;
  return undefined;
}
