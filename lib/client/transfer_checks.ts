/**
 * The checks around one transfer that the single hash leaves to the client:
 * an upload's source that must not change while it is read, the distinct
 * error of a server copy that no longer matches its recorded SHA-256, and
 * the test hook that proves `--verify` compares.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";

/**
 * A download whose bytes do not match the SHA-256 the server recorded for
 * the file when it was uploaded: the server's copy changed on its disk
 * (bit rot, a hand edit that kept size and time). Exit 4 (`integrity`),
 * never retried: the same bytes would come again.
 */
export class ServerCopyChanged extends FerryError {
  /** The path on the server. */
  readonly path: string;
  /** The SHA-256 recorded at upload. */
  readonly recorded: string;
  /** The SHA-256 of what arrived. */
  readonly received: string;

  /**
   * @param path The remote path.
   * @param recorded The SHA-256 the server recorded.
   * @param received The SHA-256 of the bytes that arrived.
   */
  constructor(path: string, recorded: string, received: string) {
    super(
      "integrity",
      `Cannot accept "${path}": the server's copy no longer matches the SHA-256 recorded when it was uploaded (the file changed on the server's disk; nothing was saved)`,
    );
    this.name = "ServerCopyChanged";
    this.path = path;
    this.recorded = recorded;
    this.received = received;
  }
}

/** What is compared to tell that a local file did not change while it was read. */
export interface SourceStamp {
  /** Bytes. */
  size: number;
  /** Modification time in ms (0 when unknown). */
  mtime: number;
}

/** The stamp of a local file's metadata. */
export function stampOf(info: Deno.FileInfo): SourceStamp {
  return { size: info.size, mtime: info.mtime?.getTime() ?? 0 };
}

/**
 * Checks, after an upload's last byte was read, that `local` still has the
 * size and modification time it had before (as rsync warns of a changed
 * source): otherwise what was sent may mix two versions, and the upload must
 * not be committed.
 *
 * @param local The local path.
 * @param before Its stamp before it was opened.
 * @throws {FerryError} `local_io` when it changed (or vanished).
 */
export function checkSourceUnchanged(local: string, before: SourceStamp): void {
  let now: SourceStamp | undefined;
  try {
    now = stampOf(Deno.statSync(local));
  } catch {
    now = undefined;
  }
  if (now?.size === before.size && now.mtime === before.mtime) return;
  throw new FerryError(
    "local_io",
    `Cannot upload "${local}": it changed while it was read (size or modification time); nothing was stored, run the command again`,
  );
}

/** The test hook's variable: set (to anything) it makes `--verify` see a wrong client hash. */
export const CORRUPT_VERIFY_VAR = "FERRY_TEST_CORRUPT_VERIFY";

/**
 * The test hook of `--verify`: when {@linkcode CORRUPT_VERIFY_VAR} is set and
 * granted to the process (only the tests grant it), the client's own
 * SHA-256 is changed before it is compared, so a test can prove that a
 * mismatch is caught. Never prompts.
 *
 * @returns A function that alters a hex hash, or `undefined` (the normal case).
 */
export function corruptVerifyHook(): ((sha256: string) => string) | undefined {
  try {
    const state = Deno.permissions.querySync({ name: "env", variable: CORRUPT_VERIFY_VAR }).state;
    if (state !== "granted" || Deno.env.get(CORRUPT_VERIFY_VAR) === undefined) return undefined;
  } catch {
    return undefined;
  }
  return (sha256) => (sha256.startsWith("0") ? "1" : "0") + sha256.slice(1);
}
