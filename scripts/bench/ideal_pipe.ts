/**
 * The floor of ferry's data path in this Deno: one file sent over loopback as
 * ferry frames (4-byte length, `DATA` message of at most 65514 file bytes
 * sealed with `lib/noise`'s ChaChaPoly), SHA-256 on both sides, 1 MiB file
 * reads and writes, no Web Streams, no queues. Sender and receiver are two
 * processes, like client and server; their CPU time is what any rewrite of
 * the hot path can hope to reach.
 *
 * Usage: deno run -A scripts/bench/ideal_pipe.ts [--mib N]
 *
 * @module
 */

import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { CHACHA_POLY } from "../../lib/noise/cipher_functions.ts";
import { freePort } from "../free_port.ts";
import { makeRandomFile, removeQuietly } from "./fixtures.ts";
import { timedRun } from "./timed_run.ts";

const KEY = new Uint8Array(32).fill(9);
const HEADER = 4;
const MESSAGE_HEADER = 5;
const MAX_DATA = 65514;
const IO = 1 << 20;

async function send(path: string, port: number): Promise<void> {
  using file = await Deno.open(path);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const writer = conn.writable.getWriter();
  const hash = createHash("sha256");
  const input = new Uint8Array(IO);
  const message = new Uint8Array(MESSAGE_HEADER + MAX_DATA);
  const nonce = new Uint8Array(12);
  const nonceView = new DataView(nonce.buffer);
  let n = 0;
  for (let got = await file.read(input); got !== null; got = await file.read(input)) {
    hash.update(input.subarray(0, got));
    let last: Promise<void> = Promise.resolve();
    for (let at = 0; at < got; at += MAX_DATA) {
      const piece = input.subarray(at, Math.min(got, at + MAX_DATA));
      message[0] = 4;
      message.set(piece, MESSAGE_HEADER);
      CHACHA_POLY.encodeNonce(n++, nonceView);
      const frame = CHACHA_POLY.encrypt(
        KEY,
        nonce,
        new Uint8Array(),
        message.subarray(0, MESSAGE_HEADER + piece.byteLength),
        HEADER,
      );
      new DataView(frame.buffer, frame.byteOffset).setUint32(0, frame.byteLength - HEADER);
      last = writer.write(frame);
    }
    await last;
  }
  hash.digest("hex");
  await writer.close();
}

async function receive(path: string, port: number, ready: () => void): Promise<void> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port });
  ready();
  const conn = await listener.accept();
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const reader = conn.readable.getReader({ mode: "byob" });
  const hash = createHash("sha256");
  let buffer = new ArrayBuffer(IO + 2 * (HEADER + 65535));
  let start = 0;
  let end = 0;
  const out = new Uint8Array(IO);
  let used = 0;
  const nonce = new Uint8Array(12);
  const nonceView = new DataView(nonce.buffer);
  let n = 0;
  const flush = async (): Promise<void> => {
    for (let done = 0; done < used;) done += await file.write(out.subarray(done, used));
    used = 0;
  };
  for (;;) {
    while (end - start >= HEADER) {
      const length = new DataView(buffer, start).getUint32(0);
      if (end - start < HEADER + length) break;
      CHACHA_POLY.encodeNonce(n++, nonceView);
      const plain = CHACHA_POLY.decrypt(
        KEY,
        nonce,
        new Uint8Array(),
        new Uint8Array(buffer, start + HEADER, length),
      );
      const data = plain.subarray(MESSAGE_HEADER);
      hash.update(data);
      if (used + data.byteLength > IO) await flush();
      out.set(data, used);
      used += data.byteLength;
      start += HEADER + length;
    }
    new Uint8Array(buffer).copyWithin(0, start, end);
    end -= start;
    start = 0;
    const { value, done } = await reader.read(new Uint8Array(buffer, end));
    if (value) {
      buffer = value.buffer as ArrayBuffer;
      end += value.byteLength;
    }
    if (done) break;
  }
  await flush();
  hash.digest("hex");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      mib: { type: "string", default: "1024" },
      role: { type: "string" },
      path: { type: "string" },
      port: { type: "string" },
    },
  });
  if (values.role === "send") return await send(values.path as string, Number(values.port));
  if (values.role === "receive") {
    return await receive(values.path as string, Number(values.port), () => {
      Deno.stdout.writeSync(new TextEncoder().encode("ready\n"));
    });
  }
  const dir = await Deno.makeTempDir({ prefix: "ferry-ideal-" });
  try {
    const bytes = Number(values.mib) * 1024 * 1024;
    await makeRandomFile(`${dir}/in.bin`, bytes);
    const port = freePort();
    const self = new URL(import.meta.url).pathname;
    const role = (name: string, path: string): Parameters<typeof timedRun>[0] => ({
      command: Deno.execPath(),
      args: ["run", "-A", self, "--role", name, "--path", path, "--port", String(port)],
      cwd: dir,
    });
    const receiving = timedRun(role("receive", `${dir}/out.bin`));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    const sent = await timedRun(role("send", `${dir}/in.bin`));
    const received = await receiving;
    const seconds = (performance.now() - started) / 1000;
    const line = `ideal data path, ${values.mib} MiB: ${(bytes / 1e6 / seconds).toFixed(0)} MB/s ` +
      `(wall from sender start), CPU s sender ${sent.cpuSeconds.toFixed(2)}, ` +
      `receiver ${received.cpuSeconds.toFixed(2)}, total ${
        (sent.cpuSeconds + received.cpuSeconds).toFixed(2)
      }\n`;
    await Deno.stdout.write(new TextEncoder().encode(line));
  } finally {
    await removeQuietly(dir);
  }
}

if (import.meta.main) await main();
