/**
 * `get` and `put` on the command line: one file, several files, or folder
 * trees with `-r`, planned into jobs and run over one connection. Where
 * each copy goes follows one rule for both directions, `planCopy`
 * (lib/client/copy_plan.ts, docs/CLI.md); remote patterns are expanded
 * against the server's listings, local ones (the shell's `put *.txt`) here.
 *
 * @module
 */

import { type Job, runBatch } from "../../client/batch.ts";
import { downloadFile } from "../../client/file_download.ts";
import { uploadFile } from "../../client/file_upload.ts";
import type { FerryClient } from "../../client/ferry_client.ts";
import { downloadToStdout, localError } from "../../client/local_files.ts";
import { freeTargets } from "../../client/local_names.ts";
import { walkLocalTree } from "../../client/local_tree.ts";
import { planCopy } from "../../client/copy_plan.ts";
import { expandLocal, expandRemote, hasGlob } from "../../client/path_glob.ts";
import {
  ensureRemoteDir,
  ensureRemotePath,
  joinRemotePath,
  walkRemoteTree,
} from "../../client/remote_tree.ts";
import { spoolStdin } from "../../client/stdin_spool.ts";
import type { Entry } from "../../core/entry.ts";
import { FerryError, isFerryError } from "../../core/errors.ts";
import { encryptedSize } from "../../file_crypto/mod.ts";
import type { CommandOptions } from "./client_options.ts";
import { downloadKeys, type KeyEnvironment, uploadEncryption } from "./encryption_options.ts";
import { lastSegment, resolveRemote } from "./remote_cwd.ts";
import { exitCodeFor } from "../shared/exit_codes.ts";
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

/** What the server has at `path`, for the plan (`unknown` when the user may not look). */
async function remoteKindForPlan(
  client: FerryClient,
  path: string,
): Promise<"file" | "dir" | "none" | "unknown"> {
  try {
    return await remoteKind(client, path) ?? "none";
  } catch (error) {
    if (isFerryError(error, "denied")) return "unknown";
    throw error;
  }
}

/** Runs `put`; returns the exit code. */
export async function runPut(context: TransferContext, options: CommandOptions): Promise<number> {
  const { client, cwd } = context;
  if (options.args[0] === "-") return await runPutStdin(context, options);
  const encryption = await uploadEncryption(options, context.keys);
  const sized = (size: number): number => encryption ? encryptedSize(size) : size;
  const plan = await planCopy("put", options.args, {
    expand: async (arg) => hasGlob(arg) ? await expandLocal(arg) : [arg],
    destinationKind: (path) => remoteKindForPlan(client, resolveRemote(cwd, path)),
    // Outside the sandbox (`put a /b`) it could not be uploaded anyway: not a source.
    localExists: async (path) => await localKind(path).catch(() => undefined) !== undefined,
    remoteSpelling: (path) => `/${resolveRemote(cwd, path)}`,
  });
  const { destination } = plan;
  const folder = destination.kind === "into" ? resolveRemote(cwd, destination.folder) : cwd;
  if (destination.kind === "into" && destination.make) await ensureRemotePath(client, folder);
  const jobs: Job[] = [];
  const intoFolder = new Map<Job, string>(); // `put a.txt docs`: docs/a.txt if docs is a folder
  const notes: string[] = [];
  for (const source of plan.sources) {
    const kind = await localKind(source);
    if (kind === undefined) {
      throw new FerryError("local_io", `Cannot upload "${source}": no such file or folder`);
    }
    const target = destination.kind === "as"
      ? resolveRemote(cwd, destination.path)
      : joinRemotePath(folder, lastSegment(source));
    if (kind === "file") {
      const job = { local: source, remote: target, size: sized((await Deno.stat(source)).size) };
      jobs.push(job);
      if (destination.kind === "as") {
        intoFolder.set(job, joinRemotePath(target, lastSegment(source)));
      }
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
  const upload = (job: Job, onProgress: (done: number, total: number) => void) =>
    uploadFile(client, job.local, job.remote, {
      ...transferFlags(options),
      onProgress,
      ...(encryption ? { encryption } : {}),
    });
  return await runJobs("put", jobs, notes, context, options, async (job, onProgress) => {
    try {
      return await upload(job, onProgress);
    } catch (error) {
      const inside = intoFolder.get(job);
      if (inside === undefined || !isFerryError(error, "is_directory")) throw error;
      job.remote = inside; // the name is a folder: the file goes into it, as in sftp
      return await upload(job, onProgress);
    }
  });
}

/** `put - NAME`: standard input saved as NAME. */
async function runPutStdin(context: TransferContext, options: CommandOptions): Promise<number> {
  const name = options.args[1];
  if (options.args.length !== 2 || name === undefined || name.endsWith("/")) {
    throw new FerryError("usage", "Usage: put - NAME (standard input, saved as NAME)");
  }
  if (context.keys === undefined) throw new FerryError("usage", "Cannot read stdin here");
  await using input = await spoolStdin(`${context.keys.stateDir}/spool`);
  const job = { local: input.path, remote: resolveRemote(context.cwd, name), size: input.size };
  const encryption = await uploadEncryption(options, context.keys);
  return await runJobs("put", [job], [], context, options, async (job, onProgress) => {
    const outcome = await uploadFile(context.client, job.local, job.remote, {
      ...transferFlags(options),
      onProgress,
      ...(encryption ? { encryption } : {}),
    });
    if (!encryption && outcome.sha256 !== input.sha256) {
      throw new FerryError("integrity", `Cannot accept "${name}": stdin changed while it was sent`);
    }
    return outcome;
  });
}

/** Runs `get`; returns the exit code. */
export async function runGet(context: TransferContext, options: CommandOptions): Promise<number> {
  const { client, cwd } = context;
  if (options.args.length === 2 && options.args[1] === "-") {
    const remote = resolveRemote(cwd, options.args[0] as string);
    const keys = await downloadKeys(options, context.keys, false);
    await downloadToStdout(client, remote, {
      compress: options.compress,
      textOnly: Deno.stdout.isTerminal() && options.policy !== "force",
      ...(keys ? { keys } : {}),
    });
    return 0;
  }
  const listed = new Map<string, Entry>(); // what pattern matches already told
  const plan = await planCopy("get", options.args, {
    expand: async (arg) => {
      const remote = resolveRemote(cwd, arg);
      if (!hasGlob(remote)) return [arg];
      const matches = await expandRemote(client, remote);
      for (const match of matches) listed.set(match.path, match.entry);
      return matches.map((match) => `/${match.path}`);
    },
    destinationKind: async (path) => await localKind(path) ?? "none",
  });
  const { destination } = plan;
  const base = destination.kind === "into" ? destination.folder : ".";
  if (destination.kind === "into" && destination.make) {
    await Deno.mkdir(base, { recursive: true }).catch((error) => {
      throw localError(error, base);
    });
  }
  const jobs: Job[] = [];
  const folders: { path: string; mtime: number }[] = [];
  let hinted = false; // the server marked a file as encrypted
  for (const source of plan.sources) {
    const remote = resolveRemote(cwd, source);
    const entry = listed.get(remote) ?? await client.stat(remote);
    const name = lastSegment(remote) || "root";
    let target = destination.kind === "as" ? destination.path : joinLocal(base, name);
    if (entry.kind === "file") {
      if (destination.kind === "as" && await localKind(target) === "dir") {
        target = joinLocal(target, name);
      }
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
): { policy: CommandOptions["policy"]; resume: boolean; compress: boolean; verify: boolean } {
  const { policy, resume, compress, verify } = options;
  return { policy, resume, compress, verify };
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
