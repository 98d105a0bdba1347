import assert from "node:assert/strict";
import { runServerCommand } from "./harness/ferryd_process.ts";
import { ALICE_PASSWORD, openWorld } from "./harness/fixture.ts";
import { converse, HAS_SCRIPT } from "./harness/terminal.ts";

const skipped = HAS_SCRIPT ? "" : " (skipped: no `script` command)";
const QUESTION = /\(yes\/no\/\[fingerprint\]\)\? $/;
const PASSWORD = /alice@127\.0\.0\.1's password: $/;
const AT_PROMPT = { acceptNewHostKey: false, passwordFromEnv: false };

Deno.test({
  name:
    `deno task client - a person may take longer than the handshake timeout at the prompts${skipped}`,
  ignore: !HAS_SCRIPT,
  async fn(): Promise<void> {
    await using world = await openWorld({ args: ["--handshake-timeout-seconds", "1"] });
    const run = await converse(world, ["ls"], [
      { await: QUESTION, type: "yes\n", pauseMs: 1800 },
      { await: PASSWORD, type: `${ALICE_PASSWORD}\n`, pauseMs: 1800 },
    ], { ...AT_PROMPT, viaTask: true });
    assert.equal(run.code, 0, run.screen);
    assert.match(world.server.log(), /logged in as "alice"/);
  },
});

Deno.test({
  name: `ferry login - when the login grace runs out, the client says the server gave up${skipped}`,
  ignore: !HAS_SCRIPT,
  async fn(): Promise<void> {
    await using world = await openWorld({
      args: ["--handshake-timeout-seconds", "1", "--login-grace-seconds", "2"],
    });
    const run = await converse(world, ["ls"], [
      { await: PASSWORD, type: `${ALICE_PASSWORD}\n`, pauseMs: 3000 },
    ], { passwordFromEnv: false });
    assert.equal(run.code, 2, run.screen);
    assert.match(
      run.screen,
      /ferry: Cannot log in to 127\.0\.0\.1:\d+: the server gave up waiting for the login after 2 s/,
    );
    assert.doesNotMatch(run.screen, /The server closed the connection/);
    assert.match(world.server.log(), /gave up waiting for the login after 2 s/);
  },
});

Deno.test({
  name: `ferry login - a wrong password is asked again, 3 tries as ssh, trust asked once${skipped}`,
  ignore: !HAS_SCRIPT,
  async fn(): Promise<void> {
    await using world = await openWorld();
    const again = /Permission denied, please try again\.\r?\n.*password: $/;
    const second = await converse(world, ["ls"], [
      { await: QUESTION, type: "yes\n" },
      { await: PASSWORD, type: "wrong\n" },
      { await: again, type: `${ALICE_PASSWORD}\n` },
    ], AT_PROMPT);
    assert.equal(second.code, 0, second.screen);
    assert.equal(second.screen.match(/authenticity of host/g)?.length, 1, second.screen);

    const three = await converse(world, ["ls"], [
      { await: PASSWORD, type: "wrong 1\n" },
      { await: again, type: "wrong 2\n" },
      { await: again, type: "wrong 3\n" },
    ], AT_PROMPT);
    assert.equal(three.code, 2, three.screen);
    assert.equal(three.screen.match(/password: /g)?.length, 3, three.screen);
    assert.match(three.screen, /ferry: Permission denied: wrong user name or credentials/);
  },
});

Deno.test({
  name: `ferry login - the default identity is tried first, then the password prompt${skipped}`,
  ignore: !HAS_SCRIPT,
  async fn(): Promise<void> {
    await using world = await openWorld();
    // An identity the server does not know: refused, then the password is asked.
    const keygen = await world.ferry(["keygen"]);
    assert.equal(keygen.code, 0, keygen.stderr);
    const run = await converse(world, ["ls"], [
      { await: PASSWORD, type: `${ALICE_PASSWORD}\n` },
    ], { passwordFromEnv: false });
    assert.equal(run.code, 0, run.screen);
    assert.match(world.server.log(), /Key not accepted for "alice"/);
    assert.doesNotMatch(world.server.log(), /Failed login/, "a refused key is no failed login");

    // A user the server knows by that key: no password is asked at all.
    const publicKey = keygen.stdout.trim();
    const added = await runServerCommand(world.server.dataDir, [
      "user",
      "add",
      "carol",
      "--key",
      publicKey,
    ]);
    assert.equal(added.code, 0, added.stderr);
    const keyed = await converse(world, ["ls"], [], {
      passwordFromEnv: false,
      env: { FERRY_USER: "carol" },
    });
    assert.equal(keyed.code, 0, keyed.screen);
    assert.doesNotMatch(keyed.screen, /password:/);
    assert.match(world.server.log(), /logged in as "carol"/);
  },
});
