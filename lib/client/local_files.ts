/**
 * Local-file helpers of the client: the partial-download suffix, how local
 * files are read and written, the one mapping of local file system errors to
 * clear errors, and streaming a download to standard output.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { DirectIo } from "../local_fs/direct_io.ts";
import { explainRefusal } from "../sandbox/refusal.ts";
import { downloadDecrypting } from "./download_pipe.ts";
import type { FerryClient, TransferResult } from "./ferry_client.ts";
import type { FileKeys } from "./file_keys.ts";

/** The suffix of a download in progress. */
export const PARTIAL_SUFFIX = ".ferry-part";

/**
 * How the client reads the files it sends and writes the ones it receives:
 * with direct calls while they stay fast (see {@linkcode DirectIo}), for the
 * whole process. Sending 1 GiB took 1.65 CPU-s with async reads through a
 * stream and 1.48 with direct ones (docs/PERFORMANCE.md).
 */
export const LOCAL_DIRECT_IO: DirectIo = new DirectIo();

/** Options of {@linkcode downloadToStdout}. */
export interface StdoutDownloadOptions {
  /** Ask the server to compress chunks that shrink. */
  compress?: boolean;
  /** Called with bytes done and total. */
  onProgress?: (done: number, total: number) => void;
  /** Decrypt an encrypted file with these keys; without them, write it as stored. */
  keys?: FileKeys;
  /** Refuse a file that looks binary (stdout is a terminal and no `--force`). */
  textOnly?: boolean;
}

/**
 * Whether bytes look binary rather than text: a NUL byte or bytes that are
 * not UTF-8 (a character cut at the end of `bytes` is fine), as git and
 * `less` tell.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return false;
  } catch {
    return true;
  }
}

/** Standard output as a stream that, with `textOnly`, checks the first chunk. */
function stdoutFor(remote: string, textOnly: boolean): WritableStream<Uint8Array> {
  let first = textOnly;
  return new WritableStream({
    async write(chunk): Promise<void> {
      if (first && looksBinary(chunk.subarray(0, 8192))) {
        throw new FerryError(
          "usage",
          `Cannot print "${remote}" on the terminal: it looks binary (redirect it, as in "get ${remote} - > file", or use --force)`,
        );
      }
      first = false;
      // Locked only while writing: the shell's next `get NAME -` needs stdout too.
      const writer = Deno.stdout.writable.getWriter();
      try {
        await writer.write(chunk);
      } finally {
        writer.releaseLock();
      }
    },
  });
}

/**
 * Turns a local file system failure into a clear {@linkcode FerryError}. A
 * path outside the client's sandbox (Deno's `NotCapable`) names the rule:
 * only the working and state folders. A download's partial file
 * (`NAME.ferry-part`) is named as the file the user asked for, `NAME`.
 */
export function localError(error: unknown, path: string): unknown {
  if (error instanceof FerryError) return error;
  const partial = path.endsWith(PARTIAL_SUFFIX);
  const shown = partial ? path.slice(0, -PARTIAL_SUFFIX.length) : path;
  if (error instanceof Deno.errors.NotFound) {
    return new FerryError("local_io", `Cannot open "${shown}": no such file or folder`);
  }
  if (error instanceof Deno.errors.NotCapable) return explainRefusal(error, shown);
  // Deno's message ends with the call and the path ("...: open 'a.ferry-part'").
  const reason = error instanceof Error ? error.message.replace(/: \w+ '.*'$/, "") : "";
  if (error instanceof Deno.errors.PermissionDenied) {
    return new FerryError("local_io", `Cannot access "${shown}": ${reason}`);
  }
  if (error instanceof Deno.errors.NotADirectory) {
    return new FerryError("local_io", `Cannot open "${shown}": a part of the path is a file`);
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new FerryError("local_io", `Cannot open "${shown}": it is a folder`);
  }
  if (partial && error instanceof Error) {
    return new FerryError("local_io", `Cannot write "${shown}": ${reason}`, { cause: error });
  }
  return error;
}

/**
 * Downloads `remote` to standard output, as it arrives. The hash is checked
 * at the end; a mismatch is an `integrity` error after the bytes went out,
 * so a pipeline must check the exit code. With `keys`, an encrypted file is
 * decrypted on the way, chunk by chunk (memory stays bounded); only verified
 * chunks go out, but a damaged file is detected only when the bad chunk (or,
 * for a truncated file, the end) arrives.
 */
export async function downloadToStdout(
  client: FerryClient,
  remote: string,
  options: StdoutDownloadOptions = {},
): Promise<TransferResult> {
  try {
    return await toStdout(client, remote, options);
  } catch (error) {
    // The socket's errors are FerryErrors by now: a broken pipe is stdout's
    // reader gone (`| head`), a local matter.
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
    throw new FerryError(
      "local_io",
      `Cannot write "${remote}" to standard output: ${error.message}`,
      {
        cause: error,
      },
    );
  }
}

async function toStdout(
  client: FerryClient,
  remote: string,
  options: StdoutDownloadOptions,
): Promise<TransferResult> {
  const out = stdoutFor(remote, options.textOnly ?? false);
  if (options.keys) {
    try {
      return await downloadDecrypting(client, remote, options.keys, {
        compress: options.compress ?? false,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      }, {
        open: () => out,
        pipe: { preventClose: true, preventAbort: true },
      });
    } finally {
      await out.close().catch(() => {});
    }
  }
  const writer = out.getWriter();
  try {
    return await client.download(remote, (chunk) => writer.write(chunk), {
      compress: options.compress ?? false,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await writer.close().catch(() => {});
  }
}
