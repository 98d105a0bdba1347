/**
 * Remote paths: the client-facing names of files and folders, relative to a
 * user's root; the one function that turns what a client sends into one
 * (server side), and the one that resolves what a user types against the
 * current remote folder (client side).
 *
 * A {@linkcode RemotePath} has no leading or trailing `/`, no empty, `.` or
 * `..` segment, no control character, no backslash, and is `""` for the root.
 *
 * @module
 */

import { FerryError } from "./errors.ts";

/**
 * A path already checked by {@linkcode normalizeRemotePath}: segments joined
 * with `/`, relative to the user's root, `""` for the root itself.
 */
export type RemotePath = string;

/** The longest path accepted, in UTF-8 bytes. */
export const MAX_PATH_BYTES = 4096;

/** The longest single segment (file or folder name) accepted, in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;

const QUOTE_LIMIT = 80;
// A Windows separator: refused so that no name means different things on
// different systems.
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const encoder = new TextEncoder();

/**
 * Turns a path sent by a client into a {@linkcode RemotePath}.
 *
 * Empty, `.` and repeated `/` separators are dropped, so `"a//b/"` and
 * `"./a/b"` both give `"a/b"`; `""`, `"."` and a bare `"/"` mean the root.
 *
 * @example Normalising and refusing
 * ```ts
 * import { normalizeRemotePath } from "./remote_path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(normalizeRemotePath("./docs//a.txt"), "docs/a.txt");
 * assert.equal(normalizeRemotePath(""), "");
 * assert.throws(() => normalizeRemotePath("/"));
 * assert.throws(() => normalizeRemotePath("../etc/passwd"));
 * ```
 *
 * @param input The path as the client sent it.
 * @returns The normalised path.
 * @throws {FerryError} `invalid_path` for a `..` segment (even one that would
 * stay inside), an absolute path (`"/"` too: the root is `""`), NUL or any other control
 * character, a backslash, text that is not well-formed Unicode, a segment over
 * {@linkcode MAX_SEGMENT_BYTES} or a path over {@linkcode MAX_PATH_BYTES}.
 */
export function normalizeRemotePath(input: string): RemotePath {
  checkText(input, input);
  if (input.startsWith("/")) {
    throw invalid(input, "absolute paths are not allowed, start from your root folder");
  }
  const segments: string[] = [];
  for (const segment of input.split("/")) {
    if (segment === "" || segment === ".") continue;
    checkSegmentShape(input, segment);
    segments.push(segment);
  }
  return segments.join("/");
}

/**
 * Tells whether `name` can be one segment of a {@linkcode RemotePath}: not
 * empty, not `.` or `..`, no `/`, and none of the characters or lengths that
 * {@linkcode normalizeRemotePath} refuses.
 *
 * @param name A file or folder name.
 * @returns `true` when `name` is a valid segment.
 */
export function isValidSegment(name: string): boolean {
  try {
    checkSegment(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * The folder that holds `path`. The root is its own parent.
 *
 * @param path A normalised path.
 * @returns `"a"` for `"a/b"`, `""` for `"a"` and for `""`.
 */
export function parentOf(path: RemotePath): RemotePath {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

/**
 * The last segment of `path`, trailing slashes ignored: the name of a
 * remote path, or of a `/`-separated local one as the command line gives it.
 *
 * @example
 * ```ts
 * import { baseName } from "./remote_path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(baseName("a/b.txt"), "b.txt");
 * assert.equal(baseName("photos/2024/"), "2024");
 * assert.equal(baseName(""), "");
 * ```
 *
 * @param path A path.
 * @returns `"b"` for `"a/b"` and `"a/b/"`, `""` for the root (`""` or `"/"`).
 */
export function baseName(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === SLASH) end--;
  return path.slice(path.lastIndexOf("/", end - 1) + 1, end);
}

/**
 * Appends one name to a folder path.
 *
 * @example Joining
 * ```ts
 * import { joinRemote } from "./remote_path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(joinRemote("", "a"), "a");
 * assert.equal(joinRemote("a", "b.txt"), "a/b.txt");
 * ```
 *
 * @param dir A normalised folder path (`""` for the root).
 * @param name A single segment.
 * @returns The joined path.
 * @throws {FerryError} `invalid_path` when `name` is not a valid segment (see
 * {@linkcode isValidSegment}) or the result is too long.
 */
export function joinRemote(dir: RemotePath, name: string): RemotePath {
  checkSegment(name);
  const joined = dir === "" ? name : `${dir}/${name}`;
  if (utf8Length(joined) > MAX_PATH_BYTES) {
    throw invalid(joined, `it is longer than ${MAX_PATH_BYTES} bytes`);
  }
  return joined;
}

/**
 * Joins path pieces with `/`, leaving out empty ones (`""` is the root).
 * Nothing is checked: the pieces are already paths (a folder and a path
 * relative to it), and the server checks what it receives.
 *
 * @example
 * ```ts
 * import { joinRemotePath } from "./remote_path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(joinRemotePath("", "a/b"), "a/b");
 * assert.equal(joinRemotePath("docs", "", "2024/a.txt"), "docs/2024/a.txt");
 * ```
 *
 * @param parts The pieces.
 * @returns The joined path.
 */
export function joinRemotePath(...parts: string[]): string {
  return parts.filter((part) => part !== "").join("/");
}

/**
 * Resolves what a user typed against the client's current remote folder
 * (the shell's `cd`): `.` and empty segments are dropped, `..` goes up, a
 * leading `/` starts from the root. What reaches the server is then a plain
 * path (the server refuses `..` outright, see {@linkcode normalizeRemotePath});
 * other checks are left to it.
 *
 * @example
 * ```ts
 * import { resolveRemote } from "./remote_path.ts";
 * import assert from "node:assert/strict";
 * assert.equal(resolveRemote("a/b", "../c"), "a/c");
 * assert.equal(resolveRemote("a", "/x/./y"), "x/y");
 * assert.equal(resolveRemote("a", ".."), "");
 * assert.throws(() => resolveRemote("", ".."), /above the root folder/);
 * ```
 *
 * @param cwd The current remote folder (`""` is the root).
 * @param path What the user typed.
 * @returns The path from the root.
 * @throws {FerryError} `invalid_path` when `..` climbs above the root.
 */
export function resolveRemote(cwd: string, path: string): string {
  const segments = path.startsWith("/") ? [] : cwd.split("/").filter(Boolean);
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") {
      segments.push(segment);
    } else if (segments.pop() === undefined) {
      throw new FerryError(
        "invalid_path",
        `Cannot use "${path}": ".." leads above the root folder`,
      );
    }
  }
  return segments.join("/");
}

/**
 * Tells whether `path` is `ancestor` itself or lies somewhere below it.
 *
 * @param path A normalised path.
 * @param ancestor A normalised folder path (`""` contains everything).
 * @returns `true` when `path` is `ancestor` or inside it.
 */
export function isSameOrInside(path: RemotePath, ancestor: RemotePath): boolean {
  return ancestor === "" || path === ancestor || path.startsWith(`${ancestor}/`);
}

/**
 * Quotes a client-supplied path for an error message: control characters are
 * escaped (so a hostile name cannot drive a terminal) and long text is cut.
 *
 * @param text The text to quote.
 * @returns The text in double quotes.
 */
export function quotePath(text: string): string {
  const cut = text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}...` : text;
  let quoted = "";
  for (const char of cut) {
    const code = char.charCodeAt(0);
    quoted += isControl(code) ? `\\u${code.toString(16).padStart(4, "0")}` : char;
  }
  return `"${quoted}"`;
}

function checkSegment(name: string): void {
  checkText(name, name);
  if (name === "" || name === "." || name.includes("/")) {
    throw invalid(name, "a name must be a single non-empty segment");
  }
  checkSegmentShape(name, name);
}

function checkText(input: string, text: string): void {
  // One UTF-16 code unit is at least one UTF-8 byte: cheap bound before encoding.
  if (text.length > MAX_PATH_BYTES || utf8Length(text) > MAX_PATH_BYTES) {
    throw invalid(input, `it is longer than ${MAX_PATH_BYTES} bytes`);
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isControl(code)) throw invalid(input, "it contains a control character");
    if (code === BACKSLASH) throw invalid(input, "it contains a backslash");
  }
  if (!text.isWellFormed()) {
    throw invalid(input, "it is not well-formed Unicode");
  }
}

function checkSegmentShape(input: string, segment: string): void {
  if (segment === "..") {
    throw invalid(input, 'it contains a ".." segment');
  }
  if (utf8Length(segment) > MAX_SEGMENT_BYTES) {
    throw invalid(input, `a name is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
}

/** C0 controls (with NUL), DEL and C1 controls. */
function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}

function invalid(input: string, reason: string): FerryError {
  return new FerryError("invalid_path", `Cannot use path ${quotePath(input)}: ${reason}`);
}
