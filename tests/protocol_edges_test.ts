/**
 * The session's edges, through a raw session that sends what an independent
 * (or hostile) client may: cancels, ids, bodies and types the real client
 * never sends, and `END`s that do not match what was sent.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MessageType } from "../lib/protocol/message_type.ts";
import { auditEvents } from "./harness/audit_events.ts";
import { openWorld, type World } from "./harness/fixture.ts";
import { openRawSession, type RawSession, type ServerMessage } from "./harness/raw_session.ts";
import { waitFor } from "./harness/wait.ts";

const encoder = new TextEncoder();

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function codeOf(message: ServerMessage | null): string | undefined {
  if (message === null || message.type !== MessageType.ERROR) return undefined;
  return (message.json as { code?: string }).code;
}

/** The next message for request `id`, which must come within `ms`. */
async function nextFor(session: RawSession, id: number, ms = 10_000): Promise<ServerMessage> {
  for (;;) {
    const message = await session.next(ms);
    if (message === "timeout") throw new Error(`Nothing for request ${id} within ${ms} ms`);
    if (message === null) throw new Error(`Connection closed while waiting for request ${id}`);
    if (message.id === id) return message;
  }
}

/** Starts a (non-eager) put and waits for its `REPLY {offset}`. */
async function startPut(
  session: RawSession,
  id: number,
  path: string,
  size: number,
): Promise<void> {
  await session.request(id, { op: "put", path, size, force: false, resume: false });
  const ready = await nextFor(session, id);
  assert.equal(ready.type, MessageType.REPLY, JSON.stringify(ready.json));
  assert.deepEqual(ready.json, { offset: 0 });
}

async function statCode(session: RawSession, id: number, path: string): Promise<string> {
  await session.request(id, { op: "stat", path });
  const end = await session.untilEnd(id);
  return codeOf(end) ?? "ok";
}

async function world(): Promise<World> {
  return await openWorld();
}

Deno.test("protocol - 200 cancelled puts each end at once with ERROR cancelled; the session goes on", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  for (let i = 1; i <= 200; i++) {
    await startPut(session, i, `c${i}.bin`, 1 << 20);
    await session.send(MessageType.DATA, i, new Uint8Array(1000));
    await session.send(MessageType.CANCEL, i);
    const end = await nextFor(session, i, 5000);
    assert.equal(codeOf(end), "cancelled", `put ${i}: ${JSON.stringify(end.json)}`);
  }
  assert.equal(await statCode(session, 1000, ""), "ok");
});

Deno.test("protocol - a cancelled put frees its lock and id: the same path and id go again at once", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  await startPut(session, 1, "a.txt", 10);
  await session.send(MessageType.DATA, 1, encoder.encode("abc"));
  await session.send(MessageType.CANCEL, 1);
  assert.equal(codeOf(await nextFor(session, 1)), "cancelled");
  const bytes = encoder.encode("0123456789");
  await startPut(session, 1, "a.txt", 10);
  await session.send(MessageType.DATA, 1, bytes);
  await session.sendJson(MessageType.END, 1, { size: 10, sha256: sha256(bytes) });
  const done = await nextFor(session, 1);
  assert.equal(done.type, MessageType.REPLY, JSON.stringify(done.json));
  assert.equal(await w.files.readText("a.txt"), "0123456789");
});

Deno.test("protocol - DATA and END sent after CANCEL do not commit the file", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  const bytes = encoder.encode("hello");
  for (const eager of [false, true]) {
    const path = eager ? "eager.txt" : "b.txt";
    if (eager) {
      await session.request(1, { op: "put", path, size: 5, force: false, resume: false, eager });
    } else {
      await startPut(session, 1, path, 5);
    }
    await session.send(MessageType.CANCEL, 1);
    await session.send(MessageType.DATA, 1, bytes);
    await session.sendJson(MessageType.END, 1, { size: 5, sha256: sha256(bytes) });
    assert.equal(codeOf(await nextFor(session, 1)), "cancelled");
    assert.equal(await statCode(session, 2, path), "not_found", path);
    assert.equal(await session.next(200), "timeout", "nothing more for the cancelled id");
  }
});

Deno.test("protocol - END.size must match the bytes and the announced size: bad_request, nothing committed", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  const bytes = new Uint8Array(5000).fill(7);
  await startPut(session, 1, "five.bin", 5000);
  await session.send(MessageType.DATA, 1, bytes);
  await session.sendJson(MessageType.END, 1, { size: 5001, sha256: sha256(bytes) });
  const end = await nextFor(session, 1);
  assert.equal(codeOf(end), "bad_request", JSON.stringify(end.json));
  assert.match((end.json as { message: string }).message, /5001.*5000|5000.*5001/);
  assert.equal(await statCode(session, 2, "five.bin"), "not_found");
});

Deno.test("protocol - a request body that is not JSON is bad_request and the session goes on", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  await session.send(MessageType.REQUEST, 1, encoder.encode("{not json"));
  assert.equal(codeOf(await nextFor(session, 1)), "bad_request");
  await session.send(MessageType.REQUEST, 2, new Uint8Array([0xff, 0xfe]));
  assert.equal(codeOf(await nextFor(session, 2)), "bad_request");
  assert.equal(await statCode(session, 3, ""), "ok");
});

Deno.test("protocol - request id 0 after login is bad_request (under id 0) and the session goes on", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  await session.request(0, { op: "stat", path: "" });
  const answer = await nextFor(session, 0);
  assert.equal(codeOf(answer), "bad_request", JSON.stringify(answer.json));
  assert.equal(await statCode(session, 1, ""), "ok");
});

Deno.test("protocol - a duplicate id of a live request ends the session with protocol under id 0, never under the live id", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  await startPut(session, 5, "live.bin", 100);
  await session.request(5, { op: "stat", path: "" });
  const seen: ServerMessage[] = [];
  for (let message = await session.next(); message !== null; message = await session.next()) {
    if (message === "timeout") assert.fail("the server kept the session open");
    seen.push(message);
  }
  assert.deepEqual(seen.map((m) => [m.type, m.id, codeOf(m)]), [[
    MessageType.ERROR,
    0,
    "protocol",
  ]]);
  assert.match((seen[0]?.json as { message: string }).message, /request id 5/);
});

Deno.test("protocol - a message type a client may not send gets ERROR protocol under id 0, then the close", async () => {
  await using w = await world();
  for (const type of [0, 2, 3, 6, 9, 255]) {
    await using session = await openRawSession({ port: w.server.port });
    await session.send(type, 7, encoder.encode("{}"));
    const answer = await session.next();
    assert.ok(answer !== null && answer !== "timeout", `type ${type}: an answer`);
    assert.deepEqual([answer.type, answer.id, codeOf(answer)], [MessageType.ERROR, 0, "protocol"]);
    assert.ok(await session.closedByServer(5000), `type ${type}: then closed`);
  }
  // A message shorter than its header is the same.
  await using short = await openRawSession({ port: w.server.port });
  await short.sendRaw(new Uint8Array([1, 0]));
  assert.equal(codeOf(await nextFor(short, 0)), "protocol");
  assert.ok(await short.closedByServer(5000));
});

Deno.test("protocol - DATA, END and CANCEL for an id not in flight are dropped without an answer", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  await session.send(MessageType.DATA, 9, encoder.encode("x"));
  await session.sendJson(MessageType.END, 9, { size: 1, sha256: "0".repeat(64) });
  await session.send(MessageType.CANCEL, 9);
  assert.equal(await statCode(session, 1, ""), "ok");
  assert.equal(await session.next(200), "timeout");
});

Deno.test('protocol - "/" is an absolute path: invalid_path', async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  await session.request(1, { op: "list", path: "/" });
  assert.equal(codeOf(await session.untilEnd(1)), "invalid_path");
  assert.equal(await statCode(session, 2, "/"), "invalid_path");
  assert.equal(await statCode(session, 3, ""), "ok");
});

Deno.test("protocol - the string limit counts UTF-8 bytes, not UTF-16 units", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  // 3,000 "€" are 3,000 UTF-16 units but 9,000 bytes: over the 8,192.
  const answer = await statCode(session, 1, "€".repeat(3000));
  assert.equal(answer, "bad_request");
});

Deno.test("protocol - help's reply has the documented shape", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  await session.request(1, { op: "help" });
  const reply = await session.untilEnd(1);
  const { commands } = reply?.json as {
    commands: { name: string; summary: string; requires: string | null; allowed: boolean }[];
  };
  const names = commands.map((command) => command.name);
  assert.deepEqual(names, [
    "help",
    "list",
    "stat",
    "get",
    "put",
    "delete",
    "mkdir",
    "rmdir",
    "rename",
    "usage",
    "report-corrupt",
    "bye",
  ]);
  for (const command of commands) {
    assert.deepEqual(Object.keys(command).sort(), ["allowed", "name", "requires", "summary"]);
    assert.equal(typeof command.summary, "string");
    assert.equal(command.allowed, true);
  }
  assert.equal(commands.find((command) => command.name === "put")?.requires, "write");
  assert.equal(commands.find((command) => command.name === "help")?.requires, null);
});

Deno.test("protocol - a put's reply entry.mtime is the stored file's mtime", async () => {
  await using w = await world();
  await using session = await openRawSession({ port: w.server.port });
  const bytes = encoder.encode("timed");
  for (const [id, mtime] of [[1, undefined], [2, 1_600_000_000_123]] as const) {
    const path = `t${id}.txt`;
    await session.request(id, {
      op: "put",
      path,
      size: 5,
      force: false,
      resume: false,
      ...(mtime === undefined ? {} : { mtime }),
    });
    await nextFor(session, id);
    await session.send(MessageType.DATA, id, bytes);
    // Time passes between the last write and END (as over a slow link).
    await new Promise((resolve) => setTimeout(resolve, 50));
    await session.sendJson(MessageType.END, id, { size: 5, sha256: sha256(bytes) });
    const reply = await nextFor(session, id);
    const entry = (reply.json as { entry: { mtime: number } }).entry;
    const stored = await Deno.stat(`${w.server.dataDir}/files/${path}`);
    assert.equal(entry.mtime, stored.mtime?.getTime(), path);
    await session.request(10 + id, { op: "stat", path });
    const stat = await session.untilEnd(10 + id);
    assert.equal((stat?.json as { entry: { mtime: number } }).entry.mtime, entry.mtime);
    if (mtime !== undefined) assert.equal(entry.mtime, mtime);
  }
});

Deno.test("audit - an upload committed while the client resets is a put event", async () => {
  await using w = await world();
  await w.files.writeText("big.bin", "x".repeat(4 << 20));
  const session = await openRawSession({ port: w.server.port });
  // A download the client never reads: its bytes wait unread, so the close is a reset.
  await session.request(1, { op: "get", path: "big.bin", offset: 0 });
  assert.equal((await nextFor(session, 1)).type, MessageType.REPLY);
  const bytes = encoder.encode("committed");
  await session.request(2, {
    op: "put",
    path: "reset.txt",
    size: bytes.byteLength,
    force: false,
    resume: false,
    eager: true,
  });
  await session.send(MessageType.DATA, 2, bytes);
  await session.sendJson(MessageType.END, 2, { size: bytes.byteLength, sha256: sha256(bytes) });
  session.close();
  await waitFor(
    async () => (await w.files.tree()).includes("reset.txt"),
    10_000,
    "the upload committed",
  );
  await waitFor(
    async () =>
      (await auditEvents(w.server.dataDir)).some((e) => e.event === "disconnect" && e.user),
    10_000,
    "the session's end in the audit log",
  );
  const events = await auditEvents(w.server.dataDir);
  const put = events.find((e) => e.event === "put" && e.path === "reset.txt");
  assert.ok(put, JSON.stringify(events.filter((e) => e.path === "reset.txt")));
  assert.equal(put.size, bytes.byteLength);
  assert.ok(!events.some((e) => e.event === "transfer.aborted" && e.path === "reset.txt"));
});
