/**
 * Opening a local file for download, for {@linkcode LocalStorage.openRead}.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { statKind, toEntry } from "./entry_info.ts";
import { memoryByteSource } from "../core/byte_source.ts";
import type { DirectIo } from "../local_fs/direct_io.ts";
import { fileByteSource } from "../local_fs/file_byte_source.ts";
import { DIRECT_IO_MAX_BYTES } from "./partial_files.ts";
import { fsError } from "../local_fs/fs_error.ts";
import type { Jail } from "./jail.ts";
import { baseName, quotePath } from "../core/remote_path.ts";
import type { RemotePath } from "../core/remote_path.ts";
import type { ReadSource } from "./storage.ts";
import type { LocalHashes } from "./local_hashes.ts";

/**
 * Opens a regular file inside the jail and returns its bytes from `offset`.
 *
 * Deno cannot open relative to a folder handle or refuse links at open time,
 * so after opening, the file is checked to be the very file (device and inode)
 * that the path resolves to inside the jail now: a path swapped for a link
 * before the open is refused instead of followed. Only the open itself is
 * async; the checks around it are direct calls (see jail.ts).
 *
 * @example Reading from an offset
 * ```ts
 * import { Jail } from "./jail.ts";
 * import { openLocalRead } from "./local_read.ts";
 * import { ViewReader } from "../core/byte_source.ts";
 * import assert from "node:assert/strict";
 * const root = await Deno.realPath(await Deno.makeTempDir());
 * await Deno.writeTextFile(`${root}/a.txt`, "hello");
 * const source = await openLocalRead(new Jail(root), "a.txt", 1);
 * const reader = new ViewReader(source.bytes);
 * const read = await reader.read(new Uint8Array(16));
 * assert.equal(new TextDecoder().decode(read ?? undefined), "ello");
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @param jail The jail of the shared folder.
 * @param path The file.
 * @param offset Where to start, at most the file's size.
 * @param directIo Whether a big file may be read with direct calls now
 *   (else async reads).
 * @param hashes The storage's hash index: the source then carries the file's
 *   SHA-256 when the index holds it for the file as opened, else (from offset
 *   0) a hook to record it.
 * @returns The entry as opened and its bytes, which own the open file; the
 * caller reads it to its end or cancels it.
 * @throws {FerryError} `bad_request` for a bad offset, `is_directory` for a
 * folder, `not_found`, `invalid_path`.
 */
export async function openLocalRead(
  jail: Jail,
  path: RemotePath,
  offset: number,
  directIo?: DirectIo,
  hashes?: LocalHashes,
): Promise<ReadSource> {
  const action = `Cannot read ${quotePath(path)}`;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new FerryError("bad_request", `${action} from offset ${offset}: it is not valid`);
  }
  let file: Deno.FsFile | undefined;
  try {
    // Checked before opening: a pipe or device is never opened (it could block).
    const real = jail.resolveExisting(path, action);
    const seen = statKind(real, action);
    if (seen.isDirectory) throw new FerryError("is_directory", `${action}: it is a folder`);
    const small = seen.size <= DIRECT_IO_MAX_BYTES;
    file = small ? openNow(real) : await Deno.open(real, { read: true });
    const info = checkOpened(file, real, action);
    if (offset > info.size) {
      throw new FerryError(
        "bad_request",
        `${action} from offset ${offset}: the file has only ${info.size} bytes`,
      );
    }
    if (offset > 0) seekTo(file, offset);
    const known = indexed(hashes, path, info, offset);
    if (!small) {
      const bytes = fileByteSource(file, {
        ...(directIo ? { direct: directIo } : {}),
        explain: (error) => fsError(error, action),
      });
      return { entry: toEntry(baseName(path), info), bytes, ...known };
    }
    const bytes = readNow(file, info.size - offset);
    file.close();
    return { entry: toEntry(baseName(path), info), bytes: memoryByteSource(bytes), ...known };
  } catch (error) {
    file?.close();
    throw fsError(error, action);
  }
}

/** The indexed SHA-256 of the file as opened, or the hook to record it. */
function indexed(
  hashes: LocalHashes | undefined,
  path: RemotePath,
  info: Deno.FileInfo,
  offset: number,
): Pick<ReadSource, "sha256" | "recordSha256"> {
  if (hashes === undefined) return {};
  const sha256 = hashes.lookup(path, info);
  if (sha256 !== undefined) return { sha256 };
  return offset === 0 ? { recordSha256: hashes.recorder(path, info) } : {};
}

/**
 * Proves that `file` is the regular file at `real` now, and that `real` still
 * has no link in it. Direct calls, like the jail's (see jail.ts).
 */
function checkOpened(file: Deno.FsFile, real: string, action: string): Deno.FileInfo {
  const info = file.statSync();
  const again = Deno.realPathSync(real);
  const after = Deno.statSync(again);
  if (!info.isFile || again !== real || !sameFile(info, after)) {
    throw new FerryError("busy", `${action}: it changed while being opened`);
  }
  return info;
}

/** Opens a small file for reading: see {@linkcode DIRECT_IO_MAX_BYTES}. */
function openNow(real: string): Deno.FsFile {
  return Deno.openSync(real, { read: true });
}

/**
 * Reads up to `length` bytes of a small file from its position (the size it
 * had when opened: a file that grows meanwhile is sent as it was). Direct
 * calls: see {@linkcode DIRECT_IO_MAX_BYTES}.
 */
function readNow(file: Deno.FsFile, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = file.readSync(bytes.subarray(done));
    if (n === null) break;
    done += n;
  }
  return bytes.subarray(0, done);
}

function seekTo(file: Deno.FsFile, offset: number): void {
  file.seekSync(offset, Deno.SeekMode.Start);
}

function sameFile(a: Deno.FileInfo, b: Deno.FileInfo): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
