/**
 * Measures put and get of one large file through real processes: ferryd
 * with `--storage s3` on a real Ceph RGW and the ferry client, each under
 * its sandbox flags, on loopback; against the RGW's own PUT and GET of the
 * same object from this process ({@linkcode RgwDirect}), in the same
 * rounds (RGW first in even rounds, ferry first in odd ones). With
 * `--local`, the same ferry transfers on the local folder join each round.
 * Every ferry get is checked by SHA-256.
 *
 * Usage: deno run -A scripts/ceph/bench_ferryd_s3.ts [--size MIB] [--rounds N]
 *          [--cluster FILE] [--local] [--json]
 *
 * Without `--cluster` it brings a cluster up and tears it down afterwards.
 * Process statistics (CPU, peak RSS) are read from `/proc` by this process
 * through `cat` and `bash` (scripts/bench/proc_stats.ts), never from inside
 * the sandboxed ferryd.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { freshClientBundle } from "../client_bundle.ts";
import { ROOT } from "../launch.ts";
import { runFerry } from "../ferry.ts";
import { addUser, type ScriptFerryd, startFerryd } from "../ferryd.ts";
import { checkFile, makeRandomFile, removeQuietly } from "../bench/fixtures.ts";
import { measure, type Measurement } from "../bench/measure.ts";
import { cpuTimes } from "../bench/proc_stats.ts";
import { type FerryTool, ferryTool } from "../bench/tools.ts";
import { startCephCluster, stopCephCluster } from "./cluster.ts";
import type { CephClusterInfo } from "./cluster.ts";
import { describeReport, type S3BenchReport, type Transfer } from "./s3_report.ts";
import { RgwDirect } from "./rgw_direct.ts";

export { describeReport } from "./s3_report.ts";
export type { FerrydBenchResult, S3BenchReport, Transfer } from "./s3_report.ts";

const MIB = 1024 * 1024;
const PASSWORD = "bench password";
const BUCKET = "ferry-bench";

/** Options of {@linkcode benchFerrydStorage}. */
export interface FerrydBenchOptions {
  /** The file's size in MiB. @default {1024} */
  sizeMiB?: number;
  /** Rounds; medians are reported. @default {3} */
  rounds?: number;
  /** A running cluster (else one is brought up and torn down). */
  cluster?: CephClusterInfo;
  /** Also measure a ferryd on the local folder. @default {false} */
  local?: boolean;
  /** Writes one progress line. */
  note?: (line: string) => void;
}

interface Side {
  storage: "s3" | "local";
  server: ScriptFerryd;
  dataDir: string;
  work: string;
  tool: FerryTool;
  put: Transfer;
  get: Transfer;
}

function emptyTransfer(): Transfer {
  return {
    seconds: [],
    serverSeconds: [],
    clientCpuSeconds: [],
    serverCpuSeconds: [],
    serverPeakRssMiB: [],
    cephCpuSeconds: [],
  };
}

async function auditSeconds(dataDir: string, event: "put" | "get"): Promise<number> {
  const lines = (await Deno.readTextFile(`${dataDir}/state/audit.log`)).trim().split("\n");
  const last = lines.map((line) => JSON.parse(line)).filter((e) => e.event === event).at(-1);
  return Number(last?.durationMs ?? NaN) / 1000;
}

/** CPU seconds of the Ceph daemons (monitor, OSD, gateway) so far. */
async function cephCpu(cluster: CephClusterInfo): Promise<number> {
  let sum = 0;
  for (const pid of cluster.pids) sum += (await cpuTimes(pid).catch(() => ({ self: NaN }))).self;
  return sum;
}

async function openSide(
  storage: "s3" | "local",
  source: string,
  cluster: CephClusterInfo,
): Promise<Side> {
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-bench-data-" });
  const work = await Deno.makeTempDir({ prefix: "ferry-bench-work-" });
  // ferryd on S3 reads its settings from the FERRY_S3_* variables.
  const s3Env = storage === "local" ? undefined : {
    FERRY_S3_ENDPOINT: cluster.endpoint,
    FERRY_S3_BUCKET: BUCKET,
    FERRY_S3_REGION: cluster.region,
    FERRY_S3_ACCESS_KEY_ID: cluster.accessKey,
    FERRY_S3_SECRET_ACCESS_KEY: cluster.secretKey,
    FERRY_S3_PREFIX: `ferryd-${crypto.randomUUID().slice(0, 8)}/`,
    FERRY_S3_CREATE_BUCKET: "1",
  };
  const server = await startFerryd({ dataDir, args: ["--log-level", "warn"], s3Env });
  await addUser(dataDir, "bench", PASSWORD, { s3Env });
  await Deno.link(source, `${work}/big.bin`);
  const tool = ferryTool({
    serverPid: server.process.pid,
    server: server.server,
    dataDir,
    work,
    home: `${work}/.ferry`,
    user: "bench",
    login: { password: PASSWORD },
    clientEntry: await freshClientBundle(ROOT),
  });
  return { storage, server, dataDir, work, tool, put: emptyTransfer(), get: emptyTransfer() };
}

async function closeSide(side: Side): Promise<void> {
  await side.server.stop();
  await removeQuietly(side.work);
  await removeQuietly(side.dataDir);
}

function ok(m: Measurement, what: string): Measurement {
  if (m.status !== "ok") throw new Error(`ferry ${what} failed: ${m.note}`);
  return m;
}

async function record(
  transfer: Transfer,
  side: Side,
  event: "put" | "get",
  cluster: CephClusterInfo,
  run: () => Promise<Measurement>,
): Promise<void> {
  const ceph = await cephCpu(cluster);
  const m = ok(await run(), `${event} (${side.storage})`);
  transfer.cephCpuSeconds.push(side.storage === "s3" ? await cephCpu(cluster) - ceph : NaN);
  transfer.seconds.push(m.seconds);
  transfer.serverSeconds.push(await auditSeconds(side.dataDir, event));
  transfer.clientCpuSeconds.push(m.clientCpuSeconds);
  transfer.serverCpuSeconds.push(m.serverCpuSeconds);
  transfer.serverPeakRssMiB.push(m.serverPeakRssMiB);
}

function ferryPut(side: Side, cluster: CephClusterInfo): Promise<void> {
  return record(side.put, side, "put", cluster, () =>
    measure(side.tool, {
      prepare: async () => {},
      commands: [side.tool.putFile("big.bin", "remote.bin")],
      concurrent: false,
      verify: async () => {},
      cleanup: async () => {},
    }));
}

function ferryGet(side: Side, cluster: CephClusterInfo, sha256: string): Promise<void> {
  const back = `${side.work}/back.bin`;
  return record(side.get, side, "get", cluster, () =>
    measure(side.tool, {
      prepare: async () => {},
      commands: [side.tool.getFile("remote.bin", "back.bin")],
      concurrent: false,
      verify: () => checkFile(back, sha256),
      cleanup: () => removeQuietly(back),
    }));
}

async function ferryRemove(side: Side): Promise<void> {
  const run = await runFerry(["rm", "remote.bin", "-q"], {
    server: side.server.server,
    work: side.work,
    home: `${side.work}/.ferry`,
    env: { FERRY_USER: "bench", FERRY_PASSWORD: PASSWORD },
  });
  if (run.code !== 0) throw new Error(`ferry rm remote.bin failed: ${run.stderr}`);
}

async function rgwTimed(
  list: number[],
  cpu: number[],
  cluster: CephClusterInfo,
  run: () => Promise<number>,
): Promise<void> {
  const ceph = await cephCpu(cluster);
  list.push(await run());
  cpu.push(await cephCpu(cluster) - ceph);
}

/**
 * Puts and gets one random file through ferryd on S3 (and on the local
 * folder, with `local`), and the same object straight through the RGW, in
 * interleaved rounds.
 *
 * @param options Size, rounds, cluster, comparison.
 * @returns Every round's numbers.
 * @throws {Error} When a transfer fails or a get does not verify.
 */
export async function benchFerrydStorage(options: FerrydBenchOptions = {}): Promise<S3BenchReport> {
  const note = options.note ?? ((): void => {});
  const rounds = options.rounds ?? 3;
  const cluster = options.cluster ?? await startCephCluster({ onStep: (s) => note(`ceph: ${s}`) });
  const folder = await Deno.makeTempDir({ prefix: "ferry-bench-src-" });
  const sides: Side[] = [];
  try {
    const source = `${folder}/big.bin`;
    const bytes = (options.sizeMiB ?? 1024) * MIB;
    const sha256 = await makeRandomFile(source, bytes);
    const body = await Deno.readFile(source);
    const rgw = new RgwDirect(cluster, BUCKET);
    sides.push(await openSide("s3", source, cluster));
    if (options.local) sides.push(await openSide("local", source, cluster));
    await rgw.ensureBucket();
    const direct: S3BenchReport["rgw"] = {
      putSeconds: [],
      getSeconds: [],
      putCephCpuSeconds: [],
      getCephCpuSeconds: [],
    };
    const back = `${folder}/rgw-back.bin`;
    for (let round = 0; round < rounds; round++) {
      const key = `rgw-direct-${round}.bin`;
      const rgwPut = (): Promise<void> =>
        rgwTimed(direct.putSeconds, direct.putCephCpuSeconds, cluster, () => rgw.put(key, body));
      const rgwGet = (): Promise<void> =>
        rgwTimed(direct.getSeconds, direct.getCephCpuSeconds, cluster, () => rgw.get(key, back));
      const rgwFirst = round % 2 === 0;
      if (rgwFirst) await rgwPut();
      for (const side of sides) await ferryPut(side, cluster);
      if (!rgwFirst) await rgwPut();
      if (rgwFirst) await rgwGet();
      for (const side of sides) await ferryGet(side, cluster, sha256);
      if (!rgwFirst) await rgwGet();
      await checkFile(back, sha256);
      await removeQuietly(back);
      await rgw.remove(key);
      for (const side of sides) await ferryRemove(side);
      const last = sides[0] as Side;
      note(
        `s3 round ${round + 1}/${rounds}: RGW put ${direct.putSeconds.at(-1)?.toFixed(1)} s, ` +
          `get ${direct.getSeconds.at(-1)?.toFixed(1)} s; ferry put ${
            last.put.seconds.at(-1)?.toFixed(1)
          } s, get ${last.get.seconds.at(-1)?.toFixed(1)} s`,
      );
    }
    return {
      bytes,
      rounds,
      rgw: direct,
      ferryd: sides.map((side) => ({ storage: side.storage, put: side.put, get: side.get })),
      verified: true,
    };
  } finally {
    for (const side of sides) await closeSide(side);
    await removeQuietly(folder);
    if (options.cluster === undefined) await stopCephCluster(cluster);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      size: { type: "string", default: "1024" },
      rounds: { type: "string", default: "3" },
      cluster: { type: "string" },
      local: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const report = await benchFerrydStorage({
    sizeMiB: Number(values.size),
    rounds: Number(values.rounds),
    local: values.local,
    note: (line) => Deno.stderr.writeSync(new TextEncoder().encode(`${line}\n`)),
    ...(values.cluster === undefined
      ? {}
      : { cluster: JSON.parse(await Deno.readTextFile(values.cluster)) }),
  });
  const text = values.json ? JSON.stringify(report, null, 2) : describeReport(report).join("\n");
  await Deno.stdout.write(new TextEncoder().encode(`${text}\n`));
  return report.verified ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
