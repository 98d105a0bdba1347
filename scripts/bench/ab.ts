/**
 * A/B comparison of two ferry trees (two git worktrees), ferry only: runs
 * `deno task bench --only IDS --no-ssh --json` in each, alternately, and
 * prints the median and the best of each measure. Alternating rounds keep a
 * burst of load from elsewhere off one side only; this is how the "before →
 * after" figures of docs/PERFORMANCE.md were taken.
 *
 * Usage:
 *   git worktree add /tmp/before HEAD~1
 *   deno run -A scripts/bench/ab.ts --rounds 6 --only put-tree,get-tree /tmp/before .
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { BenchReport } from "./report.ts";

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
}

/** The middle value (the lower middle for an even count). */
export function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
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
    },
    allowPositionals: true,
  });
  const rounds = Number(values.rounds);
  if (positionals.length < 2 || !Number.isInteger(rounds) || rounds < 1) {
    note("usage: ab.ts [--rounds N] [--only IDS] [--size MIB] TREE_A TREE_B [...]");
    Deno.exit(2);
  }
  const lines = new Map<string, AbLine>();
  for (let round = 0; round < rounds; round++) {
    for (const tree of positionals) {
      const report = await benchOnce(tree, values.only, values.size);
      for (const workload of report.workloads) {
        const ferry = workload.results.find((result) => result.tool === "ferry");
        if (ferry?.status !== "ok") continue;
        const key = `${tree}\u0000${workload.id}`;
        const line = lines.get(key) ??
          { tree, workload: workload.id, rates: [], clientCpu: [], serverCpu: [] };
        line.rates.push(ferry.rate);
        line.clientCpu.push(ferry.clientCpuSeconds);
        line.serverCpu.push(ferry.serverCpuSeconds);
        lines.set(key, line);
      }
      note(`round ${round + 1}/${rounds} done in ${tree}`);
    }
  }
  const rows = [
    "| workload | tree | rate median | rate best | client CPU s median | server CPU s median |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
  ];
  const sorted = [...lines.values()].sort((a, b) => a.workload.localeCompare(b.workload));
  for (const line of sorted) {
    rows.push(
      `| ${line.workload} | ${line.tree} | ${medianOf(line.rates).toFixed(0)} | ${
        Math.max(...line.rates).toFixed(0)
      } | ${medianOf(line.clientCpu).toFixed(2)} | ${medianOf(line.serverCpu).toFixed(2)} |`,
    );
  }
  await Deno.stdout.write(new TextEncoder().encode(rows.join("\n") + "\n"));
}
