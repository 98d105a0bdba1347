/**
 * The commands on remote names: `ls`, `rm`, `mkdir`, `mv` and `df`, with
 * remote patterns (`ls '*.pdf'`, `rm 'old*'`) expanded against the server's
 * listings (lib/client/path_glob.ts).
 *
 * @module
 */

import { expandRemote, hasGlob } from "../../client/path_glob.ts";
import { ensureRemotePath } from "../../client/remote_tree.ts";
import type { FerryClient } from "../../client/ferry_client.ts";
import { FerryError, isFerryError } from "../../core/errors.ts";
import type { Entry } from "../../core/entry.ts";
import { baseName, joinRemotePath, resolveRemote } from "../../core/remote_path.ts";
import type { CommandOptions } from "./client_options.ts";
import { formatBytes, printable } from "./format.ts";

/** The client and the current remote folder. */
interface RemoteContext {
  client: FerryClient;
  cwd: string;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** A time as `YYYY-MM-DD HH:MM` in the local time zone. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/**
 * One line of `ls`: kind (`d` folder, `-` file, `e` encrypted file), size,
 * modification time (local), name (control characters made safe).
 */
export function entryLine(entry: Entry): string {
  const kind = entry.kind === "dir" ? "d" : entry.encrypted ? "e" : "-";
  const size = entry.kind === "dir" ? "-" : formatBytes(entry.size);
  const when = entry.mtime > 0 ? localTime(entry.mtime) : "";
  const name = printable(entry.name) + (entry.kind === "dir" ? "/" : "");
  return `${kind} ${size.padStart(10)}  ${when.padEnd(16)}  ${name}`;
}

/** The heading of `ls` on a terminal: what the columns are. */
export const LS_HEADING = `${"kind  size".padEnd(12)}  ${"modified (local)".padEnd(16)}  name`;

/** The paths an argument stands for: itself, or a pattern's matches (with what they are). */
async function expandArg(
  { client, cwd }: RemoteContext,
  arg: string,
): Promise<{ path: string; entry?: Entry }[]> {
  const path = resolveRemote(cwd, arg);
  return hasGlob(path) ? await expandRemote(client, path) : [{ path }];
}

/** The shown name of a matched path: relative to the current folder when inside it. */
function shownName(cwd: string, path: string): string {
  return cwd === "" ? path : path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : `/${path}`;
}

/**
 * `ls [--sha256] [dir|pattern]`: the entries (for a pattern, the matches
 * themselves); with `hash`, files carry their `sha256`.
 */
export async function listEntries(
  context: RemoteContext,
  arg: string | undefined,
  hash = false,
): Promise<Entry[]> {
  const path = resolveRemote(context.cwd, arg ?? "");
  if (!hasGlob(path)) return await context.client.list(path, hash);
  return await Promise.all((await expandRemote(context.client, path)).map(async (match) => {
    const entry: Entry = { ...match.entry, name: shownName(context.cwd, match.path) };
    if (!hash || entry.kind !== "file") return entry;
    const { sha256 } = await context.client.statWithHash(match.path);
    return sha256 === undefined ? entry : { ...entry, sha256 };
  }));
}

/**
 * One line of `ls --sha256`, like `sha256sum`'s: the hash, two spaces, the
 * name (folders: `-` for the hash and `/` after the name).
 */
export function hashLine(entry: Entry): string {
  const hash = entry.kind === "dir" || entry.sha256 === undefined ? "-".padEnd(64) : entry.sha256;
  return `${hash}  ${printable(entry.name)}${entry.kind === "dir" ? "/" : ""}\n`;
}

/** `rm PATH...`: removes files; patterns expand first, all of them before any removal. */
export async function removeFiles(context: RemoteContext, options: CommandOptions): Promise<void> {
  if (options.recursive) {
    throw new FerryError(
      "usage",
      'Cannot use rm -r: rm removes files; for a folder and its contents use "rmdir -r DIR"',
    );
  }
  const targets: { path: string; entry?: Entry }[] = [];
  for (const arg of options.args) targets.push(...await expandArg(context, arg));
  for (const { path, entry } of targets) {
    if (entry?.kind === "dir") throw folderHint(path);
    try {
      await context.client.remove(path);
    } catch (error) {
      if (isFerryError(error, "is_directory")) throw folderHint(path);
      throw error;
    }
  }
}

function folderHint(path: string): FerryError {
  return new FerryError(
    "is_directory",
    `Cannot remove "${path}" with rm: it is a folder (use "rmdir ${path}", or "rmdir -r ${path}" with its contents)`,
  );
}

/** `mkdir [-p] DIR...`. */
export async function makeFolders(context: RemoteContext, options: CommandOptions): Promise<void> {
  for (const arg of options.args) {
    const path = resolveRemote(context.cwd, arg);
    if (options.parents) await ensureRemotePath(context.client, path);
    else await context.client.mkdir(path);
  }
}

async function isRemoteFolder(client: FerryClient, path: string): Promise<boolean> {
  try {
    return (await client.stat(path)).kind === "dir";
  } catch (error) {
    if (isFerryError(error, "not_found") || isFerryError(error, "denied")) return false;
    throw error;
  }
}

/**
 * `mv FROM... TO`: into `TO` when it ends with `/`, is an existing folder,
 * or there are several sources; else `FROM` renamed to `TO`.
 */
export async function moveEntries(context: RemoteContext, options: CommandOptions): Promise<void> {
  const args = options.args;
  const last = args.at(-1) as string;
  const to = resolveRemote(context.cwd, last);
  const sources: { path: string }[] = [];
  for (const arg of args.slice(0, -1)) sources.push(...await expandArg(context, arg));
  const into = last.endsWith("/") || sources.length > 1 || await isRemoteFolder(context.client, to);
  for (const { path } of sources) {
    const target = into ? joinRemotePath(to, baseName(path)) : to;
    await context.client.rename(path, target, options.policy === "force");
  }
}

/** `df`: bytes and files in the user's folder, and the quota. */
export async function usageLines(client: FerryClient, json: boolean): Promise<string> {
  if (!client.hasFeature("usage")) {
    throw new FerryError("bad_request", "Cannot show usage: this server is older and has no df");
  }
  const report = await client.usage();
  if (json) return JSON.stringify(report) + "\n";
  const share = (used: number, quota: number): string =>
    `${(quota === 0 ? 100 : (used / quota) * 100).toFixed(1)}% used`;
  const files = `${report.files} file${report.files === 1 ? "" : "s"}`;
  const lines = [`Used:  ${formatBytes(report.bytes)} in ${files}`];
  const quotas: string[] = [];
  if (report.quotaBytes !== undefined) {
    quotas.push(`${formatBytes(report.quotaBytes)} (${share(report.bytes, report.quotaBytes)})`);
  }
  if (report.quotaFiles !== undefined) {
    quotas.push(`${report.quotaFiles} files (${share(report.files, report.quotaFiles)})`);
  }
  lines.push(`Quota: ${quotas.length > 0 ? quotas.join(", ") : "none"}`);
  return lines.map((line) => line + "\n").join("");
}
