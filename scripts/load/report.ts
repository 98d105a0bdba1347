/**
 * The load tool's report: counts, rates, latencies and memory, as text or
 * JSON.
 *
 * @module
 */

import type { Outcome, SessionResult } from "./load_session.ts";

/** Percentiles of a set of milliseconds. */
export interface Spread {
  /** Median. */
  p50: number;
  /** 99th percentile. */
  p99: number;
  /** The worst. */
  max: number;
}

/** What a load run found. */
export interface LoadReport {
  /** The run. */
  meta: {
    date: string;
    deno: string;
    cores: number;
    sessions: number;
    fileBytes: number;
    serveArgs: string[];
    loadAverage: number;
  };
  /** Sessions by outcome. */
  outcomes: Record<Outcome, number>;
  /** Why sessions did not succeed, with how many each ("step: message"). */
  reasons: Record<string, number>;
  /** Seconds from the first connect to the last session's end. */
  stormSeconds: number;
  /** CPU seconds (user + system) ferryd spent during the storm. */
  serverCpuSeconds: number;
  /** Successful logins per second, over the time until the last of them. */
  loginsPerSecond: number;
  /** Connect to logged in, successful logins only. */
  loginMs: Spread;
  /** Connect to the end of the session, successful sessions only. */
  sessionMs: Spread;
  /** The `stat` of a session logged in before the storm, while it ran. */
  probe: { stats: number; errors: number; p50Ms: number; worstMs: number };
  /** ferryd's resident memory in MiB: before, peak during, and idle after the storm. */
  rssMiB: { before: number; peak: number; idle: number; idleAfterSeconds: number };
}

/** Nearest-rank percentiles; all `NaN` for no values. */
export function spreadOf(values: number[]): Spread {
  if (values.length === 0) return { p50: NaN, p99: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] as number };
}

/** Counts outcomes and failure reasons (numbers in a reason are folded, so alike ones group). */
export function tally(
  results: SessionResult[],
): { outcomes: Record<Outcome, number>; reasons: Record<string, number> } {
  const outcomes: Record<Outcome, number> = { ok: 0, busy: 0, silent: 0, error: 0 };
  const reasons: Record<string, number> = {};
  for (const result of results) {
    outcomes[result.outcome]++;
    if (result.reason === undefined) continue;
    const reason = result.reason.replace(/\d+/g, "N");
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  return { outcomes, reasons };
}

const ms = (value: number): string => Number.isNaN(value) ? "-" : `${value.toFixed(0)} ms`;
const mib = (value: number): string => Number.isNaN(value) ? "-" : `${value.toFixed(0)} MiB`;

/** The report as text, one figure a line. */
export function toText(report: LoadReport): string {
  const { outcomes, probe, rssMiB } = report;
  const lines = [
    `ferry load: ${report.meta.sessions} sessions at once (login + put + get + list, ` +
    `${report.meta.fileBytes} B files), ${report.meta.cores} cores, load ${report.meta.loadAverage}` +
    (report.meta.serveArgs.length ? `, serve ${report.meta.serveArgs.join(" ")}` : ""),
    `  succeeded        ${outcomes.ok}`,
    `  busy answers     ${outcomes.busy}`,
    `  silent failures  ${outcomes.silent}`,
    `  other errors     ${outcomes.error}`,
    ...Object.entries(report.reasons).map(([reason, count]) => `    ${count} x ${reason}`),
    `  storm            ${report.stormSeconds.toFixed(1)} s, ${
      report.loginsPerSecond.toFixed(1)
    } logins/s, ferryd CPU ${report.serverCpuSeconds.toFixed(1)} s`,
    `  login latency    p50 ${ms(report.loginMs.p50)}, p99 ${ms(report.loginMs.p99)}, max ${
      ms(report.loginMs.max)
    }`,
    `  session latency  p50 ${ms(report.sessionMs.p50)}, p99 ${ms(report.sessionMs.p99)}, max ${
      ms(report.sessionMs.max)
    }`,
    `  logged-in stat   ${probe.stats} during the storm: p50 ${ms(probe.p50Ms)}, worst ${
      ms(probe.worstMs)
    }${probe.errors ? `, ${probe.errors} failed` : ""}`,
    `  ferryd RSS       ${mib(rssMiB.before)} before, ${mib(rssMiB.peak)} peak, ${
      mib(rssMiB.idle)
    } idle ${rssMiB.idleAfterSeconds} s after`,
  ];
  return lines.join("\n") + "\n";
}
