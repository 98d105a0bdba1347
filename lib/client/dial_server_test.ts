import assert from "node:assert/strict";
import { openChannel } from "../channel/open_channel.ts";
import { isFerryError } from "../core/errors.ts";
import { generateKeyPair } from "../noise/mod.ts";
import { serverHello } from "../protocol/hello.ts";
import { dialServer } from "./dial_server.ts";

/** Serves one handshake on loopback with `hello`, then waits for the client to leave. */
function helloServer(hello: unknown): { port: number; done: Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    try {
      const opened = await openChannel(conn, "server", {
        staticKey: await generateKeyPair(),
        hello: () => hello,
      });
      await opened?.channel.receive();
    } catch {
      // the client gave up in the handshake
    } finally {
      conn.close();
    }
  })();
  return { port: listener.addr.port, done };
}

Deno.test("dialServer() - a malformed hello is a clear protocol error, before the key is judged", async () => {
  const server = helloServer({ server: "ferryd", protocol: 2 });
  let judged = false;
  await assert.rejects(
    dialServer({
      hostname: "127.0.0.1",
      port: server.port,
      user: "alice",
      password: "secret",
      verifyServerKey: () => {
        judged = true;
        return Promise.resolve();
      },
    }),
    (error: unknown) => {
      assert.ok(isFerryError(error, "protocol"), String(error));
      assert.match(error.message, /Cannot read the server's hello: "version" is not a string/);
      return true;
    },
  );
  assert.equal(judged, false);
  await server.done;
});

Deno.test("dialServer() - a good hello reaches the caller validated", async () => {
  const hello = serverHello({ loginGraceSeconds: 30, loginWaitSeconds: 40 });
  const server = helloServer({ ...hello, extra: true });
  const dialled = await dialServer({
    hostname: "127.0.0.1",
    port: server.port,
    user: "alice",
    password: "secret",
    verifyServerKey: () => Promise.resolve(),
  });
  assert.deepEqual(dialled.hello, hello);
  dialled.clock.stop();
  await dialled.channel.close();
  dialled.closeConn();
  await server.done;
});
