import assert from "node:assert/strict";
import { isFerryError } from "../../lib/core/errors.ts";
import { AT_ROOT, openPlanWorld } from "./_plan_test_helpers.ts";
import type { World } from "../harness/fixture.ts";
import { uploadFile } from "../../lib/client/file_upload.ts";
import { planUpload, uploadIntoFolderOnce } from "../../lib/client/upload_plan.ts";

async function localTree(world: World): Promise<void> {
  await Deno.mkdir(`${world.work}/photos/2024/empty`, { recursive: true });
  await Deno.writeTextFile(`${world.work}/photos/a.jpg`, "aaa");
  await Deno.writeTextFile(`${world.work}/photos/2024/sea.jpg`, "sea!");
  await Deno.symlink("a.jpg", `${world.work}/photos/link.jpg`);
}

Deno.test("planUpload - put -r photos backup: the remote folders are made first, a job per file, links noted", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  await localTree(world);
  const plan = await t.inside(
    () => planUpload(client, ["photos", "backup"], { ...AT_ROOT, recursive: true }),
  );
  assert.deepEqual(
    plan.jobs.map(({ local, remote, size }) => ({ local, remote, size })).sort((a, b) =>
      a.local < b.local ? -1 : 1
    ),
    [
      { local: "photos/2024/sea.jpg", remote: "backup/2024/sea.jpg", size: 4 },
      { local: "photos/a.jpg", remote: "backup/a.jpg", size: 3 },
    ],
  );
  assert.deepEqual(plan.notes, ['Skipped "photos/link.jpg": symbolic link (not followed)']);
  assert.equal(plan.intoFolder.size, 0, "a folder's files go where planned");
  // Nothing uploaded yet, but every folder is there (empty ones too).
  assert.deepEqual(await world.files.tree(), ["backup", "backup/2024", "backup/2024/empty"]);
});

Deno.test("planUpload - SRC... DEST/ makes DEST with its parents; sizes are what goes on the wire", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  await Deno.writeTextFile(`${world.work}/a.txt`, "12345");
  await Deno.writeTextFile(`${world.work}/b.txt`, "12");
  const plan = await t.inside(() =>
    planUpload(client, ["a.txt", "b.txt", "x/y/"], {
      ...AT_ROOT,
      recursive: false,
      sentSize: (size) => size + 100,
    })
  );
  assert.deepEqual(plan.jobs, [
    { local: "a.txt", remote: "x/y/a.txt", size: 105 },
    { local: "b.txt", remote: "x/y/b.txt", size: 102 },
  ]);
  assert.deepEqual(await world.files.tree(), ["x", "x/y"]);
});

Deno.test("planUpload - local patterns expand here; a folder without -r and a missing source are refused", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  await Deno.writeTextFile(`${world.work}/one.txt`, "1");
  await Deno.writeTextFile(`${world.work}/two.txt`, "2");
  await Deno.writeTextFile(`${world.work}/three.md`, "3");
  await Deno.mkdir(`${world.work}/folder`);
  await t.inside(async () => {
    const plan = await planUpload(client, ["*.txt"], { ...AT_ROOT, recursive: false });
    assert.deepEqual(plan.jobs.map((job) => job.remote).sort(), ["one.txt", "two.txt"]);
    await assert.rejects(
      planUpload(client, ["folder"], { ...AT_ROOT, recursive: false }),
      (error) => isFerryError(error, "usage") && /it is a folder \(use -r\)/.test(error.message),
    );
    await assert.rejects(
      planUpload(client, ["missing.txt", "x/"], { ...AT_ROOT, recursive: false }),
      (error) => isFerryError(error, "local_io") && /no such file or folder/.test(error.message),
    );
  });
});

Deno.test("uploadIntoFolderOnce - put a.txt docs with docs a remote folder: the file goes into it", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  await Deno.writeTextFile(`${world.work}/a.txt`, "into the folder");
  await client.mkdir("docs");
  await t.inside(async () => {
    const plan = await planUpload(client, ["a.txt", "docs"], { ...AT_ROOT, recursive: false });
    const job = plan.jobs[0];
    assert.ok(job);
    assert.equal(job.remote, "docs", "planned as the name given");
    const outcome = await uploadIntoFolderOnce(
      plan,
      job,
      (job) => uploadFile(client, job.local, job.remote, {}),
    );
    assert.equal(job.remote, "docs/a.txt");
    assert.ok("sha256" in outcome);
  });
  assert.equal(await world.files.readText("docs/a.txt"), "into the folder");
});

Deno.test("uploadIntoFolderOnce - other failures are not retried", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  await Deno.writeTextFile(`${world.work}/a.txt`, "x");
  await t.inside(async () => {
    const plan = await planUpload(client, ["a.txt"], { ...AT_ROOT, recursive: false });
    const job = plan.jobs[0];
    assert.ok(job);
    let calls = 0;
    await assert.rejects(
      uploadIntoFolderOnce(plan, job, () => {
        calls++;
        return Promise.reject(new Error("disk on fire"));
      }),
      /disk on fire/,
    );
    assert.equal(calls, 1);
  });
});
