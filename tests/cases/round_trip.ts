/**
 * Round trips through a real ferryd: put/get, tree operations, overwrite,
 * stdout and empty files. Run by `tests/round_trip_test.ts` (local) and
 * `tests/s3/` (S3).
 *
 * @module
 */

import assert from "node:assert/strict";
import { listTree, sha256File, type World, writeRandomFile } from "../harness/fixture.ts";
import type { WorldCase } from "../harness/world_case.ts";
import { jsonResult, jsonResults } from "../harness/json_output.ts";

async function bigRoundTrip(world: World): Promise<void> {
  const sent = await writeRandomFile(`${world.work}/big.bin`, 64 * 1024 * 1024);

  const put = await world.ferry(["put", "big.bin", "--json"]);
  assert.equal(put.code, 0, put.stderr);
  assert.equal(jsonResult(put.stdout).sha256, sent);
  assert.equal(await world.files.sha256("big.bin"), sent);

  const get = await world.ferry(["get", "big.bin", "back.bin", "--json"]);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(await sha256File(`${world.work}/back.bin`), sent);
  assert.deepEqual((await listTree(world.work)).filter((p) => p.endsWith(".ferry-part")), []);
}

async function organise(world: World): Promise<void> {
  await Deno.writeTextFile(`${world.work}/a.txt`, "hello ferry\n");
  assert.equal((await world.ferry(["put", "a.txt"])).code, 0);
  assert.equal((await world.ferry(["mkdir", "docs"])).code, 0);
  assert.equal((await world.ferry(["mv", "a.txt", "docs/b.txt"])).code, 0);

  const ls = await world.ferry(["ls", "--json"]);
  assert.deepEqual(
    jsonResults(ls.stdout).map((e) => [e.name, e.kind]),
    [
      ["docs", "dir"],
    ],
  );
  const stat = await world.ferry(["stat", "docs/b.txt", "--json"]);
  assert.equal(jsonResult(stat.stdout).size, 12);

  const human = await world.ferry(["ls", "docs"]);
  assert.match(human.stdout, /b\.txt/);

  const rmdirFull = await world.ferry(["rmdir", "docs"]);
  assert.equal(rmdirFull.code, 3, "a non-empty folder is refused");
  assert.match(rmdirFull.stderr, /not empty/i);

  assert.equal((await world.ferry(["rm", "docs/b.txt"])).code, 0);
  assert.equal((await world.ferry(["rmdir", "docs"])).code, 0);
  assert.deepEqual(await world.files.tree(), []);

  const missing = await world.ferry(["rm", "nope.txt"]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /nope\.txt/);
}

async function overwrite(world: World): Promise<void> {
  await Deno.writeTextFile(`${world.work}/a.txt`, "one");
  assert.equal((await world.ferry(["put", "a.txt"])).code, 0);
  await Deno.writeTextFile(`${world.work}/a.txt`, "two");
  const refused = await world.ferry(["put", "a.txt"]);
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /a\.txt/);
  assert.equal(await world.files.readText("a.txt"), "one");
  assert.equal((await world.ferry(["put", "--force", "a.txt"])).code, 0);
  assert.equal(await world.files.readText("a.txt"), "two");

  await Deno.writeTextFile(`${world.work}/a.txt`, "three");
  const localExists = await world.ferry(["get", "a.txt"]);
  assert.equal(localExists.code, 3, "get does not overwrite a local file either");
  assert.match(localExists.stderr, /--force/);
  assert.equal(await Deno.readTextFile(`${world.work}/a.txt`), "three");
  assert.equal((await world.ferry(["get", "--force", "a.txt"])).code, 0);
  assert.equal(await Deno.readTextFile(`${world.work}/a.txt`), "two");
  const same = await world.ferry(["get", "a.txt"]);
  assert.equal(same.code, 0, "an identical file is skipped, not refused");
  assert.match(same.stderr, /identical/);
}

async function stdoutAndEmpty(world: World): Promise<void> {
  await Deno.writeTextFile(`${world.work}/empty.txt`, "");
  await Deno.writeTextFile(`${world.work}/t.txt`, "streamed\n");
  assert.equal((await world.ferry(["put", "empty.txt"])).code, 0);
  assert.equal((await world.ferry(["put", "t.txt"])).code, 0);
  const out = await world.ferry(["get", "t.txt", "-"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "streamed\n");
  assert.equal((await world.ferry(["get", "empty.txt", "e2.txt"])).code, 0);
  assert.equal(await Deno.readTextFile(`${world.work}/e2.txt`), "");
}

/** The round-trip cases. */
export const ROUND_TRIP_CASES: readonly WorldCase[] = [
  {
    name: "ferry put/get - a 64 MiB random file round-trips with the same SHA-256",
    run: bigRoundTrip,
  },
  { name: "ferry ls/mkdir/mv/stat/rm/rmdir - organise files on the server", run: organise },
  {
    name: "ferry put - an existing file is refused without --force and replaced with it",
    run: overwrite,
  },
  { name: "ferry get - to stdout with '-', and an empty file", run: stdoutAndEmpty },
];
