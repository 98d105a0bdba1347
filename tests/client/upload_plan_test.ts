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
  const plan = await planUpload(client, [t.local("photos"), "backup"], {
    ...AT_ROOT,
    recursive: true,
  });
  assert.deepEqual(
    plan.jobs.map(({ local, remote, size }) => ({ local: t.relative(local), remote, size }))
      .sort((a, b) => a.local < b.local ? -1 : 1),
    [
      { local: "photos/2024/sea.jpg", remote: "backup/2024/sea.jpg", size: 4 },
      { local: "photos/a.jpg", remote: "backup/a.jpg", size: 3 },
    ],
  );
  assert.deepEqual(plan.notes, [
    `Skipped "${t.local("photos/link.jpg")}": symbolic link (not followed)`,
  ]);
  assert.equal(plan.intoFolder.size, 0, "a folder's files go where planned");
  // Nothing uploaded yet, but every folder is there (empty ones too).
  assert.deepEqual(await world.files.tree(), ["backup", "backup/2024", "backup/2024/empty"]);
});

Deno.test("planUpload - SRC... DEST/ makes DEST with its parents; sizes are what goes on the wire", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  await Deno.writeTextFile(`${world.work}/a.txt`, "12345");
  await Deno.writeTextFile(`${world.work}/b.txt`, "12");
  const plan = await planUpload(client, [t.local("a.txt"), t.local("b.txt"), "x/y/"], {
    ...AT_ROOT,
    recursive: false,
    sentSize: (size) => size + 100,
  });
  assert.deepEqual(plan.jobs, [
    { local: t.local("a.txt"), remote: "x/y/a.txt", size: 105 },
    { local: t.local("b.txt"), remote: "x/y/b.txt", size: 102 },
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
  const options = { ...AT_ROOT, recursive: false };
  const plan = await planUpload(client, [t.local("*.txt")], options);
  assert.deepEqual(plan.jobs.map((job) => job.remote).sort(), ["one.txt", "two.txt"]);
  assert.deepEqual(plan.jobs.map((job) => t.relative(job.local)).sort(), ["one.txt", "two.txt"]);
  await assert.rejects(
    planUpload(client, [t.local("folder")], options),
    (error) => isFerryError(error, "usage") && /it is a folder \(use -r\)/.test(error.message),
  );
  await assert.rejects(
    planUpload(client, [t.local("missing.txt"), "x/"], options),
    (error) => isFerryError(error, "local_io") && /no such file or folder/.test(error.message),
  );
});

Deno.test("uploadIntoFolderOnce - put a.txt inbox with inbox a remote folder: the file goes into it", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  await Deno.writeTextFile(`${world.work}/a.txt`, "into the folder");
  // Not a name the test's current folder (the checkout) has: a local `docs`
  // would make `put a.txt docs` ambiguous, which the CLI refuses.
  await client.mkdir("inbox");
  const plan = await planUpload(client, [t.local("a.txt"), "inbox"], {
    ...AT_ROOT,
    recursive: false,
  });
  const job = plan.jobs[0];
  assert.ok(job);
  assert.equal(job.remote, "inbox", "planned as the name given");
  const outcome = await uploadIntoFolderOnce(
    plan,
    job,
    (job) => uploadFile(client, job.local, job.remote, {}),
  );
  assert.equal(job.remote, "inbox/a.txt");
  assert.ok("sha256" in outcome);
  assert.equal(await world.files.readText("inbox/a.txt"), "into the folder");
});

Deno.test("uploadIntoFolderOnce - other failures are not retried", async () => {
  await using t = await openPlanWorld();
  const { world, client } = t;
  await Deno.writeTextFile(`${world.work}/a.txt`, "x");
  const plan = await planUpload(client, [t.local("a.txt")], { ...AT_ROOT, recursive: false });
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
