/**
 * Measures put and get of one large file through real processes: ferryd
 * with `--storage s3` on a real Ceph RGW, and the ferry client, each under
 * its sandbox flags, on loopback. For comparison, the same through a ferryd
 * on the local folder (`--local`). Every transfer is checked by SHA-256.
 *
 * Usage: deno run -A scripts/ceph/bench_ferryd_s3.ts [--size MIB] [--cluster FILE] [--local] [--json]
 *
 * Without `--cluster` it brings a cluster up and tears it down afterwards.
 * Two times are given per transfer: the client process from start to exit
 * (`wall`), and the transfer as ferryd's audit log records it (`server`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { addUser, type Ferryd, startFerryd } from "../../tests/harness/ferryd_process.ts";
import { runFerry } from "../../tests/harness/ferry_process.ts";
import { sha256File, writeRandomFile } from "../../tests/harness/fixture.ts";
import { startCephCluster, stopCephCluster } from "./cluster.ts";
import type { CephClusterInfo } from "./cluster.ts";

const MIB = 1024 * 1024;
const PASSWORD = "bench password";

/** One back end's numbers. */
export interface FerrydBenchResult {
  /** `s3` or `local`. */
  storage: "s3" | "local";
  /** The file's size in bytes. */
  bytes: number;
  /** Put: client process start to exit, in s. */
  putWallSeconds: number;
  /** Put: the transfer as ferryd recorded it, in s. */
  putServerSeconds: number;
  /** Get: client process start to exit, in s. */
  getWallSeconds: number;
  /** Get: the transfer as ferryd recorded it, in s. */
  getServerSeconds: number;
  /** ferryd's peak resident memory, in MiB. */
  serverPeakRssMiB: number;
  /** Both ways byte for byte. */
  verified: boolean;
}

/** Options of {@linkcode benchFerrydStorage}. */
export interface FerrydBenchOptions {
  /** The file's size in MiB. @default {1024} */
  sizeMiB?: number;
  /** A running cluster (else one is brought up and torn down). */
  cluster?: CephClusterInfo;
  /** Also measure a ferryd on the local folder. @default {false} */
  local?: boolean;
}

function peakRssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

async function auditSeconds(dataDir: string, event: "put" | "get"): Promise<number> {
  const lines = (await Deno.readTextFile(`${dataDir}/state/audit.log`)).trim().split("\n");
  const last = lines.map((line) => JSON.parse(line)).filter((e) => e.event === event).at(-1);
  return Number(last?.durationMs ?? NaN) / 1000;
}

async function timed(server: Ferryd, work: string, args: string[]): Promise<number> {
  const start = performance.now();
  const run = await runFerry([...args, "-q"], {
    server: server.server,
    cwd: work,
    user: "bench",
    password: PASSWORD,
  });
  if (run.code !== 0) throw new Error(`ferry ${args.join(" ")} failed: ${run.stderr}`);
  return (performance.now() - start) / 1000;
}

async function measure(
  storage: "s3" | "local",
  source: string,
  sha256: string,
  cluster: CephClusterInfo,
): Promise<FerrydBenchResult> {
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-bench-data-" });
  const work = await Deno.makeTempDir({ prefix: "ferry-bench-work-" });
  const s3 = storage === "local" ? {} : {
    s3: {
      endpoint: cluster.endpoint,
      bucket: "ferry-bench",
      region: cluster.region,
      accessKeyId: cluster.accessKey,
      secretAccessKey: cluster.secretKey,
      prefix: `ferryd-${crypto.randomUUID().slice(0, 8)}/`,
    },
  };
  try {
    await using server = await startFerryd({ dataDir, ...s3 });
    await addUser(dataDir, "bench", PASSWORD);
    await Deno.link(source, `${work}/big.bin`);
    const putWallSeconds = await timed(server, work, ["put", "big.bin"]);
    const putServerSeconds = await auditSeconds(dataDir, "put");
    await Deno.remove(`${work}/big.bin`);
    const getWallSeconds = await timed(server, work, ["get", "big.bin"]);
    const getServerSeconds = await auditSeconds(dataDir, "get");
    const verified = await sha256File(`${work}/big.bin`) === sha256;
    const serverPeakRssMiB = peakRssMiB(server.process.pid);
    await timed(server, work, ["rm", "big.bin"]);
    const { size: bytes } = await Deno.stat(source);
    return {
      storage,
      bytes,
      putWallSeconds,
      putServerSeconds,
      getWallSeconds,
      getServerSeconds,
      serverPeakRssMiB,
      verified,
    };
  } finally {
    await Deno.remove(work, { recursive: true });
    await Deno.remove(dataDir, { recursive: true });
  }
}

/**
 * Puts and gets one random file through ferryd on S3 (and on the local
 * folder, with `local`).
 *
 * @param options Size, cluster, comparison.
 * @returns One result per back end, S3 first.
 */
export async function benchFerrydStorage(
  options: FerrydBenchOptions = {},
): Promise<FerrydBenchResult[]> {
  const cluster = options.cluster ?? await startCephCluster();
  const folder = await Deno.makeTempDir({ prefix: "ferry-bench-src-" });
  try {
    const source = `${folder}/big.bin`;
    const sha256 = await writeRandomFile(source, (options.sizeMiB ?? 1024) * MIB);
    const results = [await measure("s3", source, sha256, cluster)];
    if (options.local) results.push(await measure("local", source, sha256, cluster));
    return results;
  } finally {
    await Deno.remove(folder, { recursive: true });
    if (options.cluster === undefined) await stopCephCluster(cluster);
  }
}

function rate(bytes: number, seconds: number): string {
  return `${(bytes / 1e6 / seconds).toFixed(0)} MB/s`;
}

/**
 * One line per transfer, such as
 * `ferryd --storage s3  put 1024 MiB: 96 MB/s (11.2 s; server 95 MB/s)`.
 */
export function describeResult(result: FerrydBenchResult): string[] {
  const label = `ferryd --storage ${result.storage}`.padEnd(20);
  const size = `${(result.bytes / MIB).toFixed(0)} MiB`;
  const line = (verb: string, wall: number, server: number): string =>
    `${label} ${verb} ${size}: ${rate(result.bytes, wall)} (${wall.toFixed(1)} s; ` +
    `server ${rate(result.bytes, server)})`;
  return [
    line("put", result.putWallSeconds, result.putServerSeconds),
    line("get", result.getWallSeconds, result.getServerSeconds),
    `${label} peak RSS ${result.serverPeakRssMiB.toFixed(0)} MiB, verified: ${result.verified}`,
  ];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      size: { type: "string", default: "1024" },
      cluster: { type: "string" },
      local: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const results = await benchFerrydStorage({
    sizeMiB: Number(values.size),
    local: values.local,
    ...(values.cluster === undefined
      ? {}
      : { cluster: JSON.parse(await Deno.readTextFile(values.cluster)) }),
  });
  const text = values.json
    ? JSON.stringify(results)
    : results.flatMap((result) => describeResult(result)).join("\n");
  await Deno.stdout.write(new TextEncoder().encode(`${text}\n`));
  return results.every((result) => result.verified) ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
