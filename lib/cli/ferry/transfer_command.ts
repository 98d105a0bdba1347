/**
 * `get` and `put` on the command line: one file, several files, or folder
 * trees with `-r`, planned into jobs (lib/client/upload_plan.ts,
 * download_plan.ts) and run over one connection, with progress on the
 * terminal (`TransferDisplay`) or in the `--json` document.
 *
 * @module
 */

import { type Job, runBatch } from "../../client/batch.ts";
import { planDownload, restoreFolderTimes } from "../../client/download_plan.ts";
import { downloadFile } from "../../client/file_download.ts";
import { uploadFile } from "../../client/file_upload.ts";
import type { FerryClient } from "../../client/ferry_client.ts";
import { downloadToStdout } from "../../client/local_files.ts";
import { freeTargets } from "../../client/local_names.ts";
import { spoolStdin } from "../../client/stdin_spool.ts";
import { planUpload, uploadIntoFolderOnce } from "../../client/upload_plan.ts";
import { FerryError } from "../../core/errors.ts";
import { encryptedSize } from "../../file_crypto/mod.ts";
import type { CommandOptions } from "./client_options.ts";
import { downloadKeys, type KeyEnvironment, uploadEncryption } from "./encryption_options.ts";
import { resolveRemote } from "../../core/remote_path.ts";
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

/** Runs `put`; returns the exit code. */
export async function runPut(context: TransferContext, options: CommandOptions): Promise<number> {
  const { client, cwd } = context;
  if (options.args[0] === "-") return await runPutStdin(context, options);
  const encryption = await uploadEncryption(options, context.keys);
  const plan = await planUpload(client, options.args, {
    resolveRemote: (arg) => resolveRemote(cwd, arg),
    recursive: options.recursive,
    ...(encryption ? { sentSize: encryptedSize } : {}),
  });
  return await runJobs(
    "put",
    plan.jobs,
    plan.notes,
    context,
    options,
    (job, onProgress) =>
      uploadIntoFolderOnce(plan, job, (job) =>
        uploadFile(client, job.local, job.remote, {
          ...transferFlags(options),
          onProgress,
          ...(encryption ? { encryption } : {}),
        })),
  );
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
  const plan = await planDownload(client, options.args, {
    resolveRemote: (arg) => resolveRemote(cwd, arg),
    recursive: options.recursive,
  });
  const keys = await downloadKeys(options, context.keys, plan.encrypted);
  const free = freeTargets(plan.jobs.map((job) => job.local));
  const code = await runJobs(
    "get",
    plan.jobs,
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
  await restoreFolderTimes(plan.folders);
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
