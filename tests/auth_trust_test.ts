import assert from "node:assert/strict";
import { runServerCommand, startFerryd } from "./harness/ferryd_process.ts";
import { listTree, openWorld } from "./harness/fixture.ts";

Deno.test("ferry - wrong password and unknown user both exit 2, look alike, and transfer nothing", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.work}/a.txt`, "secret stuff");
  const wrong = await world.ferry(["put", "a.txt"], { password: "nope" });
  const unknown = await world.ferry(["put", "a.txt"], { user: "mallory", password: "nope" });
  assert.equal(wrong.code, 2);
  assert.equal(unknown.code, 2);
  const message = (run: { stderr: string }) =>
    run.stderr.split("\n").filter((l) => l.startsWith("ferry:"));
  assert.deepEqual(message(wrong), message(unknown));
  assert.deepEqual(await listTree(`${world.server.dataDir}/files`), []);
  assert.match(world.server.log(), /Failed login for "alice" from 127\.0\.0\.1/);
});

Deno.test("ferryd - a password hash it cannot check: its log says why, the client gets one plain line", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ferryd-test-" });
  try {
    const added = await runServerCommand(
      dataDir,
      ["user", "add", "carol", "--password-stdin"],
      "carol's password\n",
    );
    assert.equal(added.code, 0, added.stderr);
    // A users file edited by hand: a scrypt cost node refuses to run.
    const path = `${dataDir}/state/users.json`;
    const users = JSON.parse(await Deno.readTextFile(path));
    users.users.carol.password.n = 3;
    await Deno.writeTextFile(path, JSON.stringify(users));
    await using world = await openWorld({ dataDir });
    const run = await world.ferry(["ls"], { user: "carol", password: "carol's password" });
    assert.equal(run.code, 3, run.stderr); // the server's failure, not the user's
    assert.deepEqual(run.stderr.split("\n").filter((line) => line.startsWith("ferry:")), [
      "ferry: Cannot log in: the server failed to check the credentials (its log says why)",
    ]);
    assert.match(
      world.server.log(),
      /error Cannot log in "carol" from 127\.0\.0\.1: Cannot check the password: .*Invalid scrypt params/,
    );
    assert.equal((await world.ferry(["ls"])).code, 0, "other users still log in");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ferry - a changed host key is refused with exit 2 before the password is sent", async () => {
  await using world = await openWorld();
  assert.equal((await world.ferry(["ls"])).code, 0, "first contact records the key");
  const knownHosts = await Deno.readTextFile(`${world.work}/.ferry/known_hosts`);
  assert.match(knownHosts, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${world.server.port} ferry-x25519 `));

  // Same address, a different server identity: a fresh data folder means a new host key.
  await world.server.stop("SIGKILL");
  await using impostor = await startFerryd({ port: world.server.port });
  assert.notEqual(impostor.fingerprint, world.server.fingerprint);
  await Deno.writeTextFile(`${world.work}/a.txt`, "x");
  const run = await world.ferry(["put", "a.txt"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
  assert.match(run.stderr, /known_hosts:1/);
  assert.match(run.stderr, new RegExp(impostor.fingerprint.replace(/[+/]/g, "\\$&")));
  assert.doesNotMatch(
    impostor.log(),
    /Failed login|logged in/,
    "no credentials reached the impostor",
  );
  assert.deepEqual(await listTree(`${impostor.dataDir}/files`), []);
});

Deno.test("ferry - an unknown host without a terminal or --accept-new-host-key is refused", async () => {
  await using world = await openWorld();
  const run = await world.ferry(["ls"], { acceptNewHostKey: false });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--accept-new-host-key/);
  assert.match(run.stderr, /Host key verification failed/);
  const strict = await world.ferry(["ls", "--strict-host-key"], { acceptNewHostKey: false });
  assert.equal(strict.code, 2);
});

Deno.test("ferry - an identity key logs in without a password; a wrong key does not", async () => {
  await using world = await openWorld();
  const keygen = await world.ferry(["keygen", "id_bob"]);
  assert.equal(keygen.code, 0, keygen.stderr);
  const publicKey = keygen.stdout.trim();
  const added = await runServerCommand(world.server.dataDir, [
    "user",
    "add",
    "bob",
    "--key",
    publicKey,
  ]);
  assert.equal(added.code, 0, added.stderr);
  const ok = await world.ferry(["ls", "--identity", "id_bob"], {
    user: "bob",
    password: undefined,
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((await world.ferry(["keygen", "id_eve"])).code, 0);
  const eve = await world.ferry(["ls", "--identity", "id_eve"], {
    user: "bob",
    password: undefined,
  });
  assert.equal(eve.code, 2);
});

Deno.test("ferryd - a read-only user may list and download but not change anything", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.work}/a.txt`, "shared");
  assert.equal((await world.ferry(["put", "a.txt"])).code, 0);
  const added = await runServerCommand(
    world.server.dataDir,
    ["user", "add", "reader", "--read-only", "--password-stdin"],
    "pw-reader\n",
  );
  assert.equal(added.code, 0, added.stderr);
  const as = { user: "reader", password: "pw-reader" };
  assert.equal((await world.ferry(["get", "a.txt", "copy.txt"], as)).code, 0);
  for (
    const args of [["put", "copy.txt", "b.txt"], ["rm", "a.txt"], ["mkdir", "d"], [
      "mv",
      "a.txt",
      "c.txt",
    ]]
  ) {
    const run = await world.ferry(args, as);
    assert.equal(run.code, 3, `${args[0]} must be denied`);
    assert.match(run.stderr, /user "reader" lacks the "(write|delete|mkdir)" permission/);
  }
  assert.deepEqual(await listTree(`${world.server.dataDir}/files`), ["a.txt"]);
});

Deno.test("server.ts user - add, list, passwd, del manage the users file", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    assert.equal(
      (await runServerCommand(dataDir, ["user", "add", "carol", "--password-stdin"], "pw1\n")).code,
      0,
    );
    const again = await runServerCommand(
      dataDir,
      ["user", "add", "carol", "--password-stdin"],
      "pw1\n",
    );
    assert.equal(again.code, 3);
    const bad = await runServerCommand(
      dataDir,
      ["user", "add", "../x", "--password-stdin"],
      "pw\n",
    );
    assert.equal(bad.code, 1);
    const list = await runServerCommand(dataDir, ["user", "list", "--json"]);
    const [carol] = JSON.parse(list.stdout);
    assert.equal(carol.name, "carol");
    assert.equal(carol.preset, "read-write");
    assert.equal(carol.password, true);
    assert.equal(
      (await runServerCommand(dataDir, ["user", "passwd", "carol", "--password-stdin"], "pw2\n"))
        .code,
      0,
    );
    const users = await Deno.readTextFile(`${dataDir}/state/users.json`);
    assert.doesNotMatch(users, /pw2/);
    assert.equal((await Deno.stat(`${dataDir}/state/users.json`)).mode! & 0o777, 0o600);
    assert.equal((await runServerCommand(dataDir, ["user", "del", "carol"])).code, 0);
    assert.equal((await runServerCommand(dataDir, ["user", "del", "carol"])).code, 3);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ferryd - the host key is made once, mode 0600, and kept across restarts", async () => {
  await using world = await openWorld();
  const path = `${world.server.dataDir}/state/host_key`;
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  const first = world.server.fingerprint;
  await world.server.stop();
  await using again = await startFerryd({ dataDir: world.server.dataDir });
  assert.equal(again.fingerprint, first);
});
