import assert from "node:assert/strict";
import { encodePreamble } from "../lib/wire/preamble.ts";
import { openWorld } from "./harness/fixture.ts";

/** Waits until the server closes `conn`; fails after `ms`. Returns the bytes it sent. */
async function closedByServer(conn: Deno.Conn, ms: number): Promise<number> {
  const buffer = new Uint8Array(4096);
  let received = 0;
  const deadline = setTimeout(() => conn.close(), ms);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) return received;
      received += n;
    }
  } catch (error) {
    if (error instanceof Deno.errors.BadResource) {
      throw new Error(`The server kept the connection open ${ms} ms`);
    }
    return received; // reset by the server: closed as well
  } finally {
    clearTimeout(deadline);
    try {
      conn.close();
    } catch {
      // closed
    }
  }
}

async function stillServes(world: Awaited<ReturnType<typeof openWorld>>): Promise<void> {
  const run = await world.ferry(["ls"]);
  assert.equal(run.code, 0, run.stderr);
}

Deno.test("ferryd - a connection sending random bytes is closed and others are served", async () => {
  await using world = await openWorld();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: world.server.port });
  await conn.write(crypto.getRandomValues(new Uint8Array(4096)));
  await stillServes(world);
  await closedByServer(conn, 5000);
  await stillServes(world);
});

Deno.test("ferryd - an oversized frame length is refused before allocation, connection closed", async () => {
  await using world = await openWorld();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: world.server.port });
  await conn.write(encodePreamble());
  await conn.write(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
  const got = await closedByServer(conn, 5000);
  assert.equal(got, 8, "the server sent its preamble only");
  assert.match(world.server.log(), /Cannot read frame of 4294967295 bytes/);
  await stillServes(world);
});

Deno.test("ferryd - a client that stops mid-handshake is timed out while others are served", async () => {
  await using world = await openWorld({ args: ["--handshake-timeout-seconds", "1"] });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: world.server.port });
  await conn.write(encodePreamble());
  // Only the preamble, then silence: the server must not wait for us.
  await stillServes(world);
  // Closed before the default timeout (10 s) could: the 1 s of the flag.
  await closedByServer(conn, 8000);
  assert.match(world.server.log(), /handshake timed out/);
  await stillServes(world);
});

Deno.test("ferryd - a client of another protocol version gets a clear refusal", async () => {
  await using world = await openWorld();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: world.server.port });
  await conn.write(encodePreamble(99));
  assert.equal(await closedByServer(conn, 5000), 8);
  assert.match(world.server.log(), /speaks ferry protocol 99/);
});
