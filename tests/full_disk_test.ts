/**
 * A full disk is not a stuck server: ferryd's data folder on an 8 MiB
 * tmpfs, filled by an upload, then by a file of its own.
 *
 * Mounting needs root. Elsewhere the test is ignored under a name that says
 * so; with `CI=true` it fails instead (as the S3 suite does with
 * `FERRY_S3_REQUIRED=1`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { MessageType } from "../lib/protocol/message_type.ts";
import { addUser, startFerryd } from "./harness/ferryd_process.ts";
import { openRawSession } from "./harness/raw_session.ts";
import { errorCode, partFiles, rawPut } from "./harness/raw_upload.ts";
import { partialBytes, waitFor } from "./harness/wait.ts";

const MIB = 1024 * 1024;
const REQUIRED = Deno.env.get("CI") === "true";
const LOGIN = { user: "alice", password: "pw-alice" };

async function run(command: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).output();
    return out.success ? undefined : new TextDecoder().decode(out.stderr).trim();
  } catch (error) {
    return String(error);
  }
}

/** Mounts an 8 MiB tmpfs on a new folder; returns it, or why it cannot. */
async function mountTmpfs(): Promise<{ dir: string } | { problem: string }> {
  const dir = await Deno.makeTempDir({ prefix: "ferry-tmpfs-" });
  const problem = await run("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", dir]);
  if (problem === undefined) return { dir };
  await Deno.remove(dir);
  return { problem: `cannot mount a tmpfs (root needed): ${problem}` };
}

async function unmount(dir: string): Promise<void> {
  await run("umount", [dir]);
  await Deno.remove(dir, { recursive: true });
}

/** Writes `path` until the disk is full. */
async function fillUp(path: string): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true });
  const chunk = new Uint8Array(64 * 1024);
  try {
    for (;;) await file.write(chunk);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOSPC") throw error;
  }
}

// Whether this machine can mount one at all: decides between running and saying why not.
const probe = await mountTmpfs();
if ("dir" in probe) await unmount(probe.dir);

if ("problem" in probe) {
  Deno.test({
    name: `full disk - !!! NOT RUN: ${probe.problem} (set CI=true to fail instead)`,
    ignore: !REQUIRED,
    fn(): void {
      throw new Error(`The full-disk test is required (CI=true): ${probe.problem}`);
    },
  });
} else {
  Deno.test("full disk - the failed upload frees what it wrote; uploads work again", async () => {
    const mounted = await mountTmpfs();
    if ("problem" in mounted) throw new Error(mounted.problem);
    const mount = mounted.dir;
    try {
      const data = `${mount}/data`;
      await addUser(data, LOGIN.user, LOGIN.password);
      await using server = await startFerryd({ dataDir: data });
      await using session = await openRawSession({ port: server.port, ...LOGIN });
      // A big upload cut by the network keeps its partial: it can resume.
      await using first = await openRawSession({ port: server.port, ...LOGIN });
      await rawPut(first, 1, { path: "kept.bin", size: 3 * MIB, until: 2 * MIB });
      first.close();
      await waitFor(async () => await partialBytes(data) === 2 * MIB, 10_000, "2 MiB kept");
      // Bigger than the disk: the clear error, and nothing of it stays.
      const big = await rawPut(session, 1, { path: "big.bin", size: 16 * MIB });
      assert.equal(errorCode(big.end), "quota", JSON.stringify(big.end?.json));
      assert.match(
        (big.end?.json as { message: string }).message,
        /^Cannot write "big\.bin": the server's disk is full$/,
      );
      assert.equal((await partFiles(data)).length, 1, "only the resumable partial is left");
      assert.equal(await partialBytes(data), 2 * MIB);
      const small = await rawPut(session, 2, { path: "small.txt", size: 6 });
      assert.equal(small.end?.type, MessageType.REPLY, "a small upload fits again");
      const resumed = await rawPut(session, 3, { path: "kept.bin", size: 3 * MIB });
      assert.equal((resumed.start.json as { offset: number }).offset, 2 * MIB);
      assert.equal(resumed.end?.type, MessageType.REPLY, JSON.stringify(resumed.end?.json));
      // Full from outside ferryd: refused, and nothing left behind.
      await fillUp(`${mount}/filler`);
      const refused = await rawPut(session, 4, { path: "tiny.txt", size: 6 });
      assert.equal(errorCode(refused.end), "quota", JSON.stringify(refused.end?.json));
      assert.deepEqual(await partFiles(data), []);
      // Room again: uploads work.
      await Deno.remove(`${mount}/filler`);
      const again = await rawPut(session, 5, { path: "again.bin", size: 4 * MIB });
      assert.equal(again.end?.type, MessageType.REPLY, JSON.stringify(again.end?.json));
      assert.equal((await Deno.stat(`${data}/files/again.bin`)).size, 4 * MIB);
      assert.equal((await Deno.stat(`${data}/files/kept.bin`)).size, 3 * MIB);
    } finally {
      await unmount(mount);
    }
  });
}
