/**
 * A session's memory is bounded before work is done: decompression bombs
 * and clients that send without reading cannot grow ferryd (see the bound in
 * docs/OPERATIONS.md, "Memory").
 */

import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { MAX_DATA_BYTES } from "../lib/protocol/send_data.ts";
import { MessageType } from "../lib/protocol/message_type.ts";
import { peakRssMiB } from "./harness/process_memory.ts";
import { openWorld } from "./harness/fixture.ts";
import { openRawSession, type RawSession } from "./harness/raw_session.ts";

/** 64 KiB of raw deflate that would inflate to 64 MiB of zeros. */
const BOMB = deflateRawSync(new Uint8Array(64 << 20), { level: 9 });

/** Starts a put and sends a bomb as its first chunk (without waiting for the answer). */
async function sendBomb(session: RawSession, id: number): Promise<void> {
  await session.request(id, {
    op: "put",
    path: `bomb${id}.bin`,
    size: 1 << 30,
    force: true,
    resume: false,
  });
  await session.send(MessageType.DATA_DEFLATE, id, BOMB);
}

/** Waits until ferryd's peak RSS has stopped growing for a second (it took what it will). */
async function untilPeakSteady(pid: number): Promise<number> {
  let last = -1;
  let peak = await peakRssMiB(pid);
  while (peak !== last) {
    last = peak;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    peak = await peakRssMiB(pid);
  }
  return peak;
}

Deno.test("memory - a DATA_DEFLATE bomb ends the session with ERROR protocol under id 0, nothing kept", async () => {
  await using world = await openWorld();
  await using session = await openRawSession({ port: world.server.port });
  await sendBomb(session, 1);
  const answer = await session.next();
  assert.ok(answer !== null && answer !== "timeout");
  // The put's own REPLY {offset} may come first.
  const error = answer.type === MessageType.REPLY ? await session.next() : answer;
  assert.ok(error !== null && error !== "timeout");
  assert.deepEqual([error.type, error.id], [MessageType.ERROR, 0]);
  assert.equal((error.json as { code: string }).code, "protocol");
  assert.match(
    (error.json as { message: string }).message,
    new RegExp(`more than ${MAX_DATA_BYTES} bytes`),
  );
  assert.ok(await session.closedByServer(5000));
  assert.deepEqual(await world.files.tree(), []);
  const run = await world.ferry(["ls"]);
  assert.equal(run.code, 0, run.stderr);
});

Deno.test("memory - 32 sessions of bombs and 32 of unread gets keep ferryd under 400 MiB", async () => {
  await using world = await openWorld({
    args: ["--max-connections-per-address", "100", "--max-sessions-per-user", "100"],
  });
  await world.files.writeText("big.bin", "x".repeat(8 << 20));
  const pid = world.server.process.pid;
  // Logged in four at a time: a storm of logins (scrypt) has its own peak, not measured here.
  const sessions: RawSession[] = [];
  while (sessions.length < 64) {
    sessions.push(
      ...await Promise.all(
        Array.from({ length: 4 }, () => openRawSession({ port: world.server.port })),
      ),
    );
  }
  const startMiB = await peakRssMiB(pid);
  try {
    const bombers = sessions.slice(0, 32);
    const readers = sessions.slice(32);
    // Each unread-get session: 10,000 gets of an 8 MiB file, and never a read.
    // A 4 KB path ("./" repeated) makes 40 MB of requests: more than the sockets buffer.
    const path = `${"./".repeat(1990)}big.bin`;
    for (const session of readers) {
      for (let id = 1; id <= 10_000; id++) {
        void session.request(id, { op: "get", path, offset: 0 }).catch(() => {});
      }
    }
    await Promise.all(bombers.map(async (session) => {
      await sendBomb(session, 1);
      await sendBomb(session, 2).catch(() => {});
      await session.closedByServer(10_000);
    }));
    const peakMiB = await untilPeakSteady(pid);
    const auditMiB = (await Deno.stat(`${world.server.dataDir}/state/audit.log`)).size / 2 ** 20;
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `ferryd peak RSS ${peakMiB.toFixed(0)} MiB (after the logins ${startMiB.toFixed(0)}), ` +
          `audit log ${auditMiB.toFixed(1)} MiB\n`,
      ),
    );
    // What these sessions can hold (docs/OPERATIONS.md, "Memory"): about 3.7 MiB each for the
    // unread gets (16 streaming, 128 parsed), about 1.3 MiB for a bomb: 150 MiB with margin.
    assert.ok(peakMiB - startMiB < 150, `peak RSS grew ${peakMiB - startMiB} MiB`);
    assert.ok(peakMiB < 400, `peak RSS ${peakMiB.toFixed(0)} MiB`);
    // A busy answer (and its audit line) per request read: few, as the reading stopped.
    assert.ok(auditMiB < 16, `audit log of ${auditMiB.toFixed(1)} MiB`);
  } finally {
    for (const session of sessions) session.close();
  }
  const run = await world.ferry(["ls"]);
  assert.equal(run.code, 0, run.stderr);
});
