/**
 * The receiver hashes, once (issue 16), through a real ferryd and the real
 * client: a server copy that changed since its upload is reported as such,
 * `--verify` catches a client-side mismatch (test hook), and a source that
 * changes while it is uploaded is not committed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { auditEvents } from "./harness/audit_events.ts";
import { listTree, openWorld, type World, writeRandomFile } from "./harness/fixture.ts";
import { ROOT } from "./harness/ferryd_process.ts";
import { type ProcessRun, runToEnd } from "./harness/run_process.ts";
import { ALICE_PASSWORD } from "./harness/fixture.ts";
import { clientPermissionFlags } from "../lib/sandbox/permission_flags.ts";
import { CORRUPT_VERIFY_VAR } from "../lib/client/transfer_checks.ts";

const CHANGED = /the server's copy no longer matches the SHA-256 recorded when it was uploaded/;

/**
 * Runs the client as `world.ferry` does, but also granted the test hook's
 * variable (the client's own flags never grant it) and with it set.
 */
function ferryWithHook(world: World, args: string[]): Promise<ProcessRun> {
  const home = `${world.work}/.ferry`;
  const flags = clientPermissionFlags({
    workDir: world.work,
    stateDir: home,
    server: world.server.server,
  }).map((flag) => flag.startsWith("--allow-env=") ? `${flag},${CORRUPT_VERIFY_VAR}` : flag);
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...flags,
      `${ROOT}/client.ts`,
      "--server",
      world.server.server,
      "--accept-new-host-key",
      ...args,
    ],
    cwd: world.work,
    env: {
      FERRY_HOME: home,
      FERRY_USER: "alice",
      FERRY_PASSWORD: ALICE_PASSWORD,
      [CORRUPT_VERIFY_VAR]: "1",
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  return runToEnd(command);
}

/** Flips one byte of a file in place, keeping its size and times. */
async function flipByte(path: string, at: number): Promise<void> {
  const before = await Deno.stat(path);
  using file = await Deno.open(path, { read: true, write: true });
  const byte = new Uint8Array(1);
  await file.seek(at, Deno.SeekMode.Start);
  await file.read(byte);
  byte[0] = (byte[0] as number) ^ 0xff;
  await file.seek(at, Deno.SeekMode.Start);
  await file.write(byte);
  await Deno.utime(path, before.atime as Date, before.mtime as Date);
  const after = await Deno.stat(path);
  assert.equal(after.size, before.size);
  assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
}

// Needs a back end that records hashes (the local hash index, S3): without one, the
// server hashes while it sends and the changed copy arrives as it is now.
Deno.test("ferry get - a server copy changed since its upload is reported as such, exit 4, audited", async () => {
  await using world = await openWorld();
  await writeRandomFile(`${world.work}/a.bin`, 300_000);
  assert.equal((await world.ferry(["put", "a.bin"])).code, 0);
  // Downloaded once: the server has recorded its hash (at upload, or while sending).
  const first = await world.ferry(["get", "a.bin", "first.bin"]);
  assert.equal(first.code, 0, first.stderr);

  await flipByte(`${world.server.dataDir}/files/a.bin`, 150_000);
  const get = await world.ferry(["get", "a.bin", "back.bin"]);
  assert.equal(get.code, 4, get.stderr);
  assert.match(get.stderr, CHANGED);
  const left = (await listTree(world.work)).filter((path) => path.startsWith("back.bin"));
  assert.deepEqual(left, [], "nothing is left as the target file");

  const reports = (await auditEvents(world.server.dataDir)).filter((event) =>
    event.event === "report-corrupt"
  );
  assert.equal(reports.length, 1, JSON.stringify(reports));
  assert.equal(reports[0]?.path, "a.bin");
  assert.match(String(reports[0]?.sha256), /^[0-9a-f]{64}$/);
});

Deno.test("ferry put/get --verify - the test hook's mismatch is caught, nothing is stored", async () => {
  await using world = await openWorld();
  await writeRandomFile(`${world.work}/a.bin`, 200_000);

  const put = await ferryWithHook(world, ["put", "--verify", "a.bin"]);
  assert.equal(put.code, 4, put.stderr);
  assert.match(put.stderr, /SHA-256/);
  assert.deepEqual(await world.files.tree(), [], "a mismatch commits nothing");

  // Without --verify the client does not hash: the hook has nothing to change.
  const plain = await ferryWithHook(world, ["put", "a.bin"]);
  assert.equal(plain.code, 0, plain.stderr);
  const verified = await world.ferry(["put", "--verify", "--force", "a.bin"]);
  assert.equal(verified.code, 0, verified.stderr);

  const get = await ferryWithHook(world, ["get", "--verify", "a.bin", "back.bin"]);
  assert.equal(get.code, 4, get.stderr);
  assert.match(get.stderr, /--verify/);
  const left = (await listTree(world.work)).filter((path) => path.startsWith("back.bin"));
  assert.deepEqual(left, []);
  const fine = await world.ferry(["get", "--verify", "a.bin", "back.bin"]);
  assert.equal(fine.code, 0, fine.stderr);
});

Deno.test("ferry put - a source changed while it is read is not committed", async () => {
  await using world = await openWorld();
  const size = 1024 * 1024;
  await writeRandomFile(`${world.work}/big.bin`, size);
  // At 256 KiB/s the upload lasts about 4 s: the file changes in its middle.
  const child = world.spawn(["put", "-l", "256", "big.bin"]);
  await world.untilUploaded(128 * 1024);
  const bytes = await Deno.readFile(`${world.work}/big.bin`);
  bytes.fill(0x61, size - 1000);
  await Deno.writeFile(`${world.work}/big.bin`, bytes);
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.notEqual(output.code, 0, stderr);
  assert.match(stderr, /changed while it was read/);
  assert.deepEqual(await world.files.tree(), [], "nothing is committed");
});
