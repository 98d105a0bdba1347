import assert from "node:assert/strict";
import { ALICE_PASSWORD, openWorld } from "./harness/fixture.ts";
import { converse, HAS_SCRIPT } from "./harness/terminal.ts";

const skipped = HAS_SCRIPT ? "" : " (skipped: no `script` command)";
const QUESTION = /\(yes\/no\/\[fingerprint\]\)\? $/;

Deno.test({
  name: `ferry trust prompt - asks in SSH's words on a terminal${skipped}`,
  ignore: !HAS_SCRIPT,
  async fn(): Promise<void> {
    await using world = await openWorld();
    const ask = { acceptNewHostKey: false };
    const refused = await converse(world, ["ls"], [{ await: QUESTION, type: "no\n" }], ask);
    assert.equal(refused.code, 2);
    assert.match(
      refused.screen,
      /The authenticity of host '\[127\.0\.0\.1\]:\d+' can't be established\./,
    );
    assert.ok(refused.screen.includes(`X25519 key fingerprint is: ${world.server.fingerprint}`));
    assert.match(
      refused.screen,
      /Are you sure you want to continue connecting \(yes\/no\/\[fingerprint\]\)\?/,
    );
    assert.doesNotMatch(
      world.server.log(),
      /logged in|Failed login/,
      "no credentials sent before trust",
    );

    const pasted = await converse(world, ["ls"], [
      { await: QUESTION, type: "maybe\n" },
      {
        await: /Please type 'yes', 'no' or the fingerprint: $/,
        type: `${world.server.fingerprint}\n`,
      },
    ], ask);
    assert.equal(pasted.code, 0, pasted.screen);
    assert.match(
      pasted.screen,
      /Permanently added '\[127\.0\.0\.1\]:\d+' \(X25519\) to the list of known hosts/,
    );

    const known = await converse(world, ["ls"], [], ask);
    assert.equal(known.code, 0);
    assert.doesNotMatch(known.screen, /authenticity/, "a known host is not asked about again");
  },
});

Deno.test({
  name: `ferry password prompt - asked after the host key, without echo${skipped}`,
  ignore: !HAS_SCRIPT,
  async fn(): Promise<void> {
    await using world = await openWorld();
    const run = await converse(world, ["ls"], [
      { await: QUESTION, type: "yes\n" },
      { await: /alice@127\.0\.0\.1's password: $/, type: `${ALICE_PASSWORD}\n` },
    ], { acceptNewHostKey: false, passwordFromEnv: false });
    assert.equal(run.code, 0, run.screen);
    assert.ok(
      run.screen.indexOf("authenticity") < run.screen.indexOf("password:"),
      "the host key question comes first",
    );
    assert.ok(!run.screen.includes(ALICE_PASSWORD), "the password is not echoed");
    assert.match(world.server.log(), /logged in as "alice"/);
  },
});
