import assert from "node:assert/strict";
import { addUser, ROOT, runServerCommand, startFerryd } from "./harness/ferryd_process.ts";
import { openWorld } from "./harness/fixture.ts";
import { auditEvents } from "./harness/audit_events.ts";
import { runTask } from "./harness/deno_task.ts";
import { waitFor } from "./harness/wait.ts";

Deno.test("ferryd - on a fresh machine it downloads nothing: the fingerprint stays the last line", async () => {
  // What `deno task serve` starts (tests/tasks_test.ts checks the launcher
  // passes exactly these flags), with an empty Deno cache, as on a new
  // machine. (`deno task` itself fetches the lockfile's packages before a
  // task starts, and clears its progress bar: ferryd must fetch nothing.)
  const folder = await Deno.makeTempDir({ prefix: "ferry-operator-" });
  try {
    const server = await startFerryd({
      dataDir: `${folder}/data`,
      env: { NO_COLOR: "1", DENO_DIR: `${folder}/deno-cache` },
    });
    assert.equal(await server.stop("SIGTERM"), 0);
    const text = server.log();
    assert.doesNotMatch(text, /Download/, text);
    const shown = text.slice(0, text.lastIndexOf("\n", text.indexOf("Received SIGTERM")) + 1);
    assert.match(shown, /Host key fingerprint SHA256:\S+\n$/, "the fingerprint is last");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("deno task serve|user|config|log --help - print the usage and exit 0", async () => {
  const folder = await Deno.makeTempDir({ prefix: "ferry-operator-" });
  try {
    for (const name of ["serve", "user", "config", "log"]) {
      const run = await runTask([name, "--help"], { cwd: folder });
      assert.equal(run.code, 0, `${name}: ${run.stderr}`);
      assert.match(run.stderr, /Usage:\n {2}server\.ts serve/, name);
    }
    await Deno.stat(`${folder}/data`).then(
      () => assert.fail("--help made a data folder"),
      () => {},
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("deno task config and log - run from the operator's folder, on its ./data", async () => {
  const folder = await Deno.makeTempDir({ prefix: "ferry-operator-" });
  try {
    await addUser(`${folder}/data`, "ann", "pw");
    const check = await runTask(["config", "check"], { cwd: folder });
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, /users\.json: OK \(1 users\)/);
    const show = await runTask(["config", "show"], { cwd: folder });
    assert.match(show.stdout, /^loginGraceSeconds\s+120\s+default/m);
    const log = await runTask(["log"], { cwd: folder });
    assert.equal(log.code, 3, "no audit log before the first start");
    assert.match(log.stderr, /No audit log yet/);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("ferryd log - -n N shows the last N lines; --follow starts at the end", async () => {
  await using world = await openWorld();
  for (let i = 0; i < 3; i++) assert.equal((await world.ferry(["ls"])).code, 0);
  const all = (await runServerCommand(world.server.dataDir, ["log", "--json"])).stdout
    .trim().split("\n");
  assert.ok(all.length >= 9, all.join("\n"));
  const last = await runServerCommand(world.server.dataDir, ["log", "--json", "-n", "2"]);
  assert.deepEqual(last.stdout.trim().split("\n"), all.slice(-2));

  const follow = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}/server.ts`,
      "log",
      "--follow",
      "--json",
      "--data",
      world.server.dataDir,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines: string[] = [];
  const reading = (async () => {
    let text = "";
    for await (const chunk of follow.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      lines.push(...text.split("\n").slice(0, -1));
      text = text.slice(text.lastIndexOf("\n") + 1);
    }
  })();
  try {
    // Make news until the follower, which opens the file at its own pace, shows some:
    // only the news is shown.
    const shown = (): boolean => lines.some((line) => line.includes('"mkdir"'));
    for (let n = 0; !shown(); n++) {
      assert.ok(n < 20, `log --follow showed no news:\n${lines.join("\n")}`);
      assert.equal((await world.ferry(["mkdir", `fresh${n}`])).code, 0);
      await waitFor(() => Promise.resolve(shown()), 1000).catch(() => {});
    }
    for (const old of all) assert.ok(!lines.includes(old), `old line shown: ${old}`);
  } finally {
    follow.kill("SIGTERM");
    await follow.status;
    await reading;
  }
});

Deno.test("ferryd user list/set - readable lines, sizes as entered, file quotas", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ferryd-test-" });
  try {
    await addUser(dataDir, "alice", "pw", ["--quota", "2M", "--quota-files", "100"]);
    await addUser(dataDir, "drop", "pw", ["--upload-only", "--home", "inbox", "--quota", "1.5G"]);
    const set = await runServerCommand(dataDir, ["user", "set", "alice", "--quota", "500K"]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(
      set.stderr.trim(),
      'Changed user "alice": read-write, home /, quota 500 KiB, 100 files, login password',
    );
    const list = await runServerCommand(dataDir, ["user", "list"]);
    assert.deepEqual(list.stdout.trimEnd().split("\n"), [
      "alice  read-write   home /       quota 500 KiB, 100 files  login password",
      "drop   upload-only  home /inbox  quota 1.5 GiB             login password",
    ]);
    const json = JSON.parse((await runServerCommand(dataDir, ["user", "list", "--json"])).stdout);
    assert.equal(json[0].quotaBytes, 500 * 1024, "--json keeps the numbers");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ferryd user unlock - ends a lock-out in the running server, no restart", async () => {
  await using world = await openWorld({
    args: ["--lockout-failures", "2", "--login-base-delay-ms", "0"],
  });
  for (let i = 0; i < 2; i++) {
    assert.equal((await world.ferry(["ls"], { password: "wrong" })).code, 2);
  }
  const locked = await world.ferry(["ls"]);
  assert.equal(locked.code, 2);
  assert.match(locked.stderr, /locked out/);

  for (const args of [["unlock", "alice"], ["unlock", "--address", "127.0.0.1"]]) {
    const run = await runServerCommand(world.server.dataDir, ["user", ...args]);
    assert.equal(run.code, 0, run.stderr);
  }
  const after = await world.ferry(["ls"]);
  assert.equal(after.code, 0, after.stderr);
  const bad = await runServerCommand(world.server.dataDir, ["user", "unlock"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^ferryd: Usage: server\.ts user unlock NAME/);
});

Deno.test("ferryd audit log - a new upload's probes and an identical skip are not errors", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.work}/a.txt`, "hello");
  await Deno.mkdir(`${world.work}/tree`);
  await Deno.writeTextFile(`${world.work}/tree/b.txt`, "tree file");
  assert.equal((await world.ferry(["put", "a.txt"])).code, 0);
  assert.equal((await world.ferry(["put", "a.txt"])).code, 0, "identical: skipped");
  assert.equal((await world.ferry(["put", "-r", "tree"])).code, 0);
  assert.equal((await world.ferry(["put", "-r", "tree"])).code, 0, "identical tree: skipped");
  const errors = (await auditEvents(world.server.dataDir)).filter((event) =>
    event.event === "error"
  );
  assert.deepEqual(errors, []);
  // The skip is a put event that says so: an auditor tells it from an upload.
  const puts = (await auditEvents(world.server.dataDir)).filter((event) =>
    event.event === "put" && event.path === "a.txt"
  );
  assert.deepEqual(puts.map((event) => [event.skipped, event.bytes]), [
    [undefined, 5],
    ["identical", 0],
  ]);
});
