/**
 * The jail: hostile paths are refused and nothing outside the files
 * changes. Run by `tests/hostile_paths_test.ts` (local) and `tests/s3/`
 * (S3, where the state objects share the bucket with the files).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { FerryClient } from "../../lib/client/ferry_client.ts";
import { FerryError } from "../../lib/core/errors.ts";
import { listTree, type World } from "../harness/fixture.ts";
import type { WorldCase } from "../harness/world_case.ts";

const REFUSED = new Set(["invalid_path", "not_found", "denied"]);

/** Paths a hostile client might send, hostile on any back end. */
const HOSTILE = [
  "../secret.txt",
  "../../../../etc/passwd",
  "a/../../secret.txt",
  "..",
  "/etc/passwd",
  "//etc/passwd",
  "C:\\Windows\\win.ini",
  "..\\secret.txt",
  "a\u0000b",
  "evil\u001b[2J",
  "line\nbreak",
  "../state/host_key",
  "../state/users.json",
  "x".repeat(300),
];

/** Paths through the links planted in a local `DATA/files` (no links in S3). */
const THROUGH_LINKS = [
  "out/secret.txt",
  "out",
  "outfile",
  "statelink/host_key",
  "statelink/users.json",
];

async function refused(what: string, action: () => Promise<unknown>): Promise<void> {
  await assert.rejects(action, (error: unknown) => {
    assert.ok(error instanceof FerryError, `${what}: ${String(error)}`);
    assert.ok(REFUSED.has(error.code), `${what}: unexpected code ${error.code}: ${error.message}`);
    return true;
  }, what);
}

async function snapshot(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const path of await listTree(dir)) {
    const info = await Deno.lstat(`${dir}/${path}`);
    parts.push(`${path}:${info.size}:${info.mtime?.getTime()}`);
  }
  return parts.join("\n");
}

async function hostilePaths(world: World): Promise<void> {
  const dataDir = world.server.dataDir;
  const outside = await Deno.makeTempDir({ prefix: "ferry-outside-" });
  await Deno.writeTextFile(`${outside}/secret.txt`, "outside secret");
  await Deno.writeTextFile(`${dataDir}/secret.txt`, "data-dir secret");
  const hostile = [...HOSTILE];
  if (world.files.kind === "local") {
    const files = `${dataDir}/files`;
    await Deno.symlink(outside, `${files}/out`);
    await Deno.symlink(`${outside}/secret.txt`, `${files}/outfile`);
    await Deno.symlink(`${dataDir}/state`, `${files}/statelink`);
    hostile.push(...THROUGH_LINKS);
  }
  await world.files.writeText("good.txt", "inside");
  const before = { outside: await snapshot(outside), state: await world.files.snapshotState() };

  const client: FerryClient = await world.connect();
  try {
    const body = new TextEncoder().encode("payload");
    for (const path of hostile) {
      const label = JSON.stringify(path);
      await refused(`get ${label}`, () => client.download(path, async () => {}));
      await refused(
        `put ${label}`,
        () =>
          client.upload(ReadableStream.from([body]), path, { size: body.byteLength, force: true }),
      );
      await refused(`rm ${label}`, () => client.remove(path));
      await refused(`mv from ${label}`, () => client.rename(path, "moved.txt", true));
      await refused(`mv to ${label}`, () => client.rename("good.txt", path, true));
      await refused(`stat ${label}`, () => client.stat(path));
    }
    await refused("mkdir ../escape", () => client.mkdir("../escape"));
    await refused("rmdir statelink", () => client.rmdir("statelink/..", true));
    // The listing does not lead out either: links that escape are not shown.
    const names = (await client.list("")).map((entry) => entry.name);
    assert.deepEqual(names, ["good.txt"]);
  } finally {
    await client.close();
  }

  assert.equal(await snapshot(outside), before.outside, "nothing outside data/files changed");
  assert.equal(await world.files.snapshotState(), before.state, "the server state did not change");
  assert.equal(await world.files.readText("good.txt"), "inside");
  assert.equal(await Deno.readTextFile(`${dataDir}/secret.txt`), "data-dir secret");
  await Deno.remove(outside, { recursive: true });
}

async function hostileCli(world: World): Promise<void> {
  const run = await world.ferry(["get", "../../etc/passwd", "p.txt"]);
  assert.equal(run.code, 3);
  assert.match(run.stderr, /\.\./);
  assert.deepEqual((await listTree(world.work)).filter((p) => !p.startsWith(".ferry")), []);
}

/** The jail cases. */
export const HOSTILE_PATH_CASES: readonly WorldCase[] = [
  {
    name:
      "ferryd jail - hostile paths are refused for get, put, rm and mv; nothing outside changes",
    run: hostilePaths,
  },
  {
    name: "ferry CLI - a hostile remote path is a clear error with exit code 3",
    run: hostileCli,
  },
];
