/**
 * Benchmarks ferry on loopback with real processes: put and get of one large
 * file, and the server's peak RSS after a small and after a large transfer
 * (memory must not grow with the file size).
 *
 * Usage: deno task bench [--size MIB] [--quick] [--json]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { addUser, startFerryd } from "../tests/harness/ferryd_process.ts";
import { runFerry } from "../tests/harness/ferry_process.ts";
import { sha256File, writeRandomFile } from "../tests/harness/fixture.ts";

const MIB = 1024 * 1024;

interface Row {
  workload: string;
  bytes: number;
  seconds: number;
  mbPerSecond: number;
  serverPeakRssMiB: number;
}

/**
 * Peak resident set size of a process, from /proc (Linux). Deno asks for
 * --allow-all to read /proc/PID directly, so `cat` reads it.
 */
async function peakRssMiB(pid: number): Promise<number> {
  const output = await new Deno.Command("cat", { args: [`/proc/${pid}/status`] }).output();
  const status = new TextDecoder().decode(output.stdout);
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      size: { type: "string", default: "1024" },
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const bigMiB = values.quick ? 32 : Number(values.size);
  const smallMiB = values.quick ? 4 : 64;
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-bench-data-" });
  const work = await Deno.makeTempDir({ prefix: "ferry-bench-work-" });
  const password = "bench-password";
  await addUser(dataDir, "bench", password);
  await using server = await startFerryd({ dataDir, args: ["--log-level", "warn"] });
  const rows: Row[] = [];
  const client = { server: server.server, cwd: work, user: "bench", password };
  try {
    for (const mib of [smallMiB, bigMiB]) {
      const name = `file-${mib}.bin`;
      const hash = await writeRandomFile(`${work}/${name}`, mib * MIB);
      for (const op of ["put", "get"] as const) {
        const args = op === "put" ? ["put", name, "-q"] : ["get", name, `back-${name}`, "-q"];
        const started = performance.now();
        const run = await runFerry(args, client);
        const seconds = (performance.now() - started) / 1000;
        if (run.code !== 0) throw new Error(`${op} failed: ${run.stderr}`);
        rows.push({
          workload: `${op} ${mib} MiB`,
          bytes: mib * MIB,
          seconds,
          mbPerSecond: mib * MIB / 1e6 / seconds,
          serverPeakRssMiB: await peakRssMiB(server.process.pid),
        });
      }
      if (await sha256File(`${work}/back-${name}`) !== hash) throw new Error("Round trip differs");
      await Deno.remove(`${work}/back-${name}`);
      await Deno.remove(`${work}/${name}`);
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  await server.stop();
  await Deno.remove(dataDir, { recursive: true });
  const out = values.json ? JSON.stringify(rows, null, 2) : [
    "| workload | MB/s | seconds | server peak RSS (MiB) |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map((r) =>
      `| ${r.workload} | ${r.mbPerSecond.toFixed(0)} | ${r.seconds.toFixed(2)} | ${
        r.serverPeakRssMiB.toFixed(0)
      } |`
    ),
  ].join("\n");
  await Deno.stdout.write(new TextEncoder().encode(out + "\n"));
}

if (import.meta.main) await main();
