import assert from "node:assert/strict";
import { openWorld, sha256File } from "./harness/fixture.ts";
import { converse, HAS_SCRIPT as hasScript } from "./harness/terminal.ts";

const SECRET = "zebra-quartz-91";

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
