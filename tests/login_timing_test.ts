import assert from "node:assert/strict";
import { clientHandshake } from "../lib/channel/handshake.ts";
import { generateKeyPair } from "../lib/noise/mod.ts";
import { FrameReader } from "../lib/wire/frame_reader.ts";
import { FrameWriter } from "../lib/wire/frame_writer.ts";
import { openWorld } from "./harness/fixture.ts";
import { runFerry } from "./harness/ferry_process.ts";

/**
 * A peer that speaks ferry up to the server's hello, then never logs in
 * (as a client whose user sits at the prompt, or a scanner): the hello it
 * got, and a promise that settles when the server closes the connection.
 */
async function stopAtHello(port: number): Promise<{ hello: unknown; closed: Promise<void> }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const hello = Promise.withResolvers<unknown>();
  void clientHandshake(new FrameReader(conn), new FrameWriter(conn), {
    staticKey: await generateKeyPair(),
    verifyServerKey: (_key, payload) => {
      hello.resolve(payload);
      return new Promise(() => {}); // the user never answers
    },
    credentials: () => Promise.resolve({}),
  }).catch(hello.reject);
  const payload = await hello.promise;
  // The handshake has read message 2 and waits for the user: the socket is ours.
  const closed = (async () => {
    const buffer = new Uint8Array(1);
    try {
      while (await conn.read(buffer) !== null) { /* the server sends nothing more */ }
    } catch {
      // reset by the server: closed as well
    } finally {
      conn.close();
    }
  })();
  return { hello: payload, closed };
}

Deno.test("ferryd login grace - from the hello on a login gets loginGraceSeconds, a few per address", async () => {
  await using world = await openWorld({
    args: [
      "--handshake-timeout-seconds",
      "1",
      "--login-grace-seconds",
      "30",
      "--login-grace-per-address",
      "1",
    ],
  });
  const person = await stopAtHello(world.server.port);
  assert.equal((person.hello as { loginGraceSeconds: number }).loginGraceSeconds, 30);
  let personGone = false;
  void person.closed.then(() => personGone = true);
  // The address has its share: a second such peer keeps the short timeout.
  const scanner = await stopAtHello(world.server.port);
  assert.equal((scanner.hello as { loginGraceSeconds: number }).loginGraceSeconds, 1);
  // The scanner is closed on its short timeout while the person is still waited for.
  await scanner.closed;
  assert.match(world.server.log(), /handshake timed out/);
  assert.equal(personGone, false, "the one at the prompt is still waited for");
  assert.doesNotMatch(world.server.log(), /gave up waiting for the login/);
  // Logins still work meanwhile.
  assert.equal((await world.ferry(["ls"])).code, 0);
});

Deno.test("ferry - a port that accepts but never speaks ferry fails after --connect-timeout, exit 4", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })().catch(() => {});
  const work = await Deno.makeTempDir({ prefix: "ferry-work-" });
  try {
    const run = await runFerry(["ls", "--connect-timeout", "1"], {
      server: `127.0.0.1:${port}`,
      cwd: work,
      password: "x",
    });
    assert.equal(run.code, 4, run.stderr);
    assert.equal(
      run.stderr.trim(),
      `ferry: Cannot log in to 127.0.0.1:${port}: no answer from a ferry server within 1 s`,
    );
    const bad = await runFerry(["ls", "--connect-timeout", "soon"], {
      server: `127.0.0.1:${port}`,
      cwd: work,
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^ferry: Cannot use --connect-timeout "soon"/);
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await accepting;
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("ferry - the connect timeout does not count the wait for a login the server queues", async () => {
  // A wrong password makes the server wait before the next attempt: longer
  // than the client's connect timeout, which must not cut it short.
  await using world = await openWorld({
    args: ["--login-base-delay-ms", "2500"],
  });
  assert.equal((await world.ferry(["ls"], { password: "wrong" })).code, 2);
  const run = await world.ferry(["ls", "--connect-timeout", "1"]);
  assert.equal(run.code, 0, run.stderr);
});
