/**
 * The README's Quick start typed by a person at a terminal, from a folder
 * of their own, through `deno task client`; Ctrl-C during a transfer and
 * the same command again.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ALICE_PASSWORD, sha256File, writeRandomFile } from "../harness/fixture.ts";
import { HAS_PTY, openTerminalWorld, SKIPPED } from "./_world.ts";

/** A person reads the fingerprint, finds the password and types it: longer than the handshake timeout. */
const PAUSE_MS = 2_500;

const QUESTION = /\(yes\/no\/\[fingerprint\]\)\? $/;
const PASSWORD = /alice@127\.0\.0\.1's password: $/;

Deno.test({
  name: `terminal - the Quick start, typed with pauses at each prompt${SKIPPED}`,
  ignore: !HAS_PTY,
  async fn(): Promise<void> {
    // The pauses run against a handshake timeout of 1 s: prompt time is the login grace's.
    await using t = await openTerminalWorld({ handshakeTimeoutSeconds: 1 });
    const sent = await writeRandomFile(`${t.folder}/report.pdf`, 300_000);
    {
      await using put = t.client(["put", "report.pdf"]);
      await put.expect(/key fingerprint is: SHA256:/);
      await put.expect(QUESTION);
      await put.type("yes\r", PAUSE_MS);
      await put.expect(PASSWORD);
      await put.type(`${ALICE_PASSWORD}\r`, PAUSE_MS);
      await put.expect(/Uploaded "report\.pdf" to "\/report\.pdf": 293\.0 KiB in /);
      assert.equal(await put.exitCode(), 0, put.screen);
      assert.ok(!put.screen.includes(ALICE_PASSWORD), "the password is not echoed");
    }
    assert.equal(await t.world.files.sha256("report.pdf"), sent);
    const steps: [string[], RegExp][] = [
      [["ls"], /-\s+293\.0 KiB\s+\S+ \S+\s+report\.pdf/],
      [["get", "report.pdf", "copy.pdf"], /Downloaded "\/report\.pdf" to "copy\.pdf"/],
      [["mkdir", "docs"], /^/],
      [["mv", "report.pdf", "docs/report.pdf"], /^/],
      [["stat", "docs/report.pdf"], /report\.pdf/],
      [["rm", "docs/report.pdf"], /^/],
      [["rmdir", "docs"], /^/],
      [["help"], /^get\s/im],
    ];
    for (const [args, shows] of steps) {
      await using run = t.client(args);
      await run.expect(PASSWORD);
      await run.type(`${ALICE_PASSWORD}\r`, 200);
      await run.expect(shows);
      assert.equal(await run.exitCode(), 0, `${args.join(" ")}:\n${run.screen}`);
    }
    assert.equal(
      await sha256File(`${t.folder}/copy.pdf`),
      sent,
      "the copy is in the person's folder",
    );
  },
});

Deno.test({
  name:
    `terminal - Ctrl-C during a transfer says how to resume, exits 130; the same command resumes${SKIPPED}`,
  ignore: !HAS_PTY,
  async fn(): Promise<void> {
    await using t = await openTerminalWorld();
    const size = 256 * 1024 * 1024;
    const sent = await writeRandomFile(`${t.folder}/big.bin`, size);
    const env = { FERRY_PASSWORD: ALICE_PASSWORD };
    {
      await using put = t.client(["--accept-new-host-key", "put", "big.bin"], env);
      await t.world.untilUploaded(8 * 1024 * 1024);
      await put.interrupt();
      await put.expect(/ferry: interrupted: run the same command again to resume/);
      assert.equal(await put.exitCode(), 130, put.screen);
    }
    await using again = t.client(["put", "big.bin"], env);
    const shown = await again.expect(
      /Uploaded "big\.bin" to "\/big\.bin": ([\d.]+) MiB in .*; resumed at ([\d.]+) MiB/,
    );
    assert.equal(await again.exitCode(), 0, again.screen);
    const [sentMiB, resumedMiB] = [Number(shown[1]), Number(shown[2])];
    assert.ok(resumedMiB >= 4, `resumed at ${resumedMiB} MiB`);
    assert.ok(
      Math.abs(sentMiB + resumedMiB - 256) < 0.2,
      `${sentMiB} sent + ${resumedMiB} resumed`,
    );
    assert.equal(await t.world.files.sha256("big.bin"), sent);
  },
});
