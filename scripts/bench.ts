/**
 * Benchmarks ferry side by side with OpenSSH's sftp and scp on loopback, with
 * real processes: ferryd on a temporary data folder and a private sshd on its
 * own port, config and throwaway keys. See docs/PERFORMANCE.md.
 *
 * Usage: deno task bench [--quick] [--json] [--size MIB] [--repeat N]
 *          [--only ID,...] [--no-ssh] [--no-install] [--auth key|password]
 *
 * @module
 */

import { freshClientBundle } from "./client_bundle.ts";
import { ROOT } from "./launch.ts";
import { runFerry } from "./ferry.ts";
import { addUser, type ScriptFerryd, startFerryd } from "./ferryd.ts";
import {
  copyTree,
  fileCreationMicros,
  makeRandomFile,
  makeTree,
  removeQuietly,
  SetAside,
} from "./bench/fixtures.ts";
import { measure, type Measurement, median, notRun, probe } from "./bench/measure.ts";
import { parseBenchOptions, USAGE } from "./bench/options.ts";
import { capture } from "./bench/proc_stats.ts";
import {
  type BenchReport,
  memoryCheck,
  toJson,
  toMarkdown,
  type WorkloadResult,
  workloadResult,
} from "./bench/report.ts";
import { openSshSide, type SshSide } from "./bench/ssh_side.ts";
import { type FerryTool, ferryTool, type Tool } from "./bench/tools.ts";
import {
  type FileFixture,
  type Fixtures,
  type Sizes,
  type Workload,
  workloads,
} from "./bench/workloads.ts";

const MIB = 1024 * 1024;
const PASSWORD = "bench-password";
const encoder = new TextEncoder();

function note(line: string): void {
  Deno.stderr.writeSync(encoder.encode(`bench: ${line}\n`));
}

/** Says how fast the file system created files when the run began (see {@linkcode SetAside}). */
function fileCreationNote(micros: number): string {
  const each = `${Math.round(micros)} µs per file of 4 KiB`;
  return micros > SLOW_CREATION_MICROS
    ? `file creation was slow at the start (${each}): files were deleted in bulk shortly ` +
      "before (an earlier run's clean-up?), and the tree rows measure that; run again in a few minutes"
    : `file creation at the start: ${each}`;
}

/** Above this, creating a file is in the slow phase that follows mass deletions (tens of µs otherwise). */
const SLOW_CREATION_MICROS = 150;

async function loadAverage(): Promise<number> {
  return Number((await capture("cat", ["/proc/loadavg"])).split(" ")[0]);
}

async function fileFixture(work: string, name: string, mib: number): Promise<FileFixture> {
  return { name, bytes: mib * MIB, sha256: await makeRandomFile(`${work}/${name}`, mib * MIB) };
}

async function makeFixtures(work: string, sizes: Sizes): Promise<Fixtures> {
  note(`writing test data into ${work}`);
  const ref = await fileFixture(work, "ref.bin", sizes.refMiB);
  return {
    work,
    ref,
    big: await fileFixture(work, "big.bin", sizes.bigMiB),
    client: sizes.clientMiB === sizes.refMiB
      ? ref
      : await fileFixture(work, "client.bin", sizes.clientMiB),
    tree: {
      name: "tree",
      manifest: await makeTree(`${work}/tree`, sizes.treeFiles, sizes.treeFileBytes),
    },
    setAside: new SetAside(`${work}/set-aside`),
  };
}

/** Why ferry cannot do `put -r` / `get -r` in this build, when it cannot. */
async function probeTrees(ferry: Tool, work: string): Promise<Map<string, string>> {
  await makeTree(`${work}/probe-tree`, 2, 16);
  await copyTree(`${work}/probe-tree`, `${ferry.remoteRoot}/probe-get`);
  const reasons = new Map<string, string>();
  const put = await probe(ferry.putTree("probe-tree", "probe-put"));
  const get = await probe(ferry.getTree("probe-get", "probe-back"));
  if (put) reasons.set("put-tree", `not supported by this build (${put})`);
  if (get) reasons.set("get-tree", `not supported by this build (${get})`);
  for (const path of ["probe-put", "probe-get"]) await removeQuietly(`${ferry.remoteRoot}/${path}`);
  for (const path of ["probe-tree", "probe-back"]) await removeQuietly(`${work}/${path}`);
  return reasons;
}

/** Runs one workload on every client, `repeat` rounds interleaved (ferry, sftp, scp, ferry, ...). */
async function runWorkload(
  workload: Workload,
  tools: Tool[],
  repeat: number,
  unsupported: Map<string, string>,
): Promise<WorkloadResult> {
  const runs = new Map<Tool, Measurement[]>(tools.map((tool) => [tool, []]));
  for (let round = 0; round < repeat; round++) {
    for (const tool of tools) {
      const done = runs.get(tool) as Measurement[];
      if (done.some((m) => m.status !== "ok")) continue;
      const reason = tool.name === "ferry" ? unsupported.get(workload.id) : undefined;
      const plan = workload.plan(tool);
      const result = reason !== undefined
        ? notRun(tool.name, "n/a", reason)
        : plan === undefined
        ? notRun(tool.name, "n/a", `${tool.name} cannot do this`)
        : await measure(tool, plan);
      done.push(result);
      const outcome = result.status === "ok" ? `${result.seconds.toFixed(2)} s` : result.status;
      note(`${workload.id} ${tool.name} (${round + 1}/${repeat}): ${outcome}`);
    }
  }
  return workloadResult(workload, tools.map((tool) => median(runs.get(tool) as Measurement[])));
}

async function startFerry(
  dataDir: string,
  work: string,
  home: string,
  auth: "key" | "password",
): Promise<{ server: ScriptFerryd; ferry: FerryTool; clientEntry: string | undefined }> {
  // As `deno task client` runs it: the launcher's bundle when it can be built.
  const clientEntry = await freshClientBundle(ROOT);
  const key = await runFerry(["keygen", `${home}/id_x25519`], { work, home });
  if (key.code !== 0) throw new Error(`Cannot make a ferry identity: ${key.stderr}`);
  await addUser(dataDir, "bench", PASSWORD, { args: ["--key", key.stdout.trim()] });
  const server = await startFerryd({ dataDir, args: ["--log-level", "warn"] });
  const ferry = ferryTool({
    serverPid: server.process.pid,
    server: server.server,
    dataDir,
    work,
    home,
    user: "bench",
    login: auth === "key" ? { identity: `${home}/id_x25519` } : { password: PASSWORD },
    clientEntry,
  });
  const warm = await probe(ferry.list(""));
  if (warm !== undefined) {
    await server.stop();
    throw new Error(`Cannot log in with ferry: ${warm}`);
  }
  return { server, ferry, clientEntry };
}

/**
 * Puts and gets one file through a real ferryd on `--storage s3` (and, for
 * comparison, on the local folder), and the same object straight through
 * the RGW, in interleaved rounds, on a Ceph RGW brought up for the run.
 */
async function benchS3(sizeMiB: number, rounds: number, json: boolean): Promise<void> {
  const { benchFerrydStorage, describeReport } = await import("./ceph/bench_ferryd_s3.ts");
  const report = await benchFerrydStorage({ sizeMiB, rounds, local: true, note });
  const text = json
    ? JSON.stringify({ s3: report }, null, 2) + "\n"
    : "\n## ferryd on S3 (Ceph RGW) against the RGW's own PUT and GET\n\n" +
      describeReport(report).map((line) => `    ${line}\n`).join("");
  await Deno.stdout.write(encoder.encode(text));
}

async function main(): Promise<number> {
  const opts = parseBenchOptions(Deno.args);
  if (opts.help) {
    await Deno.stdout.write(encoder.encode(USAGE));
    return 0;
  }
  const loadAtStart = await loadAverage();
  const cores = navigator.hardwareConcurrency;
  if (loadAtStart > cores / 2) {
    note(`the machine is busy (load average ${loadAtStart} on ${cores} cores): numbers are noisy`);
  }
  const notes: string[] = [];
  const [work, home, dataDir] = await Promise.all(
    ["work", "home", "data"].map((name) => Deno.makeTempDir({ prefix: `ferry-bench-${name}-` })),
  ) as [string, string, string];
  let ssh: SshSide | undefined;
  try {
    const started = await startFerry(dataDir, work, home, opts.auth);
    await using server = started.server;
    const ferry = started.ferry;
    if (!opts.noSsh) ssh = await openSshSide({ work, install: !opts.noInstall, note });
    if (ssh === undefined) notes.push("OpenSSH not available: ferry only");
    notes.push(
      started.clientEntry === undefined
        ? "ferry client: client.ts (its bundle could not be built)"
        : "ferry client: the bundle `deno task client` runs (.cache/client.js)",
    );
    const tools: Tool[] = [ferry, ...(ssh?.tools ?? [])];
    const fixtures = await makeFixtures(work, opts.sizes);
    notes.push(fileCreationNote(fileCreationMicros(`${work}/creation-probe`)));
    await fixtures.setAside.move(`${work}/creation-probe`);
    const unsupported = await probeTrees(ferry, work);
    const status = await capture("cat", [`/proc/${server.process.pid}/status`]);
    const idleMiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
    const results: WorkloadResult[] = [];
    for (const workload of workloads(opts.sizes, fixtures)) {
      if (opts.only.includes(workload.id)) {
        results.push(await runWorkload(workload, tools, opts.repeat, unsupported));
      }
    }
    const loadAtEnd = await loadAverage();
    const report: BenchReport = {
      meta: {
        date: new Date().toISOString().slice(0, 16).replace("T", " "),
        deno: Deno.version.deno,
        cores,
        loadAverage: { start: loadAtStart, end: loadAtEnd },
        openssh: ssh?.version ?? null,
        scpProtocol: ssh?.scpProtocol ?? null,
        sshCipher: ssh?.cipher ?? null,
        ferryCipher: "Noise_XX_25519_ChaChaPoly_SHA256",
        ferryLogin: opts.auth,
        quick: opts.quick,
        repeat: opts.repeat,
        sizes: opts.sizes,
        notes: [...notes, ...(ssh?.notes ?? [])],
      },
      workloads: results,
      memory: memoryCheck(results, idleMiB),
    };
    await Deno.stdout.write(encoder.encode(opts.json ? toJson(report) : toMarkdown(report)));
    await server.stop();
    if (opts.s3) await benchS3(opts.sizes.bigMiB, opts.repeat, opts.json);
    return results.some((w) => w.results.some((r) => r.status === "error")) ? 1 : 0;
  } finally {
    await ssh?.stop();
    for (const dir of [work, home, dataDir]) await removeQuietly(dir);
  }
}

if (import.meta.main) Deno.exit(await main());
