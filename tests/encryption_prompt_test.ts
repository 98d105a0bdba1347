import assert from "node:assert/strict";
import { clientPermissionFlags } from "../lib/sandbox/permission_flags.ts";
import { ROOT } from "./harness/ferryd_process.ts";
import { ALICE_PASSWORD, openWorld, sha256File, type World } from "./harness/fixture.ts";

const hasScript = await new Deno.Command("sh", { args: ["-c", "command -v script"] }).output()
  .then((output) => output.code === 0, () => false);

const SECRET = "zebra-quartz-91";

/** Runs the client on a pseudo-terminal (util-linux `script`), answering each prompt once shown. */
async function converse(
  world: World,
  args: string[],
  steps: { await: RegExp; type: string }[],
): Promise<{ code: number; screen: string }> {
  const home = `${world.work}/.ferry`;
  const flags = clientPermissionFlags({
    workDir: world.work,
    stateDir: home,
    server: world.server.server,
  });
  const line = [Deno.execPath(), "run", ...flags, `${ROOT}/client.ts`, "--server"]
    .concat([world.server.server, "--accept-new-host-key", ...args])
    .map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
  const child = new Deno.Command("script", {
    args: ["-q", "-e", "-c", line, "/dev/null"],
    cwd: world.work,
    env: { FERRY_HOME: home, FERRY_USER: "alice", FERRY_PASSWORD: ALICE_PASSWORD, TERM: "dumb" },
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
      screen += "\u2063"; // marks the answer, so the next prompt must come after it
      await writer.write(new TextEncoder().encode(step.type));
    }
  }
  await writer.close().catch(() => {});
  return { code: (await child.status).code, screen };
}

Deno.test({
  name: `ferry put --encrypt - asks for the passphrase twice without echo, get once${
    hasScript ? "" : " (skipped: no `script` command)"
  }`,
  ignore: !hasScript,
  async fn(): Promise<void> {
    await using world = await openWorld();
    await Deno.writeTextFile(`${world.work}/note.txt`, "meet at noon\n".repeat(100));
    const prompt = /Passphrase for encrypted files: $/;
    const again = /\u2063[^\u2063]*Same passphrase again: $/;
    const differ = await converse(world, ["put", "--encrypt", "note.txt"], [
      { await: prompt, type: `${SECRET}\n` },
      { await: again, type: "something else\n" },
    ]);
    assert.equal(differ.code, 1, differ.screen);
    assert.match(differ.screen, /Cannot encrypt: the two passphrases differ/);

    const put = await converse(world, ["put", "--encrypt", "note.txt"], [
      { await: prompt, type: `${SECRET}\n` },
      { await: again, type: `${SECRET}\n` },
    ]);
    assert.equal(put.code, 0, put.screen);
    assert.ok(!put.screen.includes(SECRET), "the passphrase is not echoed");

    const get = await converse(world, ["get", "note.txt", "back.txt"], [
      { await: prompt, type: `${SECRET}\n` },
    ]);
    assert.equal(get.code, 0, get.screen);
    assert.doesNotMatch(get.screen, /again/, "asked once to decrypt");
    assert.equal(
      await sha256File(`${world.work}/back.txt`),
      await sha256File(`${world.work}/note.txt`),
    );
  },
});
