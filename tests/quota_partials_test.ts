/**
 * Partial uploads count against the quota while they exist, and uploads
 * too small to resume leave nothing behind however they end: through raw
 * sessions that cut uploads short, as a hostile or crashing client does.
 *
 * @module
 */

import assert from "node:assert/strict";
import { addUser, startFerryd } from "./harness/ferryd_process.ts";
import { MessageType } from "../lib/protocol/message_type.ts";
import { openRawSession } from "./harness/raw_session.ts";
import { abandonedPut, errorCode, partFiles, rawPut } from "./harness/raw_upload.ts";
import { partialBytes, waitFor } from "./harness/wait.ts";

const MIB = 1024 * 1024;
const Q = { user: "q", password: "pw-q" };

async function quotaData(): Promise<string> {
  const data = await Deno.makeTempDir({ prefix: "ferryd-quota-" });
  await addUser(data, Q.user, Q.password, ["--home", "q", "--quota", "2M"]);
  return data;
}

/** Puts a whole file of `size` bytes in one session; returns the error code, or `undefined` when committed. */
async function putWhole(port: number, path: string, size: number): Promise<string | undefined> {
  await using session = await openRawSession({ port, ...Q });
  const { start, end } = await rawPut(session, 1, { path, size });
  return errorCode(start) ?? errorCode(end) ?? (end === undefined ? "no end" : undefined);
}

Deno.test("quota - a 2 MiB-quota user cannot park more than 2 MiB in partial uploads", async () => {
  const data = await quotaData();
  try {
    await using server = await startFerryd({ dataDir: data });
    const refused: string[] = [];
    for (let i = 0; i < 6; i++) {
      const start = await abandonedPut(server.port, Q, { path: `big${i}.bin`, size: 1.5 * MIB });
      const code = errorCode(start);
      if (code !== undefined) refused.push(code);
    }
    await waitFor(async () => await partialBytes(data) === 1.5 * MIB - 1, 10_000, "one partial");
    assert.deepEqual(refused, ["quota", "quota", "quota", "quota", "quota"]);
    // Once the first one's partial is counted, the refusal says where the room went.
    await using session = await openRawSession({ port: server.port, ...Q });
    const { start } = await rawPut(session, 1, { path: "more.bin", size: MIB });
    assert.equal(errorCode(start), "quota");
    assert.match(
      (start.json as { message: string }).message,
      /it would take 2621439 bytes \(1572863 of them in unfinished uploads\)/,
    );
    // Resumed and committed, the partial becomes the file: counted once.
    const resumed = await rawPut(session, 2, { path: "big0.bin", size: 1.5 * MIB });
    assert.equal((resumed.start.json as { offset: number }).offset, 1.5 * MIB - 1);
    assert.equal(resumed.end?.type, MessageType.REPLY, JSON.stringify(resumed.end?.json));
    assert.equal(await partialBytes(data), 0);
    assert.equal(await putWhole(server.port, "fits.bin", 400_000), undefined);
    assert.equal(await putWhole(server.port, "over.bin", 200_000), "quota");
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("quota - partials left before a restart count, and free when they expire", async () => {
  const data = await quotaData();
  try {
    {
      await using server = await startFerryd({ dataDir: data });
      await abandonedPut(server.port, Q, { path: "big.bin", size: 1.5 * MIB });
      await waitFor(async () => await partialBytes(data) === 1.5 * MIB - 1, 10_000, "the partial");
      assert.equal(await server.stop(), 0);
    }
    {
      await using server = await startFerryd({ dataDir: data });
      assert.equal(
        await putWhole(server.port, "other.bin", MIB),
        "quota",
        "counted after a restart",
      );
      assert.equal(await server.stop(), 0);
    }
    // Untouched for longer than partialMaxAgeHours (168): the sweep at the start deletes it.
    const longAgo = new Date(Date.now() - 200 * 3600 * 1000);
    for await (const entry of Deno.readDir(`${data}/state/partial`)) {
      await Deno.utime(`${data}/state/partial/${entry.name}`, longAgo, longAgo);
    }
    await using server = await startFerryd({ dataDir: data });
    await waitFor(async () => (await partFiles(data)).length === 0, 10_000, "the sweep");
    assert.equal(await putWhole(server.port, "other.bin", MIB), undefined, "freed by the sweep");
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("quota - uploads too small to resume leave no .part however they end", async () => {
  const data = await Deno.makeTempDir({ prefix: "ferryd-small-" });
  const login = { user: "s", password: "pw-s" };
  try {
    await addUser(data, login.user, login.password);
    {
      await using server = await startFerryd({
        dataDir: data,
        args: ["--shutdown-grace-seconds", "0"],
      });
      // The client goes away: 20 uploads cut one byte short.
      for (let i = 0; i < 20; i++) {
        await abandonedPut(server.port, login, { path: `reset${i}.txt`, size: 1000 });
      }
      await using session = await openRawSession({ port: server.port, ...login });
      // CANCEL, then the session ends.
      await rawPut(session, 1, { path: "cancel.txt", size: 1000, until: 500 });
      await session.send(MessageType.CANCEL, 1);
      // An error: more bytes than announced.
      const over = await rawPut(session, 2, { path: "over.txt", size: 10, until: 10 });
      assert.equal(over.end?.type, MessageType.REPLY);
      await session.request(3, {
        op: "put",
        path: "too.txt",
        size: 10,
        force: false,
        resume: true,
      });
      assert.equal((await session.untilEnd(3))?.type, MessageType.REPLY);
      await session.send(MessageType.DATA, 3, new Uint8Array(11));
      assert.equal(errorCode(await session.untilEnd(3)), "too_large");
      session.close();
      await waitFor(async () => (await partFiles(data)).length === 0, 10_000, "no .part left");
      // A shutdown with an upload running.
      await using last = await openRawSession({ port: server.port, ...login });
      await rawPut(last, 1, { path: "shutdown.txt", size: 1000, until: 500 });
      assert.equal(await server.stop(), 0);
      assert.deepEqual(await partFiles(data), []);
    }
    {
      // kill -9 with an upload running: nothing is left once ferryd is back.
      await using server = await startFerryd({ dataDir: data });
      await using session = await openRawSession({ port: server.port, ...login });
      await rawPut(session, 1, { path: "killed.txt", size: 1000, until: 500 });
      await waitFor(async () => (await partialBytes(data)) === 500, 10_000, "500 bytes written");
      await server.stop("SIGKILL");
      assert.equal((await partFiles(data)).length, 1, "what kill -9 leaves");
    }
    await using server = await startFerryd({ dataDir: data });
    assert.deepEqual(await partFiles(data), [], "deleted at the start");
    await using session = await openRawSession({ port: server.port, ...login });
    const again = await rawPut(session, 1, { path: "killed.txt", size: 1000 });
    assert.equal(again.end?.type, MessageType.REPLY, "uploaded whole after all");
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
