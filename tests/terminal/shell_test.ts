/**
 * The shell at a terminal, through `deno task client` from a person's
 * folder: history, Tab completion, Ctrl-C at the prompt and during a
 * transfer (the command stops, the shell goes on), `!command` refused.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ALICE_PASSWORD, writeRandomFile } from "../harness/fixture.ts";
import { HAS_PTY, openTerminalWorld, SKIPPED } from "./_world.ts";

const PROMPT = /ferry:\/[^>\n]*> $/;
const UP = "\u001b[A";

Deno.test({
  name: `terminal - the shell: history, Tab completion, Ctrl-C, !command${SKIPPED}`,
  ignore: !HAS_PTY,
  async fn(): Promise<void> {
    await using t = await openTerminalWorld();
    await Deno.writeTextFile(`${t.world.work}/report.pdf`, "a report");
    assert.equal((await t.world.ferry(["put", "report.pdf", "-q"])).code, 0);
    const size = 256 * 1024 * 1024;
    await writeRandomFile(`${t.folder}/big.bin`, size);

    await using shell = t.client(["--accept-new-host-key"], { FERRY_PASSWORD: ALICE_PASSWORD });
    await shell.expect(/Connected\. Type "help" for the commands\./);
    await shell.expect(PROMPT);
    await shell.type("ls\r", 300);
    await shell.expect(/report\.pdf/);
    await shell.expect(PROMPT);

    // Up recalls "ls"; Enter runs it again.
    await shell.type(UP, 300);
    await shell.expect(/ferry:\/> ls/);
    await shell.type("\r");
    await shell.expect(/report\.pdf/);
    await shell.expect(PROMPT);

    // Tab completes a command, then a remote name.
    await shell.type("g", 300);
    await shell.type("\t");
    await shell.expect(/get $/);
    await shell.type("rep");
    await shell.type("\t");
    await shell.expect(/get report\.pdf $/);
    await shell.type("\r");
    await shell.expect(/Downloaded "\/report\.pdf" to "report\.pdf"/);
    await shell.expect(PROMPT);
    assert.equal(await Deno.readTextFile(`${t.folder}/report.pdf`), "a report");

    // Ctrl-C at the prompt drops the line, the shell stays.
    await shell.type("rm report.pdf", 300);
    await shell.interrupt();
    await shell.expect(/\^C/);
    await shell.expect(PROMPT);

    // Ctrl-C during a transfer stops it, not the shell.
    await shell.type("put big.bin\r", 300);
    await t.world.untilUploaded(8 * 1024 * 1024);
    await shell.interrupt();
    await shell.expect(/ferry: interrupted: run the same command again to resume/);
    await shell.expect(PROMPT);
    await shell.type("pwd\r");
    await shell.expect(/^\/\r?$/m);
    await shell.expect(PROMPT);

    // The same command again resumes.
    await shell.type(`${UP}${UP}\r`);
    await shell.expect(/Uploaded "big\.bin" to "\/big\.bin": .*; resumed at/);
    await shell.expect(PROMPT);

    await shell.type("!ls\r");
    await shell.expect(/Cannot run local commands \(!\): ferry's sandbox may not start programs/);
    await shell.expect(PROMPT);
    await shell.type("exit\r");
    assert.equal(await shell.exitCode(), 0, shell.screen);
    assert.equal((await Deno.stat(`${t.world.server.dataDir}/files/report.pdf`)).isFile, true);
  },
});
