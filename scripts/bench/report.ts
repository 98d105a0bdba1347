/**
 * The benchmark's results: rates, the ferry/sftp ratio, the memory check of
 * issue 6, and their Markdown and JSON forms.
 *
 * @module
 */

import type { Measurement } from "./measure.ts";
import type { ToolName } from "./tools.ts";
import type { Sizes, Unit, Workload, WorkloadId } from "./workloads.ts";

const GIB = 1024 * 1024 * 1024;

/** One client's measurement with its rate. */
export interface ToolResult extends Measurement {
  /** Bytes (as MB, 10^6), files or connections per second; `NaN` unless ok. */
  rate: number;
  /** Client CPU seconds per GiB moved; `NaN` unless ok and counted in bytes. */
  clientCpuPerGiB: number;
  /** Server CPU seconds per GiB moved; `NaN` unless ok and counted in bytes. */
  serverCpuPerGiB: number;
}

/** One workload on every client. */
export interface WorkloadResult {
  /** Its name. */
  id: WorkloadId;
  /** What it does. */
  title: string;
  /** The unit of `rate`. */
  unit: Unit;
  /** Per client. */
  results: ToolResult[];
  /** ferry's rate over sftp's (above 1: ferry is faster); `null` when either is missing. */
  ferryOverSftp: number | null;
}

/** Issue 6, item 3: ferryd's memory must not grow with file size or clients. */
export interface MemoryCheck {
  /** ferryd's resident memory before the first workload, MiB. */
  idleMiB: number;
  /** Peak during put and get of the reference file, MiB. */
  refMiB: { put: number; get: number };
  /** Peak during put and get of the big file, MiB. */
  bigMiB: { put: number; get: number };
  /** Peak with many clients at once, MiB. */
  concurrentMiB: number;
  /** Big minus reference, the worse of put and get, MiB (goal: at most 20). */
  growthMiB: number;
  /** Goal: at most 150 MiB with 16 clients. */
  concurrentUnder150: boolean;
}

/** Everything the benchmark reports. */
export interface BenchReport {
  /** Where and how it ran. */
  meta: {
    date: string;
    deno: string;
    cores: number;
    loadAverage: { start: number; end: number };
    openssh: string | null;
    scpProtocol: string | null;
    sshCipher: string | null;
    ferryCipher: string;
    ferryLogin: "key" | "password";
    quick: boolean;
    repeat: number;
    sizes: Sizes;
    notes: string[];
  };
  /** Per workload. */
  workloads: WorkloadResult[];
  /** The memory check; `null` when its workloads did not run. */
  memory: MemoryCheck | null;
}

/**
 * Adds rates and the ferry/sftp ratio to a workload's measurements.
 *
 * @param workload The workload.
 * @param measurements One per client.
 * @returns The result.
 */
export function workloadResult(workload: Workload, measurements: Measurement[]): WorkloadResult {
  const bytes = workload.unit === "MB/s";
  const gib = workload.amount / GIB;
  const results = measurements.map((m): ToolResult => {
    const perSecond = workload.amount / m.seconds;
    const rate = m.status !== "ok" ? NaN : bytes ? perSecond / 1e6 : perSecond;
    const perGiB = (cpu: number): number => m.status === "ok" && bytes ? cpu / gib : NaN;
    return {
      ...m,
      rate,
      clientCpuPerGiB: perGiB(m.clientCpuSeconds),
      serverCpuPerGiB: perGiB(m.serverCpuSeconds),
    };
  });
  const rateOf = (tool: ToolName): number => results.find((r) => r.tool === tool)?.rate ?? NaN;
  const ratio = rateOf("ferry") / rateOf("sftp");
  return {
    id: workload.id,
    title: workload.title,
    unit: workload.unit,
    results,
    ferryOverSftp: Number.isFinite(ratio) ? ratio : null,
  };
}

/**
 * Works out the memory check from ferry's measurements.
 *
 * @param results Every workload result.
 * @param idleMiB ferryd's resident memory before the workloads.
 * @returns The check, or `null` when a workload it needs did not run.
 */
export function memoryCheck(results: WorkloadResult[], idleMiB: number): MemoryCheck | null {
  const peak = (id: WorkloadId): number =>
    results.find((w) => w.id === id)?.results.find((r) => r.tool === "ferry")
      ?.serverPeakRssMiB ?? NaN;
  const refMiB = { put: peak("put-ref"), get: peak("get-ref") };
  const bigMiB = { put: peak("put-big"), get: peak("get-big") };
  const concurrentMiB = peak("put-concurrent");
  const growthMiB = Math.max(bigMiB.put - refMiB.put, bigMiB.get - refMiB.get);
  if (Number.isNaN(growthMiB) && Number.isNaN(concurrentMiB)) return null;
  return {
    idleMiB,
    refMiB,
    bigMiB,
    concurrentMiB,
    growthMiB,
    concurrentUnder150: concurrentMiB < 150,
  };
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

function rateText(r: ToolResult | undefined): string {
  if (r === undefined) return "–";
  if (r.status !== "ok") return r.status;
  return fixed(r.rate, r.rate >= 100 ? 0 : r.rate >= 10 ? 1 : 2);
}

const SERVER_NAME: Record<ToolName, string> = { ferry: "ferryd", sftp: "sshd", scp: "sshd" };

/**
 * The CPU seconds per GiB of each side for the workloads that move bytes:
 * the client (its process and descendants, such as sftp's ssh) and the
 * server (ferryd, or the sshd listener with its reaped session processes).
 */
function cpuPerGiBTable(workloads: WorkloadResult[], tools: ToolName[]): string[] {
  const moving = workloads.filter((w) => w.unit === "MB/s");
  if (moving.length === 0) return [];
  const cell = (w: WorkloadResult, pick: (r: ToolResult) => number): string =>
    tools.map((tool) => {
      const r = w.results.find((x) => x.tool === tool);
      return r === undefined ? "–" : fixed(pick(r), 2);
    }).join(" / ");
  return [
    "",
    `| CPU seconds per GiB | client (${tools.join(" / ")}) | server (${
      tools.map((tool) => SERVER_NAME[tool]).join(" / ")
    }) |`,
    "| --- | ---: | ---: |",
    ...moving.map((w) =>
      `| ${w.title} | ${cell(w, (r) => r.clientCpuPerGiB)} | ${cell(w, (r) => r.serverCpuPerGiB)} |`
    ),
  ];
}

/**
 * Formats the report as Markdown: one table of rates and costs, one of CPU
 * seconds per GiB on each side, notes, and the memory check.
 *
 * @param report The report.
 * @returns Markdown text.
 */
export function toMarkdown(report: BenchReport): string {
  const tools = [...new Set(report.workloads.flatMap((w) => w.results.map((r) => r.tool)))];
  const each = (w: WorkloadResult, pick: (r: ToolResult) => string): string =>
    tools.map((tool) => {
      const r = w.results.find((x) => x.tool === tool);
      return r === undefined || r.status !== "ok" ? "–" : pick(r);
    }).join(" / ");
  const hasSftp = tools.includes("sftp");
  const slash = tools.join(" / ");
  const lines = [
    `| workload | unit | ${tools.join(" | ")} |${hasSftp ? " ferry/sftp |" : ""} ` +
    `client CPU s (${slash}) | server CPU s (${slash}) | server peak RSS MiB (${slash}) |`,
    `| --- | --- | ${tools.map(() => "---:").join(" | ")} |${hasSftp ? " ---: |" : ""} ` +
    "---: | ---: | ---: |",
  ];
  const notes: string[] = [];
  for (const w of report.workloads) {
    const rates = tools.map((tool) => rateText(w.results.find((r) => r.tool === tool)));
    const ratio = hasSftp
      ? ` ${w.ferryOverSftp === null ? "–" : w.ferryOverSftp.toFixed(2)} |`
      : "";
    lines.push(
      `| ${w.title} | ${w.unit} | ${rates.join(" | ")} |${ratio} ` +
        `${each(w, (r) => fixed(r.clientCpuSeconds, 2))} | ` +
        `${each(w, (r) => fixed(r.serverCpuSeconds, 2))} | ` +
        `${each(w, (r) => fixed(r.serverPeakRssMiB, 0))} |`,
    );
    for (const r of w.results) {
      if (r.note) notes.push(`- ${r.tool}, ${w.id}: ${r.status}: ${r.note}`);
    }
  }
  const m = report.meta;
  const out = [
    `ferry ${tools.length > 1 ? "vs OpenSSH " : ""}on loopback, ${m.date}: deno ${m.deno}` +
    (m.openssh ? `, ${m.openssh}` : "") + (m.quick ? " (--quick)" : "") +
    `, ${m.cores} cores, load average ${m.loadAverage.start} → ${m.loadAverage.end}` +
    `, median of ${m.repeat}`,
    "",
    ...lines,
    ...cpuPerGiBTable(report.workloads, tools),
    "",
    ...m.notes.map((note) => `- ${note}`),
    ...notes,
  ];
  const mem = report.memory;
  if (mem) {
    const big = m.sizes.bigMiB;
    const ref = m.sizes.refMiB;
    out.push(
      "",
      `| ferryd memory (issue 6, item 3) | MiB |`,
      "| --- | ---: |",
      `| idle, before the workloads | ${fixed(mem.idleMiB, 0)} |`,
      `| peak during put / get of ${ref} MiB | ${fixed(mem.refMiB.put, 0)} / ${
        fixed(mem.refMiB.get, 0)
      } |`,
      `| peak during put / get of ${big} MiB | ${fixed(mem.bigMiB.put, 0)} / ${
        fixed(mem.bigMiB.get, 0)
      } |`,
      `| growth ${ref} MiB → ${big} MiB (goal ≤ 20) | ${fixed(mem.growthMiB, 0)} |`,
      `| peak with ${m.sizes.clients} clients at once (goal < 150) | ${
        fixed(mem.concurrentMiB, 0)
      } |`,
    );
  }
  return out.join("\n") + "\n";
}

/**
 * Formats the report as JSON (`NaN` becomes `null`).
 *
 * @param report The report.
 * @returns JSON text.
 */
export function toJson(report: BenchReport): string {
  return JSON.stringify(
    report,
    (_key, value) => typeof value === "number" && !Number.isFinite(value) ? null : value,
    2,
  ) + "\n";
}
