import assert from "node:assert/strict";
import { isFerryError } from "../../lib/core/errors.ts";
import { listTree } from "../harness/fixture.ts";
import { AT_ROOT, openPlanWorld } from "./_plan_test_helpers.ts";
import { planDownload, restoreFolderTimes } from "../../lib/client/download_plan.ts";

Deno.test("planDownload - get -r photos out/p: the local folders are made first, a job per file", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  for (const dir of ["photos", "photos/2024", "photos/empty"]) await client.mkdir(dir);
  await world.files.writeText("photos/a.jpg", "aaa");
  await world.files.writeText("photos/2024/sea.jpg", "sea!");
  const plan = await planDownload(client, ["photos", t.local("out/p")], {
    ...AT_ROOT,
    recursive: true,
  });
  assert.deepEqual(
    plan.jobs.map(({ local, remote, size, encrypted }) => ({
      local: t.relative(local),
      remote,
      size,
      encrypted,
    })).sort((a, b) => a.local < b.local ? -1 : 1),
    [
      { local: "out/p/2024/sea.jpg", remote: "photos/2024/sea.jpg", size: 4, encrypted: false },
      { local: "out/p/a.jpg", remote: "photos/a.jpg", size: 3, encrypted: false },
    ],
  );
  assert.equal(plan.encrypted, false);
  assert.deepEqual(plan.folders.map((folder) => t.relative(folder.path)).sort(), [
    "out/p",
    "out/p/2024",
    "out/p/empty",
  ]);
  assert.ok(plan.folders.every((folder) => folder.mtime > 0), "the server's times");
  // Nothing downloaded yet, but every folder is there (empty ones too).
  assert.deepEqual(await listTree(world.work), ["out", "out/p", "out/p/2024", "out/p/empty"]);
});

Deno.test("planDownload - a remote pattern uses the listing; a file goes into an existing local folder", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  for (const name of ["a.txt", "b.txt", "c.md"]) await world.files.writeText(name, name);
  await Deno.mkdir(`${world.work}/here`);
  const options = { ...AT_ROOT, recursive: false };
  const matched = await planDownload(client, ["*.txt", t.local("notes/")], options);
  assert.deepEqual(matched.jobs.map((job) => [job.remote, t.relative(job.local)]).sort(), [
    ["a.txt", "notes/a.txt"],
    ["b.txt", "notes/b.txt"],
  ]);
  assert.deepEqual(matched.folders, [], "no tree walked");
  assert.ok((await Deno.stat(t.local("notes"))).isDirectory, "DEST/ is made");
  const into = await planDownload(client, ["c.md", t.local("here")], options);
  assert.deepEqual(into.jobs.map((job) => t.relative(job.local)), ["here/c.md"]);
  const renamed = await planDownload(client, ["c.md", t.local("d.md")], options);
  assert.deepEqual(renamed.jobs.map((job) => t.relative(job.local)), ["d.md"]);
});

Deno.test("planDownload - a folder without -r and a missing source are refused", async () => {
  await using t = await openPlanWorld();
  await t.client.mkdir("docs");
  await t.world.files.writeText("docs/x.txt", "x");
  await assert.rejects(
    planDownload(t.client, ["docs", t.local(".")], { ...AT_ROOT, recursive: false }),
    (error) => isFerryError(error, "usage") && /it is a folder \(use -r\)/.test(error.message),
  );
  await assert.rejects(
    planDownload(t.client, ["nothing.txt", t.local(".")], { ...AT_ROOT, recursive: false }),
    (error) => isFerryError(error, "not_found"),
  );
});

Deno.test("restoreFolderTimes - the folders get the server's times, also after files were written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ferry-plan-" });
  try {
    await Deno.mkdir(`${dir}/a/b`, { recursive: true });
    const old = Date.UTC(2020, 0, 2, 3, 4, 5);
    const older = Date.UTC(2019, 0, 2, 3, 4, 5);
    await restoreFolderTimes([
      { path: `${dir}/a`, mtime: older },
      { path: `${dir}/a/b`, mtime: old },
      { path: `${dir}/missing`, mtime: old }, // cannot be set: skipped
      { path: dir, mtime: 0 }, // unknown: left alone
    ]);
    assert.equal((await Deno.stat(`${dir}/a`)).mtime?.getTime(), older);
    assert.equal((await Deno.stat(`${dir}/a/b`)).mtime?.getTime(), old);
    assert.notEqual((await Deno.stat(dir)).mtime?.getTime(), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
