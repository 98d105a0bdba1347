/**
 * Faults of real processes: ferryd killed with `kill -9` during many
 * uploads, and a client stopped (`SIGSTOP`) mid-upload for longer than the
 * server's idle timeout. The kill of ferryd during one upload is in
 * `tests/resume_test.ts`; a killed client in `tests/cases/interrupted_upload.ts`.
 */

import assert from "node:assert/strict";
import { auditEvents } from "./harness/audit_events.ts";
import { startFerryd } from "./harness/ferryd_process.ts";
import { openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { openRawSession } from "./harness/raw_session.ts";
import { MessageType } from "../lib/protocol/message_type.ts";
import { waitFor } from "./harness/wait.ts";
import { PartialFiles } from "../lib/storage/partial_files.ts";
import { jsonResult, jsonResults } from "./harness/json_output.ts";

const MiB = 1024 * 1024;

/** One file of `put --json`. */
interface PutLine {
  status: string;
  reason?: string;
  path: string;
  offset: number;
  sha256: string;
}

Deno.test("ferryd killed (-9) during 16 uploads of one put: nothing partial is visible, and the same put resumes and verifies them all", async () => {
  await using world = await openWorld();
  const size = 8 * MiB;
  const sent = new Map<string, string>();
  for (let i = 1; i <= 16; i++) {
    sent.set(`a${i}.bin`, await writeRandomFile(`${world.work}/a${i}.bin`, size));
  }
  const names = [...sent.keys()];
  const child = world.spawn(["put", ...names, "-q"]);
  await world.untilUploaded(0.4 * 16 * size);
  await world.server.stop("SIGKILL");
  const failed = await child.output();
  assert.equal(failed.code, 4, new TextDecoder().decode(failed.stderr));

  // Only whole, verified files may be visible (one may have finished before the kill).
  const visible = await world.files.tree();
  for (const name of visible) assert.equal(await world.files.sha256(name), sent.get(name), name);

  // What each upload had stored: an upload that got no byte before the kill starts at 0.
  const partials = new PartialFiles(`${world.server.dataDir}/state/partial`);
  const kept = new Map<string, number>();
  for (const name of names) {
    const info = await Deno.stat(partials.locate(name).data).catch(() => undefined);
    kept.set(name, info?.size ?? 0);
  }

  await using again = await startFerryd({ dataDir: world.server.dataDir, port: world.server.port });
  const before = (await auditEvents(again.dataDir)).length;
  const resumed = await world.ferry(["put", ...names, "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const lines = jsonResults(resumed.stdout) as unknown as PutLine[];
  const uploaded = lines.filter((line) => !visible.includes(line.path));
  assert.equal(uploaded.length, 16 - visible.length);
  for (const line of lines.filter((line) => visible.includes(line.path))) {
    assert.deepEqual([line.status, line.reason], ["skipped", "identical"], line.path);
  }
  for (const line of uploaded) {
    assert.equal(line.offset, kept.get(line.path), `${line.path} resumed from what it had stored`);
  }
  assert.ok(uploaded.some((line) => line.offset > 0), "the put resumed");
  const events = (await auditEvents(again.dataDir)).slice(before).filter((e) => e.event === "put");
  // A file committed before the kill is not sent again: its put is an identical skip.
  const skips = events.filter((e) => e.skipped === "identical");
  assert.deepEqual(
    skips.map((e) => `${e.path}: ${e.bytes} bytes`).toSorted(),
    visible.map((name) => `${name}: 0 bytes`).toSorted(),
  );
  const puts = events.filter((e) => e.skipped === undefined);
  assert.equal(puts.length, uploaded.length);
  for (const put of puts) {
    assert.equal(put.bytes, size - (put.offset as number), `${put.path}: only the rest was sent`);
  }
  assert.deepEqual(await world.files.tree(), names.toSorted(), "all 16, nothing else");
  for (const [name, sha256] of sent) assert.equal(await world.files.sha256(name), sha256, name);
});

Deno.test("a client stopped (SIGSTOP) mid-upload past the idle timeout: the server frees the path, the client fails cleanly on SIGCONT, and the put resumes", async () => {
  await using world = await openWorld({ args: ["--idle-timeout-seconds", "2"] });
  const size = 64 * MiB;
  const sent = await writeRandomFile(`${world.work}/big.bin`, size);
  const child = world.spawn(["put", "big.bin", "-q"]);
  await world.untilUploaded(4 * MiB);
  child.kill("SIGSTOP");
  try {
    await waitFor(
      async () => (await auditEvents(world.server.dataDir)).some((e) => e.event === "disconnect"),
      15_000,
      "the server to close the stopped client's session",
    );
    assert.deepEqual(await world.files.tree(), [], "no partial visible");
    // The path is free and its partial kept: a put of the same file is invited to resume.
    const info = await Deno.stat(`${world.work}/big.bin`);
    await using session = await openRawSession({ port: world.server.port });
    await session.request(1, {
      op: "put",
      path: "big.bin",
      size,
      force: false,
      resume: true,
      mtime: info.mtime!.getTime(),
    });
    const invited = await session.next();
    assert.ok(invited !== null && invited !== "timeout", String(invited));
    assert.equal(invited.type, MessageType.REPLY, JSON.stringify(invited.json));
    assert.ok((invited.json as { offset: number }).offset > 0, JSON.stringify(invited.json));
  } finally {
    child.kill("SIGCONT");
  }
  const stopped = await child.output();
  const stderr = new TextDecoder().decode(stopped.stderr);
  assert.equal(stopped.code, 4, stderr);
  // The server closed it (a broken pipe, a reset or the end of the stream, by timing).
  assert.match(stderr, /^ferry: (Connection lost: |The server closed the connection)/);
  assert.equal(stderr.trim().split("\n").length, 1, `one line, no stack trace: ${stderr}`);

  const resumed = await world.ferry(["put", "big.bin", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const line = jsonResult(resumed.stdout) as unknown as PutLine;
  assert.ok(line.offset > 0, `resumed at ${line.offset}`);
  assert.equal(line.sha256, sent);
  assert.equal(await sha256File(`${world.server.dataDir}/files/big.bin`), sent);
});
