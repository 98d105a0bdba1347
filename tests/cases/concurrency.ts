/**
 * Many clients, and many requests on one connection, at once. Run by
 * `tests/concurrency_test.ts` (local) and `tests/s3/` (S3).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ClientConnection } from "../../lib/client/client_connection.ts";
import { encodeJsonMessage, encodeMessage } from "../../lib/protocol/codec.ts";
import { MAX_DATA_BYTES } from "../../lib/protocol/send_data.ts";
import { MessageType } from "../../lib/protocol/message_type.ts";
import { isCode } from "../harness/error_code.ts";
import { ALICE_PASSWORD, sha256File, type World, writeRandomFile } from "../harness/fixture.ts";
import type { WorldCase } from "../harness/world_case.ts";

async function twentyClients(world: World): Promise<void> {
  const clients = Array.from({ length: 20 }, (_, i) => i);
  const hashes = await Promise.all(
    clients.map((i) => writeRandomFile(`${world.work}/f${i}.bin`, 256 * 1024 + i * 4099)),
  );
  const puts = await Promise.all(clients.map((i) => world.ferry(["put", `f${i}.bin`, "-q"])));
  puts.forEach((run, i) => assert.equal(run.code, 0, `put ${i}: ${run.stderr}`));
  const gets = await Promise.all(
    clients.map((i) => world.ferry(["get", `f${i}.bin`, `g${i}.bin`, "-q"])),
  );
  gets.forEach((run, i) => assert.equal(run.code, 0, `get ${i}: ${run.stderr}`));
  for (const i of clients) {
    assert.equal(await sha256File(`${world.work}/g${i}.bin`), hashes[i], `file ${i}`);
    assert.equal(await world.files.sha256(`f${i}.bin`), hashes[i]);
  }
}

async function pipelined(world: World): Promise<void> {
  const client = await world.connect();
  try {
    const body = new TextEncoder().encode("x".repeat(5000));
    const uploads = Array.from(
      { length: 100 },
      (_, i) =>
        client.upload(ReadableStream.from([body]), `p${i}.txt`, {
          size: body.byteLength,
        }),
    );
    await assert.rejects(
      client.upload(ReadableStream.from([body]), "p0.txt", { size: body.byteLength }),
      (error: Error & { code?: string }) => error.code === "busy" || error.code === "exists",
    );
    await Promise.all(uploads);
    const entries = await client.list("");
    assert.equal(entries.length, 100);
    const chunks: number[] = [];
    await Promise.all(entries.map((entry) =>
      client.download(entry.name, (chunk) => {
        chunks.push(chunk.byteLength);
        return Promise.resolve();
      })
    ));
    assert.equal(chunks.reduce((a, b) => a + b, 0), 100 * 5000);
  } finally {
    await client.close();
  }
}

/** A `DATA` message of `length` zero bytes for request `id`. */
function dataMessage(id: number, length: number): Uint8Array {
  return encodeMessage(MessageType.DATA, id, new Uint8Array(length));
}

/** The `END` of an upload of `bytes`. */
function endMessage(id: number, bytes: Uint8Array): Uint8Array {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return encodeJsonMessage(MessageType.END, id, { size: bytes.byteLength, sha256 });
}

async function eagerPutBounds(world: World): Promise<void> {
  const connection = await ClientConnection.connect({
    hostname: "127.0.0.1",
    port: world.server.port,
    user: "alice",
    password: ALICE_PASSWORD,
    verifyServerKey: async () => {},
  });
  try {
    assert.ok(connection.serverFeatures.has("eager-put"));
    const put = { op: "put", force: false, resume: false, eager: true } as const;
    // More than one message's worth may not come unasked.
    const big = connection.start({ ...put, path: "big.bin", size: MAX_DATA_BYTES + 1 });
    await assert.rejects(connection.finalReply(big.id), isCode("bad_request"));
    // Bytes past the announced size are refused, and nothing is left behind.
    const over = connection.start({ ...put, path: "over.bin", size: 3 });
    await connection.send(dataMessage(over.id, 4));
    await assert.rejects(connection.finalReply(over.id), isCode("too_large"));
    await assert.rejects(connection.request({ op: "stat", path: "over.bin" }), isCode("not_found"));
    // The connection goes on.
    const ok = connection.start({ ...put, path: "ok.bin", size: 4 });
    await connection.send(dataMessage(ok.id, 4));
    await connection.send(endMessage(ok.id, new Uint8Array(4)));
    const done = await connection.finalReply(ok.id) as { entry: { size: number } };
    assert.equal(done.entry.size, 4);
  } finally {
    await connection.close();
  }
}

/** The concurrency cases. */
export const CONCURRENCY_CASES: readonly WorldCase[] = [
  {
    name: "ferryd - 20 client processes at once each put and get back their own file",
    run: twentyClients,
  },
  { name: "FerryClient - pipelined requests on one connection all complete", run: pipelined },
  {
    name: "ferryd - an eager put carries at most one message, never more than announced",
    run: eagerPutBounds,
  },
];
