/**
 * A/B comparison of two ferry trees (two git worktrees), ferry only: runs
 * `deno task bench --only IDS --no-ssh --json` in each, alternately, and
 * prints the median and the spread (lowest–highest) of each measure: rate,
 * client and server CPU, ferryd's peak RSS, and the memory check (growth
 * from the reference file to the big one, peak with many clients) when its
 * workloads ran. Alternating rounds keep a
 * burst of load from elsewhere off one side only; this is how the "before →
 * after" figures of docs/PERFORMANCE.md were taken.
 *
 * Usage:
 *   git worktree add /tmp/before HEAD~1
 *   deno run -A scripts/bench/ab.ts --rounds 6 --only put-tree,get-tree /tmp/before .
 *
 * `--out FILE` keeps every round's numbers as JSON, rewritten after each run.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { BenchReport } from "./report.ts";
import { spread } from "./stats.ts";

/** One measure of one workload in one tree, over the rounds. */
export interface AbLine {
  /** The tree (its folder). */
  tree: string;
  /** The workload id. */
  workload: string;
  /** Rates per round (MB/s, files/s or connects/s). */
  rates: number[];
  /** Client CPU seconds per round. */
  clientCpu: number[];
  /** Server CPU seconds per round. */
  serverCpu: number[];
  /** ferryd's peak resident memory per round, MiB. */
  serverRss: number[];
}

/** The memory check of one tree, over the rounds. */
export interface AbMemory {
  /** The tree (its folder). */
  tree: string;
  /** RSS growth from the reference file to the big one per round, MiB. */
  growth: number[];
  /** Peak RSS with many clients per round, MiB. */
  concurrent: number[];
}

function note(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`ab: ${line}\n`));
}

async function benchOnce(
  tree: string,
  only: string,
  size: string | undefined,
): Promise<BenchReport> {
  const args = ["task", "bench", "--only", only, "--no-ssh", "--json"];
  if (size !== undefined) args.push("--size", size);
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: tree,
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!output.success) throw new Error(`Cannot run the benchmark in "${tree}"`);
  return JSON.parse(new TextDecoder().decode(output.stdout)) as BenchReport;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "6" },
      only: { type: "string", default: "put-tree,get-tree" },
      size: { type: "string" },
      out: { type: "string" },
    },
    allowPositionals: true,
  });
  const rounds = Number(values.rounds);
  if (positionals.length < 2 || !Number.isInteger(rounds) || rounds < 1) {
    note("usage: ab.ts [--rounds N] [--only IDS] [--size MIB] [--out FILE] TREE_A TREE_B [...]");
    Deno.exit(2);
  }
  const lines = new Map<string, AbLine>();
  const memory = new Map<string, AbMemory>();
  for (let round = 0; round < rounds; round++) {
    for (const tree of positionals) {
      let report: BenchReport;
      try {
        report = await benchOnce(tree, values.only, values.size);
      } catch (error) {
        note(`round ${round + 1}/${rounds} in ${tree}: ${(error as Error).message}; skipped`);
        continue;
      }
      for (const workload of report.workloads) {
        const ferry = workload.results.find((result) => result.tool === "ferry");
        if (ferry?.status !== "ok") continue;
        const key = `${tree}\u0000${workload.id}`;
        const line = lines.get(key) ??
          { tree, workload: workload.id, rates: [], clientCpu: [], serverCpu: [], serverRss: [] };
        line.rates.push(ferry.rate);
        line.clientCpu.push(ferry.clientCpuSeconds);
        line.serverCpu.push(ferry.serverCpuSeconds);
        line.serverRss.push(ferry.serverPeakRssMiB ?? NaN);
        lines.set(key, line);
      }
      if (report.memory !== null) {
        const check = memory.get(tree) ?? { tree, growth: [], concurrent: [] };
        check.growth.push(report.memory.growthMiB ?? NaN);
        check.concurrent.push(report.memory.concurrentMiB ?? NaN);
        memory.set(tree, check);
      }
      note(`round ${round + 1}/${rounds} done in ${tree}`);
      if (values.out !== undefined) {
        const raw = { lines: [...lines.values()], memory: [...memory.values()] };
        await Deno.writeTextFile(values.out, JSON.stringify(raw, null, 2) + "\n");
      }
    }
  }
  const rows = [
    `Median (lowest–highest) of ${rounds} interleaved rounds.`,
    "",
    "| workload | tree | rate | client CPU s | server CPU s | server peak RSS MiB |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  ];
  const sorted = [...lines.values()].sort((a, b) => a.workload.localeCompare(b.workload));
  for (const line of sorted) {
    rows.push(
      `| ${line.workload} | ${line.tree} | ${spread(line.rates, 0)} | ${
        spread(line.clientCpu, 2)
      } | ${spread(line.serverCpu, 2)} | ${spread(line.serverRss, 0)} |`,
    );
  }
  if (memory.size > 0) {
    rows.push("", "| tree | RSS growth ref → big MiB | peak with many clients MiB |");
    rows.push("| --- | ---: | ---: |");
    for (const check of memory.values()) {
      rows.push(
        `| ${check.tree} | ${spread(check.growth, 0)} | ${spread(check.concurrent, 0)} |`,
      );
    }
  }
  await Deno.stdout.write(new TextEncoder().encode(rows.join("\n") + "\n"));
}
