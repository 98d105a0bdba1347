/**
 * `get` and `put` on the command line: one file, several files, or folder
 * trees with `-r`, planned into jobs and run over one connection.
 *
 * Arguments follow sftp and cp:
 * - `put a.txt` / `get a.txt`: into the current folder under the same name;
 * - `put a.txt b.txt` / `get a.txt b.txt`: when `b.txt` is not a folder, a
 *   copy named `b.txt` (for `put`, unless `b.txt` is another local file: then
 *   both go up, as a shell glob like `put *.txt` matching two files means);
 * - `put a b c [dir/]`, `get a b c [dir/]`: several files into the current
 *   folder, or into the last argument when it is a folder or ends with `/`;
 * - `-r` copies folders, `put -r photos backup` makes `backup/photos` when
 *   `backup` is a folder, else `backup`.
 *
 * @module
 */

import { type Job, runBatch } from "../client/batch.ts";
import { downloadFile } from "../client/file_download.ts";
import { uploadFile } from "../client/file_upload.ts";
import type { FerryClient } from "../client/ferry_client.ts";
import { downloadToStdout, localError } from "../client/local_files.ts";
import { freeTargets } from "../client/local_names.ts";
import { walkLocalTree } from "../client/local_tree.ts";
import { ensureRemoteDir, joinRemotePath, walkRemoteTree } from "../client/remote_tree.ts";
import { FerryError, isFerryError } from "../errors.ts";
import { encryptedSize } from "../file_crypto/mod.ts";
import type { CommandOptions } from "./client_options.ts";
import { downloadKeys, type KeyEnvironment, uploadEncryption } from "./encryption_options.ts";
import { lastSegment, resolveRemote } from "./remote_cwd.ts";
import { exitCodeFor } from "./exit_codes.ts";
import { TransferDisplay } from "./transfer_display.ts";
import type { CommandReport } from "./command_report.ts";

/**
 * Files in flight at once over the one connection: enough that the round
 * trips of small files overlap (1,000 × 4 KiB files spend most of their time
 * waiting, not working), few enough that big files do not thrash.
 */
export const TRANSFERS_IN_FLIGHT = 32;

/** The state a transfer command runs in. */
export interface TransferContext {
  /** The connected client. */
  client: FerryClient;
  /** The current remote folder (`""` for the root). */
  cwd: string;
  /** Where encrypted transfers keep state and get passphrases (absent: no `--encrypt`). */
  keys?: KeyEnvironment;
  /** `--json`: where this command's results go (one document, printed by the caller). */
  report?: CommandReport;
  /** Aborted when the user interrupts the command (Ctrl-C in the shell). */
  signal?: AbortSignal;
}

async function localKind(path: string): Promise<"file" | "dir" | undefined> {
  try {
    const info = await Deno.stat(path);
    return info.isDirectory ? "dir" : "file";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw localError(error, path);
  }
}

async function remoteKind(client: FerryClient, path: string): Promise<"file" | "dir" | undefined> {
  try {
    return (await client.stat(path)).kind;
  } catch (error) {
    if (isFerryError(error, "not_found")) return undefined;
    throw error;
  }
}

function joinLocal(dir: string, name: string): string {
  return dir === "" || dir === "." ? name : `${dir.replace(/\/+$/, "")}/${name}`;
}

/** Splits arguments into sources and a destination folder or name. */
async function splitArgs(
  args: string[],
  isFolder: (path: string) => Promise<boolean>,
  isSource: (path: string) => Promise<boolean>,
): Promise<{ sources: string[]; dest: string | undefined; destIsFolder: boolean }> {
  if (args.length === 0) throw new FerryError("usage", "Nothing to copy: name at least one file");
  if (args.length === 1) return { sources: args, dest: undefined, destIsFolder: true };
  const last = args.at(-1) as string;
  if (last.endsWith("/") || await isFolder(last)) {
    return { sources: args.slice(0, -1), dest: last, destIsFolder: true };
  }
  if (args.length === 2 && !await isSource(last)) {
    return { sources: args.slice(0, 1), dest: last, destIsFolder: false };
  }
  return { sources: args, dest: undefined, destIsFolder: true };
}

/** Runs `put`; returns the exit code. */
export async function runPut(context: TransferContext, options: CommandOptions): Promise<number> {
  const { client, cwd } = context;
  const encryption = await uploadEncryption(options, context.keys);
  const sized = (size: number): number => encryption ? encryptedSize(size) : size;
  const plan = await splitArgs(
    options.args,
    async (path) => await remoteKind(client, resolveRemote(cwd, path)) === "dir",
    async (path) => await localKind(path) !== undefined,
  );
  const base = plan.dest === undefined ? cwd : resolveRemote(cwd, plan.dest);
  const jobs: Job[] = [];
  const notes: string[] = [];
  for (const source of plan.sources) {
    const kind = await localKind(source);
    if (kind === undefined) {
      throw new FerryError("local_io", `Cannot upload "${source}": no such file or folder`);
    }
    const target = plan.destIsFolder ? joinRemotePath(base, lastSegment(source)) : base;
    if (kind === "file") {
      jobs.push({ local: source, remote: target, size: sized((await Deno.stat(source)).size) });
      continue;
    }
    if (!options.recursive) {
      throw new FerryError("usage", `Cannot upload "${source}": it is a folder (use -r)`);
    }
    const tree = await walkLocalTree(source);
    await ensureRemoteDir(client, target);
    for (const dir of tree.dirs) await ensureRemoteDir(client, joinRemotePath(target, dir));
    for (const file of tree.files) {
      jobs.push({
        local: joinLocal(source, file.rel),
        remote: joinRemotePath(target, file.rel),
        size: sized(file.size),
      });
    }
    for (const skipped of tree.skipped) {
      notes.push(`Skipped "${joinLocal(source, skipped.rel)}": ${skipped.reason}`);
    }
  }
  return await runJobs(
    "put",
    jobs,
    notes,
    context,
    options,
    (job, onProgress) =>
      uploadFile(client, job.local, job.remote, {
        ...transferFlags(options),
        onProgress,
        ...(encryption ? { encryption } : {}),
      }),
  );
}

/** Runs `get`; returns the exit code. */
export async function runGet(context: TransferContext, options: CommandOptions): Promise<number> {
  const { client, cwd } = context;
  if (options.args.length === 2 && options.args[1] === "-") {
    const remote = resolveRemote(cwd, options.args[0] as string);
    const keys = await downloadKeys(options, context.keys, false);
    await downloadToStdout(client, remote, {
      compress: options.compress,
      ...(keys ? { keys } : {}),
    });
    return 0;
  }
  const plan = await splitArgs(
    options.args,
    async (path) => await localKind(path) === "dir",
    // `get a b` always means "a, saved as b" (as in sftp): remote names are
    // not shell globs, so two arguments are never two sources.
    () => Promise.resolve(false),
  );
  const base = plan.dest ?? ".";
  const jobs: Job[] = [];
  const folders: { path: string; mtime: number }[] = [];
  let hinted = false; // the server marked a file as encrypted
  for (const source of plan.sources) {
    const remote = resolveRemote(cwd, source);
    const entry = await client.stat(remote);
    const target = plan.destIsFolder ? joinLocal(base, lastSegment(remote) || "root") : base;
    if (entry.kind === "file") {
      jobs.push({ local: target, remote, size: entry.size, encrypted: entry.encrypted === true });
      hinted ||= entry.encrypted === true;
      continue;
    }
    if (!options.recursive) {
      throw new FerryError("usage", `Cannot download "${source}": it is a folder (use -r)`);
    }
    const tree = await walkRemoteTree(client, remote);
    const dirs = [{ rel: "", mtime: entry.mtime }, ...tree.dirs];
    for (const dir of dirs) {
      const path = dir.rel === "" ? target : joinLocal(target, dir.rel);
      await Deno.mkdir(path, { recursive: true }).catch((error) => {
        throw localError(error, path);
      });
      folders.push({ path, mtime: dir.mtime });
    }
    for (const file of tree.files) {
      jobs.push({
        local: joinLocal(target, file.rel),
        remote: joinRemotePath(remote, file.rel),
        size: file.size,
        encrypted: file.encrypted === true,
      });
      hinted ||= file.encrypted === true;
    }
  }
  const keys = await downloadKeys(options, context.keys, hinted);
  const free = freeTargets(jobs.map((job) => job.local));
  const code = await runJobs(
    "get",
    jobs,
    [],
    context,
    options,
    (job, onProgress) =>
      downloadFile(client, job.remote, job.local, {
        ...transferFlags(options),
        onProgress,
        remoteEncrypted: job.encrypted === true,
        knownFree: free.has(job.local),
        ...(keys ? { keys } : {}),
      }),
  );
  for (const folder of folders.reverse()) {
    if (folder.mtime > 0) {
      await Deno.utime(folder.path, new Date(folder.mtime), new Date(folder.mtime)).catch(() => {});
    }
  }
  return code;
}

function transferFlags(
  options: CommandOptions,
): { policy: CommandOptions["policy"]; resume: boolean; compress: boolean } {
  return { policy: options.policy, resume: options.resume, compress: options.compress };
}

async function runJobs(
  op: "put" | "get",
  jobs: Job[],
  notes: string[],
  context: TransferContext,
  options: CommandOptions,
  transfer: Parameters<typeof runBatch>[1],
): Promise<number> {
  const display = new TransferDisplay({
    op,
    files: jobs.length,
    bytes: jobs.reduce((sum, job) => sum + job.size, 0),
    live: !options.quiet && !options.json && Deno.stderr.isTerminal(),
    quiet: options.quiet,
    verbose: options.verbose,
    report: context.report,
    signal: context.signal,
  });
  for (const note of notes) display.note(note);
  const result = await runBatch(jobs, transfer, {
    events: display,
    concurrency: TRANSFERS_IN_FLIGHT,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  display.finish();
  context.signal?.throwIfAborted();
  const first = result.failures[0];
  if (first === undefined) return 0;
  if (context.report) context.report.failure = first.error;
  return exitCodeFor(first.error);
}
