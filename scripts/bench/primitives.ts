/**
 * Micro-benchmarks of what ferry's hot path is made of, in this Deno: the
 * AEAD as `lib/noise` calls it, SHA-256, copies, file reads and writes (async
 * ops and direct calls) and loopback TCP,
 * each at several chunk sizes. The numbers give the cost model behind the
 * proposals in docs/PERFORMANCE.md.
 *
 * Usage: deno run -A scripts/bench/primitives.ts [--mib N]
 *
 * @module
 */

import { createCipheriv, createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { CHACHA_POLY } from "../../lib/noise/cipher_functions.ts";

/** One micro-benchmark result. */
export interface PrimitiveResult {
  /** What was measured. */
  name: string;
  /** Bytes per call. */
  chunkBytes: number;
  /** Throughput in MB/s (10^6 bytes). */
  mbPerSecond: number;
}

const KEY = new Uint8Array(32).fill(7);
const AD = new Uint8Array(0);

function timeIt(totalBytes: number, chunk: number, body: (i: number) => void): number {
  const calls = Math.max(1, Math.floor(totalBytes / chunk));
  for (let i = 0; i < Math.min(calls, 64); i++) body(i); // warm up
  const started = performance.now();
  for (let i = 0; i < calls; i++) body(i);
  return (calls * chunk) / 1e6 / ((performance.now() - started) / 1000);
}

async function timeAsync(
  totalBytes: number,
  chunk: number,
  body: () => Promise<void>,
): Promise<number> {
  const calls = Math.max(1, Math.floor(totalBytes / chunk));
  const started = performance.now();
  for (let i = 0; i < calls; i++) await body();
  return (calls * chunk) / 1e6 / ((performance.now() - started) / 1000);
}

function cpuPrimitives(totalBytes: number, chunk: number): PrimitiveResult[] {
  const data = crypto.getRandomValues(new Uint8Array(chunk).subarray(0, Math.min(chunk, 65536)));
  const plain = new Uint8Array(chunk);
  for (let i = 0; i < chunk; i += data.byteLength) plain.set(data.subarray(0, chunk - i), i);
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  const sealed = CHACHA_POLY.encrypt(KEY, nonce, AD, plain);
  const copy = new Uint8Array(chunk);
  const hash = createHash("sha256");
  const results: [string, number][] = [
    [
      "ChaChaPoly seal (lib/noise)",
      timeIt(totalBytes, chunk, (i) => {
        CHACHA_POLY.encodeNonce(i, view);
        CHACHA_POLY.encrypt(KEY, nonce, AD, plain, 4);
      }),
    ],
    [
      "ChaChaPoly open (lib/noise)",
      timeIt(totalBytes, chunk, () => {
        view.setUint32(4, 0, true);
        CHACHA_POLY.decrypt(KEY, nonce, AD, sealed);
      }),
    ],
    [
      "chacha20-poly1305 update only (node)",
      timeIt(totalBytes, chunk, () => {
        const c = createCipheriv("chacha20-poly1305", KEY, nonce, { authTagLength: 16 });
        c.update(plain);
        c.final();
      }),
    ],
    ["SHA-256 update (node)", timeIt(totalBytes, chunk, () => void hash.update(plain))],
    ["copy (Uint8Array.set)", timeIt(totalBytes, chunk, () => copy.set(plain))],
    ["allocate + copy (new Uint8Array)", timeIt(totalBytes, chunk, () => void plain.slice())],
  ];
  return results.map(([name, mbPerSecond]) => ({ name, chunkBytes: chunk, mbPerSecond }));
}

async function filePrimitives(totalBytes: number, chunk: number): Promise<PrimitiveResult[]> {
  const path = await Deno.makeTempFile({ prefix: "ferry-primitives-" });
  const data = crypto.getRandomValues(new Uint8Array(Math.min(chunk, 65536)));
  const buffer = new Uint8Array(chunk);
  for (let i = 0; i < chunk; i += data.byteLength) buffer.set(data.subarray(0, chunk - i), i);
  try {
    using file = await Deno.open(path, { write: true, truncate: true });
    const write = await timeAsync(totalBytes, chunk, async () => {
      for (let done = 0; done < chunk;) done += await file.write(buffer.subarray(done));
    });
    await file.seek(0, Deno.SeekMode.Start);
    const writeNow = timeIt(totalBytes, chunk, () => {
      for (let done = 0; done < chunk;) done += file.writeSync(buffer.subarray(done));
    });
    using reader = await Deno.open(path, { read: true });
    const read = await timeAsync(totalBytes, chunk, async () => {
      await reader.read(buffer);
    });
    await reader.seek(0, Deno.SeekMode.Start);
    const readNow = timeIt(totalBytes, chunk, () => reader.readSync(buffer));
    return [
      { name: "file write (await file.write)", chunkBytes: chunk, mbPerSecond: write },
      { name: "file write (direct: file.writeSync)", chunkBytes: chunk, mbPerSecond: writeNow },
      { name: "file read (await file.read)", chunkBytes: chunk, mbPerSecond: read },
      { name: "file read (direct: file.readSync)", chunkBytes: chunk, mbPerSecond: readNow },
    ];
  } finally {
    await Deno.remove(path);
  }
}

async function tcpPrimitive(totalBytes: number, chunk: number): Promise<PrimitiveResult> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const draining = (async () => {
    const conn = await listener.accept();
    const reader = conn.readable.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(1 << 20);
    for (;;) {
      const { value, done } = await reader.read(new Uint8Array(buffer));
      if (done || !value) break;
      buffer = value.buffer as ArrayBuffer;
    }
  })();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const writer = conn.writable.getWriter();
  const buffer = new Uint8Array(chunk);
  const rate = await timeAsync(totalBytes, chunk, () => writer.write(buffer));
  await writer.close();
  await draining;
  return { name: "TCP loopback (conn.writable)", chunkBytes: chunk, mbPerSecond: rate };
}

/**
 * Runs every micro-benchmark at 16 KiB, 64 KiB, 256 KiB and 1 MiB per call.
 *
 * @param mib How much data each measurement moves.
 * @returns The results.
 */
export async function runPrimitives(mib: number): Promise<PrimitiveResult[]> {
  const total = mib * 1024 * 1024;
  const results: PrimitiveResult[] = [];
  for (const chunk of [16_384, 65_519, 262_144, 1_048_576]) {
    results.push(...cpuPrimitives(total, chunk));
    results.push(...await filePrimitives(total, chunk));
    results.push(await tcpPrimitive(total, chunk));
  }
  return results;
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { mib: { type: "string" } } });
  const results = await runPrimitives(Number(values.mib ?? 256));
  const chunks = [...new Set(results.map((r) => r.chunkBytes))];
  const names = [...new Set(results.map((r) => r.name))];
  const lines = [
    `| MB/s | ${chunks.map((c) => `${Math.round(c / 1024)} KiB`).join(" | ")} |`,
    `| --- | ${chunks.map(() => "---:").join(" | ")} |`,
    ...names.map((name) =>
      `| ${name} | ${
        chunks.map((c) =>
          Math.round(results.find((r) => r.name === name && r.chunkBytes === c)?.mbPerSecond ?? NaN)
        ).join(" | ")
      } |`
    ),
  ];
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
}
