/**
 * Path patterns (`*`, `?`, `[...]`), matched one path segment at a time as
 * sftp does: `*` and `?` never cross a `/`, and a name starting with `.` is
 * matched only by a segment that starts with `.` too. Used for remote
 * patterns (against server listings) and, in the shell, local ones.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import type { Entry } from "../core/entry.ts";
import type { FerryClient } from "./ferry_client.ts";
import { localError } from "./local_files.ts";

/** Whether `path` holds a pattern character (`*`, `?` or `[`). */
export function hasGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/**
 * The regular expression of one pattern segment. `[!a-z]` and `[^a-z]`
 * negate; a `[` without its `]` is an ordinary character.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentPattern } from "./path_glob.ts";
 * assert.ok(segmentPattern("*.txt").test("a.txt"));
 * assert.ok(!segmentPattern("*.txt").test(".hidden.txt"));
 * assert.ok(segmentPattern("report[0-9].pdf").test("report7.pdf"));
 * assert.ok(segmentPattern("[*]").test("*"));
 * ```
 */
export function segmentPattern(segment: string): RegExp {
  let source = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    const close = c === "[" ? segment.indexOf("]", i + 2) : -1;
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[" && close !== -1) {
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      source += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  const hidden = segment.startsWith(".") ? "" : "(?!\\.)";
  return new RegExp(`^${hidden}${source}$`, "u");
}

/** One name in a folder, as a lister reports it. */
export interface ListedName<E> {
  /** The name. */
  name: string;
  /** Whether it is a folder. */
  dir: boolean;
  /** What the lister knows of it. */
  entry: E;
}

/** A path a pattern matched. */
export interface GlobMatch<E> {
  /** The path, in the form the pattern was written in. */
  path: string;
  /** What the lister said of it. */
  entry: E;
}

function join(dir: string, name: string): string {
  return dir === "" ? name : dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * Expands `pattern` with `list` (called once per folder it has to look
 * into). Segments before the first pattern segment are taken as written.
 *
 * @returns The matches, sorted by path (empty when none).
 */
export async function expandGlob<E>(
  pattern: string,
  list: (dir: string) => Promise<ListedName<E>[]>,
): Promise<GlobMatch<E>[]> {
  const segments = pattern.split("/");
  let base = pattern.startsWith("/") ? "/" : "";
  while (segments.length > 0 && !hasGlob(segments[0] as string)) {
    const segment = segments.shift() as string;
    if (segment !== "") base = join(base, segment);
  }
  let found: { path: string; entry: E | undefined; dir: boolean }[] = [
    { path: base, entry: undefined, dir: true },
  ];
  for (const [i, segment] of segments.entries()) {
    if (segment === "") continue;
    const last = segments.slice(i + 1).every((s) => s === "");
    const matcher = hasGlob(segment) ? segmentPattern(segment) : undefined;
    const next: typeof found = [];
    for (const parent of found.filter((f) => f.dir)) {
      for (const item of await list(parent.path)) {
        if (matcher ? !matcher.test(item.name) : item.name !== segment) continue;
        if (!last && !item.dir) continue;
        next.push({ path: join(parent.path, item.name), entry: item.entry, dir: item.dir });
      }
    }
    found = next;
  }
  return found
    .filter((f): f is { path: string; entry: E; dir: boolean } => f.entry !== undefined)
    .sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
    .map(({ path, entry }) => ({ path, entry }));
}

/** The error for a pattern that matched nothing. */
export function noMatch(side: "remote" | "local", pattern: string): FerryError {
  return side === "remote"
    ? new FerryError("not_found", `No match for "${pattern}" on the server`)
    : new FerryError("local_io", `No match for "${pattern}" here`);
}

/**
 * Expands a remote pattern (already resolved against the current folder)
 * against the server's listings. A pattern that matches nothing stands for
 * itself when a path of that very name exists (`a[1].txt`).
 *
 * @throws {FerryError} `not_found` ("No match") when nothing matches.
 */
export async function expandRemote(
  client: FerryClient,
  pattern: string,
): Promise<GlobMatch<Entry>[]> {
  const matches = await expandGlob(
    pattern,
    async (dir) =>
      (await client.list(dir)).map((entry) => ({
        name: entry.name,
        dir: entry.kind === "dir",
        entry,
      })),
  );
  if (matches.length > 0) return matches;
  try {
    return [{ path: pattern, entry: await client.stat(pattern) }];
  } catch {
    throw noMatch("remote", pattern);
  }
}

/**
 * Expands a local pattern against the local folders (the shell has no
 * shell to do it). A path that exists as written is not expanded.
 *
 * @throws {FerryError} `local_io` ("No match") when nothing matches.
 */
export async function expandLocal(pattern: string): Promise<string[]> {
  try {
    await Deno.lstat(pattern);
    return [pattern];
  } catch {
    // not a path as written: a pattern
  }
  const matches = await expandGlob(pattern, (dir) => {
    try {
      return Promise.resolve(
        [...Deno.readDirSync(dir === "" ? "." : dir)].map((entry) => ({
          name: entry.name,
          dir: entry.isDirectory,
          entry: true,
        })),
      );
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return Promise.resolve([]);
      return Promise.reject(localError(error, dir));
    }
  });
  if (matches.length === 0) throw noMatch("local", pattern);
  return matches.map((match) => match.path);
}
