/**
 * `deno task` run from a folder of the user's own, as the README says:
 * relative paths, the working folder and its grant, and ferryd's `./data`
 * are where the user is, not in the checkout (issue 14, item 2).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ALICE_PASSWORD, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { runTask } from "./harness/deno_task.ts";
import { ROOT } from "./harness/ferryd_process.ts";

Deno.test("deno task client - from the user's own folder: relative paths resolve there, files land there", async () => {
  await using world = await openWorld();
  const home = await Deno.makeTempDir({ prefix: "ferry-home-" });
  const work = await Deno.makeTempDir({ prefix: "ferry-elsewhere-" });
  try {
    const env = {
      FERRY_SERVER: world.server.server,
      FERRY_USER: "alice",
      FERRY_PASSWORD: ALICE_PASSWORD,
      FERRY_HOME: home,
    };
    const sent = await writeRandomFile(`${work}/report.pdf`, 100_000);
    const put = await runTask(["client", "--accept-new-host-key", "put", "report.pdf"], {
      cwd: work,
      env,
    });
    assert.equal(put.code, 0, put.stderr);
    assert.equal(await world.files.sha256("report.pdf"), sent);

    await Deno.mkdir(`${work}/sub`);
    const get = await runTask(["client", "get", "report.pdf", "sub/copy.pdf"], { cwd: work, env });
    assert.equal(get.code, 0, get.stderr);
    assert.equal(await sha256File(`${work}/sub/copy.pdf`), sent);
    await assert.rejects(Deno.stat(`${ROOT}/sub/copy.pdf`));
    await assert.rejects(Deno.stat(`${ROOT}/copy.pdf`));

    // --work . is the user's folder too, and the grant follows it.
    const dot = await runTask(["client", "--work", ".", "get", "report.pdf", "again.pdf"], {
      cwd: work,
      env,
    });
    assert.equal(dot.code, 0, dot.stderr);
    assert.equal(await sha256File(`${work}/again.pdf`), sent);
    const outside = await runTask(["client", "put", "/etc/hostname"], { cwd: work, env });
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, new RegExp(`working folder "${work}"`));
  } finally {
    await Deno.remove(work, { recursive: true });
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("deno task serve and user - a relative --data is in the user's folder", async () => {
  const folder = await Deno.makeTempDir({ prefix: "ferry-serve-elsewhere-" });
  try {
    const run = await runTask(["user", "add", "bob", "--password-stdin"], {
      cwd: folder,
      stdin: "a password for bob\n",
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok((await Deno.stat(`${folder}/data/state/users.json`)).isFile);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
