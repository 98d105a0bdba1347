/**
 * Real ferryd processes with `--storage s3`, real clients, a real Ceph RGW:
 * the core suite's cases against S3 (the same bodies as the local ones),
 * then several instances on one bucket.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnFerry } from "../harness/ferry_process.ts";
import { addUser, runServerCommand, startFerryd } from "../harness/ferryd_process.ts";
import {
  ALICE_PASSWORD,
  openWorld,
  sha256File,
  type World,
  writeRandomFile,
} from "../harness/fixture.ts";
import type { WorldCase } from "../harness/world_case.ts";
import { CONCURRENCY_CASES } from "../cases/concurrency.ts";
import { HOSTILE_PATH_CASES } from "../cases/hostile_paths.ts";
import { INTERRUPTED_UPLOAD_CASES } from "../cases/interrupted_upload.ts";
import { ROUND_TRIP_CASES } from "../cases/round_trip.ts";
import type { S3Case } from "./_cases_transfer.ts";
import type { S3World } from "./_world.ts";
import { jsonResult, jsonResults } from "../harness/json_output.ts";
import { auditEvents } from "../harness/audit_events.ts";

const MIB = 1024 * 1024;

/** Runs a core case against a ferryd on a fresh prefix of the bucket. */
function onS3({ name, run }: WorldCase): S3Case {
  return [name, async (s3) => {
    await using world = await openWorld({ s3: s3.config(s3.newPrefix("core")) });
    await run(world);
  }];
}

/** A ferryd world and a second ferryd on the same bucket and prefix. */
async function twoInstances(
  s3: S3World,
  name: string,
): Promise<{ world: World; prefix: string; other: Awaited<ReturnType<typeof startFerryd>> }> {
  const prefix = s3.newPrefix(name);
  const world = await openWorld({ s3: s3.config(prefix) });
  try {
    const other = await startFerryd({ s3: s3.config(prefix) });
    return { world, prefix, other };
  } catch (error) {
    await world[Symbol.asyncDispose]();
    throw error;
  }
}

/** The bytes the server says it received for its last committed upload of `name`. */
function receivedByServer(log: string, name: string): { received: number; offset: number } {
  const lines = log.split("\n").filter((line) => line.includes(`put "${name}"`));
  const match = /(\d+) bytes received from offset (\d+)/.exec(lines.at(-1) ?? "");
  assert.ok(match, `no commit line for ${name} in the server log`);
  return { received: Number(match[1]), offset: Number(match[2]) };
}

async function sharedNamespace(s3: S3World): Promise<void> {
  const { world, other } = await twoInstances(s3, "shared");
  await using _world = world;
  await using _other = other;
  assert.match(other.log(), /Serving files from bucket "ferry-test" at http:\/\/127\.0\.0\.1:/);
  assert.equal(other.fingerprint, world.server.fingerprint, "both present one host key");
  const sent = await writeRandomFile(`${world.work}/a.bin`, 3 * MIB + 17);
  const put = await world.ferry(["put", "a.bin", "-q"]);
  assert.equal(put.code, 0, put.stderr);
  const ls = await world.ferry(["ls", "--json"], { server: other.server });
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(
    jsonResults(ls.stdout).map((e) => [e.name, e.size]),
    [["a.bin", 3 * MIB + 17]],
  );
  const get = await world.ferry(["get", "a.bin", "back.bin", "-q"], { server: other.server });
  assert.equal(get.code, 0, get.stderr);
  assert.equal(await sha256File(`${world.work}/back.bin`), sent);
  // The client pinned one key for both addresses.
  const known = (await Deno.readTextFile(`${world.work}/.ferry/known_hosts`)).trim().split("\n");
  const keys = new Map(known.map((line) => [line.split(" ")[0], line.split(" ")[2]]));
  assert.equal(keys.size, 2, known.join("\n"));
  assert.equal(keys.get(`[127.0.0.1]:${world.server.port}`), keys.get(`[127.0.0.1]:${other.port}`));
  // One set of users: added through one data folder, it logs in through the other at once.
  await addUser(other.dataDir, "bob", "bob's long password");
  const bob = { user: "bob", password: "bob's long password" };
  const asBob = await world.ferry(["ls"], bob);
  assert.equal(asBob.code, 0, asBob.stderr);
  const deleted = await runServerCommand(world.server.dataDir, ["user", "del", "bob"]);
  assert.equal(deleted.code, 0, deleted.stderr);
  const refused = await world.ferry(["ls"], { ...bob, server: other.server });
  assert.equal(refused.code, 2, "deleted through one, refused by the other");
}

async function resumeThroughOther(s3: S3World): Promise<void> {
  const { world, other } = await twoInstances(s3, "resume");
  await using _world = world;
  await using _other = other;
  const size = 64 * MIB + 5;
  const sent = await writeRandomFile(`${world.work}/big.bin`, size);
  const child = world.spawn(["put", "big.bin", "-q"]);
  await world.untilUploaded(16 * MIB);
  child.kill("SIGKILL");
  await child.output();
  await world.files.untilUnlocked("big.bin");
  assert.deepEqual(await world.files.tree(), [], "nothing visible");

  const resumed = await world.ferry(["put", "big.bin", "--json"], { server: other.server });
  assert.equal(resumed.code, 0, resumed.stderr);
  const result = jsonResult(resumed.stdout) as {
    offset: number;
    sha256?: string;
    encrypted?: true;
  };
  assert.ok(result.offset >= 16 * MIB, `resumed at ${result.offset}`);
  assert.equal(result.sha256, sent);
  assert.equal(await world.files.sha256("big.bin"), sent, "identical");
  const counted = receivedByServer(other.log(), "big.bin");
  assert.equal(counted.offset, result.offset);
  assert.equal(counted.received, size - counted.offset, "the other instance got only the rest");
  const back = await world.ferry(["get", "big.bin", "back.bin", "-q"]);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(await sha256File(`${world.work}/back.bin`), sent);
}

async function twoWriters(s3: S3World): Promise<void> {
  const { world, other } = await twoInstances(s3, "writers");
  await using _world = world;
  await using _other = other;
  const first = await writeRandomFile(`${world.work}/one.bin`, 48 * MIB);
  const second = await writeRandomFile(`${world.work}/two.bin`, 40 * MIB);
  const writer = world.spawn(["put", "one.bin", "big.bin", "-q"]);
  await world.untilUploaded(8 * MIB);
  writer.kill("SIGSTOP"); // mid-upload for sure, however fast the store is
  const loser = await world.ferry(["put", "--force", "two.bin", "big.bin"], {
    server: other.server,
  });
  writer.kill("SIGCONT");
  assert.equal(loser.code, 3, loser.stderr);
  assert.match(loser.stderr, /"big\.bin": another upload is in progress/);
  const winner = await writer.output();
  assert.equal(winner.code, 0, new TextDecoder().decode(winner.stderr));
  assert.equal(await world.files.sha256("big.bin"), first, "the stored object is whole");
  // Free again: the other instance may now replace it, whole.
  const later = await world.ferry(["put", "--force", "two.bin", "big.bin"], {
    server: other.server,
  });
  assert.equal(later.code, 0, later.stderr);
  assert.equal(await world.files.sha256("big.bin"), second);
}

/** The `get` events of a server's audit log (local to each instance). */
async function gets(dataDir: string): Promise<{ offset: number; bytes: number; sha256: string }[]> {
  const text = await Deno.readTextFile(`${dataDir}/state/audit.log`);
  return text.trim().split("\n").map((line) => JSON.parse(line)).filter((e) => e.event === "get");
}

async function resumedDownload(s3: S3World): Promise<void> {
  const prefix = s3.newPrefix("download");
  await using world = await openWorld({ s3: s3.config(prefix) });
  const size = 5 * MIB + 333;
  const sent = await writeRandomFile(`${world.work}/x.bin`, size);
  assert.equal((await world.ferry(["put", "x.bin", "-q"])).code, 0);
  const head = (await Deno.readFile(`${world.work}/x.bin`)).subarray(0, 2 * MIB);
  await Deno.writeFile(`${world.work}/y.bin.ferry-part`, head);
  const resumed = await world.ferry(["get", "x.bin", "y.bin", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(jsonResult(resumed.stdout).offset, 2 * MIB);
  assert.equal(await sha256File(`${world.work}/y.bin`), sent);
  const first = (await gets(world.server.dataDir)).at(-1);
  assert.deepEqual(first, { ...first, offset: 2 * MIB, bytes: size - 2 * MIB, sha256: sent });
  // Another tool stores a wrong hash. The server, reading from the offset
  // only, ends with it; the client refuses that and fetches the whole file
  // again, which ends with the recorded hash too: the client then says that
  // the server's copy no longer matches it (exit 4, nothing saved, reported
  // to the audit log). Never a silent corruption.
  const key = `${prefix}files/x.bin`;
  const meta = (await s3.raw().head(key))?.meta ?? {};
  const wrong = "0".repeat(64);
  await s3.raw().copy(key, key, {
    "x-amz-metadata-directive": "REPLACE",
    "x-amz-meta-mtime": meta.mtime ?? "0",
    "x-amz-meta-sha256": wrong,
  });
  await Deno.writeFile(`${world.work}/z.bin.ferry-part`, head);
  const again = await world.ferry(["get", "x.bin", "z.bin", "-q"]);
  assert.equal(again.code, 4, again.stderr);
  assert.match(again.stderr, /the server's copy no longer matches the SHA-256 recorded/);
  await assert.rejects(Deno.stat(`${world.work}/z.bin`));
  await assert.rejects(Deno.stat(`${world.work}/z.bin.ferry-part`));
  const [bad, whole] = (await gets(world.server.dataDir)).slice(-2);
  assert.deepEqual([bad?.offset, bad?.sha256], [2 * MIB, wrong]);
  assert.deepEqual([whole?.offset, whole?.sha256], [0, wrong]);
  const reports = (await auditEvents(world.server.dataDir)).filter((event) =>
    event.event === "report-corrupt"
  );
  assert.deepEqual(reports.map((event) => [event.path, event.sha256]), [["x.bin", wrong]]);
}

async function statHashIsStored(s3: S3World): Promise<void> {
  const prefix = s3.newPrefix("stat-hash");
  await using world = await openWorld({ s3: s3.config(prefix) });
  await writeRandomFile(`${world.work}/x.bin`, 3 * MIB + 7);
  assert.equal((await world.ferry(["put", "x.bin", "-q"])).code, 0);
  // The same file again: skipped as identical by the stored SHA-256.
  const same = await world.ferry(["put", "x.bin", "--json"]);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(jsonResult(same.stdout).reason, "identical");
  // STAT reports the stored hash without reading the object: with a wrong one
  // stored by another tool, the file no longer counts as identical, and `put`
  // refuses (never skips a file that differs).
  const key = `${prefix}files/x.bin`;
  const meta = (await s3.raw().head(key))?.meta ?? {};
  await s3.raw().copy(key, key, {
    "x-amz-metadata-directive": "REPLACE",
    "x-amz-meta-mtime": meta.mtime ?? "0",
    "x-amz-meta-sha256": "0".repeat(64),
  });
  const refused = await world.ferry(["put", "x.bin", "-q"]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /exists/);
}

/** Kills a child with SIGKILL unless it has ended already. */
function killIfRunning(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // already gone
  }
}

async function noHalfObjects(s3: S3World): Promise<void> {
  const { world, prefix, other } = await twoInstances(s3, "whole");
  await using _world = world;
  await using _other = other;
  const sizes = new Map<string, number>();
  const hashes = new Map<string, string>();
  for (const [i, name] of ["a.bin", "b.bin", "c.bin", "d.bin"].entries()) {
    // c and d, through the ferryd that is killed, are still under way then.
    sizes.set(name, (i < 2 ? 20 : 48) * MIB + i * MIB + 101 * i);
    hashes.set(name, await writeRandomFile(`${world.work}/${name}`, sizes.get(name) as number));
  }
  // Watch the bucket the whole time: every object below files/ is whole.
  const problems: string[] = [];
  let looks = 0;
  let looksMidUpload = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const uploads = await s3.multipartUploads(prefix);
      for (const object of (await s3.raw().list(`${prefix}files/`, { maxKeys: 1000 })).objects) {
        const name = object.key.slice(`${prefix}files/`.length);
        if (object.size !== sizes.get(name)) problems.push(`${name}: ${object.size} bytes`);
      }
      looks++;
      if (uploads.length > 0) looksMidUpload++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const through = (server: string, name: string): Deno.ChildProcess =>
    spawnFerry(["put", name, "-q"], { server, cwd: world.work, password: ALICE_PASSWORD });
  const a = through(world.server.server, "a.bin");
  const b = through(world.server.server, "b.bin");
  const c = through(other.server, "c.bin");
  const d = through(other.server, "d.bin");
  try {
    await world.untilUploaded(24 * MIB);
    a.kill("SIGKILL"); // a client dies
    await other.stop("SIGKILL"); // a server dies, with c and d half sent
    killIfRunning(c); // it may already have seen its server go
    assert.equal((await b.output()).code, 0, "the upload through the live server completes");
    assert.equal((await d.output()).code, 4, "the dead server's client sees a network failure");
    await a.output();
    await c.output();
    await world.files.untilUnlocked("a.bin");
    const again = await world.ferry(["put", "a.bin", "-q"]);
    assert.equal(again.code, 0, again.stderr);
  } finally {
    watching = false;
    await watcher;
    for (const child of [a, b, c, d]) killIfRunning(child);
  }
  assert.deepEqual(problems, [], "no object ever held part of a file");
  assert.ok(looksMidUpload >= 3, `looked at mid-upload ${looksMidUpload} of ${looks} times`);
  assert.deepEqual(await world.files.tree(), ["a.bin", "b.bin"], "c and d never appeared");
  for (const name of ["a.bin", "b.bin"]) {
    assert.equal(await world.files.sha256(name), hashes.get(name), name);
  }
}

/** The core suite's cases, against S3. */
export const FERRYD_CORE_CASES: S3Case[] = [
  ...ROUND_TRIP_CASES,
  ...CONCURRENCY_CASES,
  ...HOSTILE_PATH_CASES,
  ...INTERRUPTED_UPLOAD_CASES,
].map(onS3);

/** Several ferryd instances on one bucket. */
export const FERRYD_INSTANCE_CASES: S3Case[] = [
  ["two ferryd, one bucket: one namespace, one host key, one set of users", sharedNamespace],
  ["a client killed mid-upload resumes through the other ferryd: identical", resumeThroughOther],
  ["two writers through two ferryd: one wins, the other gets busy (exit 3)", twoWriters],
  ["a resumed download reads only the rest, ending with the stored SHA-256", resumedDownload],
  ["STAT's hash is the stored SHA-256", statHashIsStored],
  ["no object holds part of a file while clients and a ferryd are killed", noHalfObjects],
];
