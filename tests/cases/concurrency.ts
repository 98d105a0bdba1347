/**
 * Many clients, and many requests on one connection, at once. Run by
 * `tests/concurrency_test.ts` (local) and `tests/s3/` (S3).
 *
 * @module
 */

import assert from "node:assert/strict";
import { sha256File, type World, writeRandomFile } from "../harness/fixture.ts";
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

/** The concurrency cases. */
export const CONCURRENCY_CASES: readonly WorldCase[] = [
  {
    name: "ferryd - 20 client processes at once each put and get back their own file",
    run: twentyClients,
  },
  { name: "FerryClient - pipelined requests on one connection all complete", run: pipelined },
];
