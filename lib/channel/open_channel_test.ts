import assert from "node:assert/strict";
import { FerryError, isFerryError } from "../core/errors.ts";
import { PROTOCOL_VERSION } from "../core/version.ts";
import { generateKeyPair, type KeyPair } from "../noise/mod.ts";
import { decodePreamble, encodePreamble } from "../wire/preamble.ts";
import { FRAME_HEADER_BYTES, PREAMBLE_BYTES } from "../wire/limits.ts";
import type { ClientHandshakeResult, ServerHandshakeResult } from "./handshake.ts";
import { openChannel, type OpenClientChannelOptions } from "./open_channel.ts";
import { MAX_PLAINTEXT_BYTES, MAX_RECORD_BYTES } from "./secure_channel.ts";

/** A listener on a free loopback port that accepts one connection. */
function listenOnce(): { port: number; accepted: Promise<Deno.TcpConn>; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept().finally(() => listener.close());
  accepted.catch(() => {});
  return {
    port: listener.addr.port,
    accepted,
    close: () => {
      try {
        listener.close();
      } catch {
        // already closed
      }
    },
  };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

function clientOptions(
  overrides: Partial<OpenClientChannelOptions> = {},
): OpenClientChannelOptions {
  return {
    staticKey: overrides.staticKey ?? { publicKey: new Uint8Array(), privateKey: new Uint8Array() },
    verifyServerKey: () => Promise.resolve(),
    credentials: () => Promise.resolve({ user: "alice" }),
    ...overrides,
  };
}

/** Opens both ends of a channel over loopback. */
async function openPair(hostKey: KeyPair, clientKey: KeyPair): Promise<{
  client: ClientHandshakeResult;
  server: ServerHandshakeResult;
  conns: Deno.Conn[];
}> {
  const listening = listenOnce();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listening.port });
  const serverConn = await listening.accepted;
  const [client, server] = await Promise.all([
    openChannel(conn, "client", clientOptions({ staticKey: clientKey })),
    openChannel(serverConn, "server", { staticKey: hostKey, hello: () => ({ hi: 1 }) }),
  ]);
  assert.ok(server);
  return { client, server, conns: [conn, serverConn] };
}

async function rejectsWithCode(
  pending: Promise<unknown>,
  code: string,
  message: RegExp,
): Promise<void> {
  await assert.rejects(pending, (error: unknown) => {
    assert.ok(error instanceof FerryError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("openChannel - both roles agree on keys, hello and credentials, and talk both ways", async () => {
  const hostKey = await generateKeyPair();
  const clientKey = await generateKeyPair();
  const { client, server, conns } = await openPair(hostKey, clientKey);
  assert.deepEqual(client.serverKey, hostKey.publicKey);
  assert.deepEqual(client.hello, { hi: 1 });
  assert.deepEqual(server.clientKey, clientKey.publicKey);
  assert.deepEqual(server.credentials, { user: "alice" });
  await client.channel.send(Uint8Array.of(1, 2, 3));
  await server.channel.send(Uint8Array.of(4));
  assert.deepEqual(await server.channel.receive(), Uint8Array.of(1, 2, 3));
  assert.deepEqual(await client.channel.receive(), Uint8Array.of(4));
  await client.channel.close();
  assert.equal(await server.channel.receive(), null, "a clean close reads as the end");
  await server.channel.close();
  conns.forEach(closeQuietly);
});

Deno.test("openChannel - a refused host key ends the handshake before the credentials leave", async () => {
  const listening = listenOnce();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listening.port });
  const serverConn = await listening.accepted;
  let askedForCredentials = false;
  const serving = openChannel(serverConn, "server", {
    staticKey: await generateKeyPair(),
    hello: () => ({}),
  });
  await rejectsWithCode(
    openChannel(conn, "client", {
      staticKey: await generateKeyPair(),
      verifyServerKey: () => Promise.reject(new FerryError("host_key_changed", "Wrong host key")),
      credentials: () => {
        askedForCredentials = true;
        return Promise.resolve({});
      },
    }),
    "host_key_changed",
    /Wrong host key/,
  );
  assert.equal(askedForCredentials, false);
  closeQuietly(conn);
  await rejectsWithCode(serving, "protocol", /closed during the handshake \(message 3\)/);
  closeQuietly(serverConn);
});

Deno.test("openChannel - a server refuses a peer that does not send a ferry preamble", async () => {
  const listening = listenOnce();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listening.port });
  const serverConn = await listening.accepted;
  await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\n"));
  await rejectsWithCode(
    openChannel(serverConn, "server", { staticKey: await generateKeyPair(), hello: () => ({}) }),
    "protocol",
    /the peer does not speak ferry/,
  );
  closeQuietly(serverConn);
  closeQuietly(conn);
});

Deno.test("openChannel - a client refuses a server that does not answer with a ferry preamble", async () => {
  const listening = listenOnce();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listening.port });
  const serverConn = await listening.accepted;
  await serverConn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.6\r\n"));
  await rejectsWithCode(
    openChannel(conn, "client", clientOptions({ staticKey: await generateKeyPair() })),
    "protocol",
    /the peer does not speak ferry/,
  );
  closeQuietly(conn);
  closeQuietly(serverConn);
});

/** Reads exactly `length` bytes from `conn`, or fewer when it closes first. */
async function readUpTo(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await conn.read(bytes.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return bytes.subarray(0, filled);
}

for (const version of [1, PROTOCOL_VERSION + 1]) {
  Deno.test(`openChannel - a server refuses a client of protocol ${version}, after its own preamble`, async () => {
    const listening = listenOnce();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: listening.port });
    const serverConn = await listening.accepted;
    await conn.write(encodePreamble(version));
    await rejectsWithCode(
      openChannel(serverConn, "server", { staticKey: await generateKeyPair(), hello: () => ({}) }),
      "unsupported_version",
      new RegExp(`speaks ferry protocol ${version}, this server ${PROTOCOL_VERSION}`),
    );
    closeQuietly(serverConn);
    const answer = await readUpTo(conn, PREAMBLE_BYTES + 1);
    assert.equal(answer.byteLength, PREAMBLE_BYTES, "the server's preamble, then the end");
    assert.equal(decodePreamble(answer), PROTOCOL_VERSION);
    closeQuietly(conn);
  });

  Deno.test(`openChannel - a client refuses a server of protocol ${version}`, async () => {
    const listening = listenOnce();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: listening.port });
    const serverConn = await listening.accepted;
    await serverConn.write(encodePreamble(version));
    await rejectsWithCode(
      openChannel(conn, "client", clientOptions({ staticKey: await generateKeyPair() })),
      "unsupported_version",
      new RegExp(`it speaks ferry protocol ${version}, this client ${PROTOCOL_VERSION}`),
    );
    closeQuietly(conn);
    const sent = await readUpTo(serverConn, PREAMBLE_BYTES + 1);
    assert.equal(decodePreamble(sent.subarray(0, PREAMBLE_BYTES)), PROTOCOL_VERSION);
    closeQuietly(serverConn);
  });
}

Deno.test("SecureChannel - a record of the largest plaintext goes through; one byte more is refused", async () => {
  const { client, server, conns } = await openPair(
    await generateKeyPair(),
    await generateKeyPair(),
  );
  const largest = new Uint8Array(MAX_PLAINTEXT_BYTES).map((_, i) => (i * 31) % 251);
  const sending = client.channel.send(largest);
  assert.deepEqual(await server.channel.receive(), largest);
  await sending;
  assert.throws(
    () => client.channel.send(new Uint8Array(MAX_PLAINTEXT_BYTES + 1)),
    new RegExp(`Cannot send message of ${MAX_PLAINTEXT_BYTES + 1} bytes`),
  );
  // The refusal sent nothing: the channel goes on in order (and the reused frame buffer is sound).
  await client.channel.send(largest.slice().reverse());
  assert.deepEqual(await server.channel.receive(), largest.slice().reverse());
  await client.channel.send(Uint8Array.of(7));
  assert.deepEqual(await server.channel.receive(), Uint8Array.of(7));
  await client.channel.close();
  await server.channel.close();
  conns.forEach(closeQuietly);
});

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) done += await conn.write(bytes.subarray(done));
}

/** A raw frame header announcing `length` bytes, followed by `sent` bytes of junk. */
function rawFrame(length: number, sent: number): Uint8Array {
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + sent);
  new DataView(bytes.buffer).setUint32(0, length);
  return bytes;
}

Deno.test("SecureChannel - a frame at the record limit is read (and fails its tag); one byte over is refused before it is read", async () => {
  for (
    const [length, expected] of [
      [MAX_RECORD_BYTES, /authentication failed/],
      [MAX_RECORD_BYTES + 1, new RegExp(`Cannot read frame of ${MAX_RECORD_BYTES + 1} bytes`)],
    ] as const
  ) {
    const { server, conns } = await openPair(await generateKeyPair(), await generateKeyPair());
    // Over the limit, only the header goes: the reader must refuse it without waiting for a body.
    const body = length > MAX_RECORD_BYTES ? 0 : length;
    const writing = writeAll(conns[0] as Deno.Conn, rawFrame(length, body)).catch(() => {});
    await assert.rejects(server.channel.receive(), (error: unknown) => {
      assert.ok(isFerryError(error, "protocol"), String(error));
      assert.match(error.message, expected);
      return true;
    });
    await server.channel.close();
    conns.forEach(closeQuietly);
    await writing;
  }
});
