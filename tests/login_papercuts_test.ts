import assert from "node:assert/strict";
import { runServerCommand, startFerryd } from "./harness/ferryd_process.ts";
import { openWorld } from "./harness/fixture.ts";

/** Makes `NAME`'s identity in the client's state folder and adds key-only user `bob` with it. */
async function keyUser(world: Awaited<ReturnType<typeof openWorld>>, file?: string): Promise<void> {
  const keygen = await world.ferry(file === undefined ? ["keygen"] : ["keygen", file]);
  assert.equal(keygen.code, 0, keygen.stderr);
  const added = await runServerCommand(world.server.dataDir, [
    "user",
    "add",
    "bob",
    "--key",
    keygen.stdout.trim(),
  ]);
  assert.equal(added.code, 0, added.stderr);
}

Deno.test("ferry key login - --identity wins over an exported FERRY_PASSWORD", async () => {
  await using world = await openWorld();
  await keyUser(world, "id_bob");
  const run = await world.ferry(["ls", "--identity", "id_bob"], {
    user: "bob",
    password: "left over from another login",
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(world.server.log(), /logged in as "bob"/);
  const both = await world.ferry(["ls", "--identity", "id_bob", "--password-stdin"], {
    user: "bob",
    stdin: "x\n",
  });
  assert.equal(both.code, 1);
  assert.equal(
    both.stderr.trim(),
    "ferry: Cannot use --identity and --password-stdin together: pick one",
  );
});

Deno.test("ferry key login - the default identity ($FERRY_HOME/id_x25519) is used when present", async () => {
  await using world = await openWorld();
  await keyUser(world);
  const run = await world.ferry(["ls"], { user: "bob", password: undefined });
  assert.equal(run.code, 0, run.stderr);
  // A password given wins over the default identity (bob has none: refused).
  const withPassword = await world.ferry(["ls"], { user: "bob", password: "nope" });
  assert.equal(withPassword.code, 2);
});

Deno.test("ferry - -s USER@HOST:PORT names the user, as ssh; bad forms are one-line errors", async () => {
  await using world = await openWorld();
  const run = await world.ferry(["ls", "-s", `alice@${world.server.server}`], { user: "nobody" });
  assert.equal(run.code, 0, run.stderr);
  assert.match(world.server.log(), /logged in as "alice"/);
  const clash = await world.ferry(["ls", "-s", `alice@${world.server.server}`, "--user", "bob"]);
  assert.equal(clash.code, 1);
  assert.equal(
    clash.stderr.trim(),
    `ferry: Cannot log in as both "bob" (--user) and "alice" (--server alice@${world.server.server}): pick one`,
  );
  for (const bad of ["a@b@127.0.0.1:1", "@127.0.0.1:1", "alice@", "alice@host:99999"]) {
    const run = await world.ferry(["ls", "-s", bad]);
    assert.equal(run.code, 1, bad);
    assert.equal(
      run.stderr.trim(),
      `ferry: Cannot use server "${bad}": expected [USER@]HOST[:PORT]`,
      bad,
    );
  }
});

Deno.test("ferry - a changed host key says 'you have requested strict checking' only with --strict-host-key", async () => {
  await using world = await openWorld();
  assert.equal((await world.ferry(["ls"])).code, 0, "first contact records the key");
  await world.server.stop("SIGKILL");
  await using _impostor = await startFerryd({ port: world.server.port });
  const asked = await world.ferry(["ls"]);
  assert.equal(asked.code, 2);
  assert.match(asked.stderr, /Host key for \[127\.0\.0\.1\]:\d+ has changed\.\n/);
  assert.doesNotMatch(asked.stderr, /you have requested strict checking/);
  const strict = await world.ferry(["ls", "--strict-host-key"], { acceptNewHostKey: false });
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /has changed and you have requested strict checking/);
});
