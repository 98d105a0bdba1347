/**
 * Measures one workload on one client: wall time, client and server CPU, and
 * the server's peak resident memory, with the data checked afterwards.
 *
 * @module
 */

import { cpuTimes, RssSampler, waitForNoChildren } from "./proc_stats.ts";
import { type CommandSpec, type TimedRun, timedRun } from "./timed_run.ts";
import type { Tool, ToolName } from "./tools.ts";

/** How a workload's commands are run. */
export interface Plan {
  /** Puts the source data in place (not timed). */
  prepare(): Promise<void>;
  /** The client commands. */
  commands: CommandSpec[];
  /** Run them all at once (true) or one after the other (false). */
  concurrent: boolean;
  /** Checks the result (not timed); throws when it is wrong. */
  verify(): Promise<void>;
  /** Removes what the run made (not timed). */
  cleanup(): Promise<void>;
}

/** The outcome of one workload on one client. */
export interface Measurement {
  /** The client. */
  tool: ToolName;
  /** `ok`, `n/a` (the client cannot do it) or `error`. */
  status: "ok" | "n/a" | "error";
  /** Why `n/a` or `error`. */
  note?: string;
  /** Wall-clock seconds of the whole workload. */
  seconds: number;
  /** CPU seconds (user + sys) of all client processes. */
  clientCpuSeconds: number;
  /** CPU seconds (user + sys) of all server processes. */
  serverCpuSeconds: number;
  /** Peak resident memory of the server processes during the workload, MiB. */
  serverPeakRssMiB: number;
}

/** A measurement that did not run. */
export function notRun(tool: ToolName, status: "n/a" | "error", note: string): Measurement {
  return {
    tool,
    status,
    note,
    seconds: NaN,
    clientCpuSeconds: NaN,
    serverCpuSeconds: NaN,
    serverPeakRssMiB: NaN,
  };
}

function firstLine(text: string): string {
  return text.trim().split("\n").find((line) => line.trim() !== "")?.trim().slice(0, 200) ?? "";
}

async function runAll(plan: Plan): Promise<{ runs: TimedRun[]; seconds: number }> {
  const started = performance.now();
  const runs: TimedRun[] = [];
  if (plan.concurrent) {
    runs.push(...await Promise.all(plan.commands.map((spec) => timedRun(spec))));
  } else {
    for (const spec of plan.commands) {
      const run = await timedRun(spec);
      runs.push(run);
      if (run.code !== 0) break;
    }
  }
  return { runs, seconds: (performance.now() - started) / 1000 };
}

/**
 * Measures one run of a plan: prepares, runs, checks and cleans up. Server
 * CPU is the change in the server's own and its reaped children's time.
 *
 * @param tool The client and its server.
 * @param plan The plan.
 * @returns The measurement; `error` when a command failed or the data differs.
 */
export async function measure(tool: Tool, plan: Plan): Promise<Measurement> {
  try {
    await plan.prepare();
    await waitForNoChildren(tool.serverPid);
    const before = await cpuTimes(tool.serverPid);
    const sampler = RssSampler.start(tool.serverPid);
    let serverPeakRssMiB = NaN;
    let outcome: { runs: TimedRun[]; seconds: number };
    try {
      outcome = await runAll(plan);
      await waitForNoChildren(tool.serverPid);
    } finally {
      serverPeakRssMiB = await sampler.stop();
    }
    const { runs, seconds } = outcome;
    const after = await cpuTimes(tool.serverPid);
    const failed = runs.find((run) => run.code !== 0);
    if (failed) {
      return notRun(tool.name, "error", `exit ${failed.code}: ${firstLine(failed.stderr)}`);
    }
    await plan.verify();
    return {
      tool: tool.name,
      status: "ok",
      seconds,
      clientCpuSeconds: runs.reduce((sum, run) => sum + run.cpuSeconds, 0),
      serverCpuSeconds: after.self + after.children - before.self - before.children,
      serverPeakRssMiB,
    };
  } catch (error) {
    return notRun(tool.name, "error", error instanceof Error ? error.message : String(error));
  } finally {
    await plan.cleanup();
  }
}

/**
 * Picks the run with the median wall time, with the highest server peak RSS
 * of all runs (memory is judged by its worst case). Any failed run wins
 * instead, so that failures are never hidden.
 *
 * @param runs Runs of the same workload on the same client.
 * @returns The median run.
 */
export function median(runs: Measurement[]): Measurement {
  const failed = runs.find((run) => run.status !== "ok");
  if (failed) return failed;
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)] as Measurement;
  return { ...middle, serverPeakRssMiB: Math.max(...runs.map((run) => run.serverPeakRssMiB)) };
}

/**
 * Runs a command once, untimed, and says why it failed.
 *
 * @param spec The command.
 * @returns `undefined` on success, else the first line of its error output.
 */
export async function probe(spec: CommandSpec): Promise<string | undefined> {
  const run = await timedRun(spec);
  return run.code === 0 ? undefined : `exit ${run.code}: ${firstLine(run.stderr)}`;
}
