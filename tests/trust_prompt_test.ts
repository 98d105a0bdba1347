import assert from "node:assert/strict";
import { clientPermissionFlags } from "../lib/sandbox/permission_flags.ts";
import { ROOT } from "./harness/ferryd_process.ts";
import { ALICE_PASSWORD, openWorld } from "./harness/fixture.ts";
import { runToEnd } from "./harness/run_process.ts";

const hasScript = await new Deno.Command("sh", { args: ["-c", "command -v script"] }).output()
  .then((output) => output.code === 0, () => false);

/** Runs the client on a pseudo-terminal (util-linux `script`), typing `answers`. */
async function onTerminal(
  world: Awaited<ReturnType<typeof openWorld>>,
  args: string[],
  answers: string,
): Promise<{ code: number; screen: string }> {
  const home = `${world.work}/.ferry`;
  const flags = clientPermissionFlags({
    workDir: world.work,
    stateDir: home,
    server: world.server.server,
  });
  const line = [
    Deno.execPath(),
    "run",
    ...flags,
    `${ROOT}/client.ts`,
    "--server",
    world.server.server,
    ...args,
  ]
    .map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
  const run = await runToEnd(
    new Deno.Command("script", {
      args: ["-q", "-e", "-c", line, "/dev/null"],
      cwd: world.work,
      env: {
        FERRY_HOME: home,
        FERRY_USER: "alice",
        TERM: "dumb",
        FERRY_PASSWORD: ALICE_PASSWORD,
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }),
    answers,
  );
  return { code: run.code, screen: run.stdout + run.stderr };
}

Deno.test({
  name: `ferry trust prompt - asks in SSH's words on a terminal${
    hasScript ? "" : " (skipped: no `script` command)"
  }`,
  ignore: !hasScript,
  async fn(): Promise<void> {
    await using world = await openWorld();
    const refused = await onTerminal(world, ["ls"], "no\n");
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

    const pasted = await onTerminal(world, ["ls"], `maybe\n${world.server.fingerprint}\n`);
    assert.equal(pasted.code, 0, pasted.screen);
    assert.match(pasted.screen, /Please type 'yes', 'no' or the fingerprint:/);
    assert.match(
      pasted.screen,
      /Permanently added '\[127\.0\.0\.1\]:\d+' \(X25519\) to the list of known hosts/,
    );

    const known = await onTerminal(world, ["ls"], "");
    assert.equal(known.code, 0);
    assert.doesNotMatch(known.screen, /authenticity/, "a known host is not asked about again");
  },
});

/** Runs `script` around the client and answers each prompt only once it is on screen. */
async function converse(
  world: Awaited<ReturnType<typeof openWorld>>,
  steps: { await: RegExp; type: string }[],
): Promise<{ code: number; screen: string }> {
  const home = `${world.work}/.ferry`;
  const flags = clientPermissionFlags({
    workDir: world.work,
    stateDir: home,
    server: world.server.server,
  });
  const line = [
    Deno.execPath(),
    "run",
    ...flags,
    `${ROOT}/client.ts`,
    "--server",
    world.server.server,
    "ls",
  ]
    .map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
  const child = new Deno.Command("script", {
    args: ["-q", "-e", "-c", line, "/dev/null"],
    cwd: world.work,
    env: { FERRY_HOME: home, FERRY_USER: "alice", TERM: "dumb" },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  let screen = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    screen += decoder.decode(chunk, { stream: true });
    const step = steps[0];
    if (step && step.await.test(screen)) {
      steps.shift();
      await writer.write(new TextEncoder().encode(step.type));
      if (steps.length === 0) await writer.close();
    }
  }
  return { code: (await child.status).code, screen };
}

Deno.test({
  name: `ferry password prompt - asked after the host key, without echo${
    hasScript ? "" : " (skipped: no \`script\` command)"
  }`,
  ignore: !hasScript,
  async fn(): Promise<void> {
    await using world = await openWorld();
    const run = await converse(world, [
      { await: /\(yes\/no\/\[fingerprint\]\)\? $/, type: "yes\n" },
      { await: /alice@127\.0\.0\.1's password: $/, type: `${ALICE_PASSWORD}\n` },
    ]);
    assert.equal(run.code, 0, run.screen);
    assert.ok(
      run.screen.indexOf("authenticity") < run.screen.indexOf("password:"),
      "the host key question comes first",
    );
    assert.ok(!run.screen.includes(ALICE_PASSWORD), "the password is not echoed");
    assert.match(world.server.log(), /logged in as "alice"/);
  },
});
