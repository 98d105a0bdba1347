/**
 * Measures {@linkcode S3Storage} directly (no ferry protocol): put and get
 * of one large file through a real Ceph RGW, with this process's peak RSS.
 *
 * Usage: deno run -A scripts/ceph/bench_s3.ts [--size MIB] [--cluster FILE] [--part MIB] [--unsigned]
 *
 * Without `--cluster` it brings a cluster up and tears it down afterwards.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { S3Storage } from "../../lib/storage/s3/s3_storage.ts";
import { ViewReader } from "../../lib/core/byte_source.ts";
import { startCephCluster, stopCephCluster } from "./cluster.ts";
import type { CephClusterInfo } from "./cluster.ts";

const MIB = 1024 * 1024;
const CHUNK = 65_514; // one protocol DATA message

function say(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${text}\n`));
}

function peakRssMiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      size: { type: "string", default: "1024" },
      part: { type: "string", default: "8" },
      cluster: { type: "string" },
      unsigned: { type: "boolean", default: false },
    },
  });
  const size = Number(values.size) * MIB;
  const cluster: CephClusterInfo = values.cluster === undefined
    ? await startCephCluster()
    : JSON.parse(await Deno.readTextFile(values.cluster));
  try {
    const storage = await S3Storage.open({
      endpoint: cluster.endpoint,
      bucket: "ferry-bench",
      region: cluster.region,
      accessKeyId: cluster.accessKey,
      secretAccessKey: cluster.secretKey,
      prefix: `bench-${crypto.randomUUID().slice(0, 8)}/`,
    }, {
      createBucket: true,
      partSize: Number(values.part) * MIB,
      signParts: !values.unsigned,
    });
    const pattern = new Uint8Array(16 * MIB);
    for (let at = 0; at < pattern.byteLength; at += 65_536) {
      crypto.getRandomValues(pattern.subarray(at, at + 65_536));
    }
    // The source: the pattern repeated, each round stamped so no part repeats.
    const hash = createHash("sha256");
    const chunk = new Uint8Array(CHUNK);
    let start = performance.now();
    const sink = await storage.openUpload("big.bin", { size, overwrite: true, resume: false });
    for (let at = 0; at < size; at += CHUNK) {
      const n = Math.min(CHUNK, size - at);
      const from = at % pattern.byteLength;
      const first = Math.min(n, pattern.byteLength - from);
      chunk.set(pattern.subarray(from, from + first));
      if (first < n) chunk.set(pattern.subarray(0, n - first), first);
      new DataView(chunk.buffer).setFloat64(0, at);
      const piece = chunk.subarray(0, n);
      hash.update(piece);
      await sink.write(piece);
    }
    const digest = hash.digest("hex");
    const writeEnd = performance.now();
    await sink.commit(digest);
    const putSeconds = (performance.now() - start) / 1000;
    const commitMs = performance.now() - writeEnd;
    const putRss = peakRssMiB();
    start = performance.now();
    const source = await storage.openRead("big.bin", 0);
    const check = createHash("sha256");
    const reader = new ViewReader(source.bytes);
    const buffer = new Uint8Array(CHUNK);
    let received = 0;
    for (let read = await reader.read(buffer); read !== null; read = await reader.read(buffer)) {
      check.update(read);
      received += read.byteLength;
    }
    const getSeconds = (performance.now() - start) / 1000;
    const ok = received === size && check.digest("hex") === digest && source.sha256 === digest;
    await storage.remove("big.bin");
    const mb = size / 1e6;
    say(
      `S3Storage put ${size / MIB} MiB: ${(mb / putSeconds).toFixed(0)} MB/s ` +
        `(${putSeconds.toFixed(1)} s, commit ${commitMs.toFixed(0)} ms, peak RSS ${
          putRss.toFixed(0)
        } MiB)`,
    );
    say(
      `S3Storage get ${size / MIB} MiB: ${(mb / getSeconds).toFixed(0)} MB/s ` +
        `(${getSeconds.toFixed(1)} s, peak RSS ${peakRssMiB().toFixed(0)} MiB), verified: ${ok}`,
    );
    if (!ok) Deno.exitCode = 1;
  } finally {
    if (values.cluster === undefined) await stopCephCluster(cluster);
  }
}

if (import.meta.main) await main();
