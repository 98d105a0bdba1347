/**
 * The numbers of `bench_ferryd_s3.ts` and their text form: ferry's rates
 * through `ferryd --storage s3` as a ratio of the RGW's own PUT and GET of
 * the same object in the same rounds, and the CPU seconds per GiB of each
 * side.
 *
 * @module
 */

import { medianOf, spread } from "../bench/stats.ts";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** One direction of ferry transfers, one value per round. */
export interface Transfer {
  /** Client process start to exit, s. */
  seconds: number[];
  /** The transfer as ferryd's audit log records it, s. */
  serverSeconds: number[];
  /** The client's CPU (user + sys), s. */
  clientCpuSeconds: number[];
  /** ferryd's CPU (user + sys), s. */
  serverCpuSeconds: number[];
  /** ferryd's peak resident memory during the transfer, MiB. */
  serverPeakRssMiB: number[];
  /** The Ceph daemons' CPU during the transfer, s (`NaN` on the local folder). */
  cephCpuSeconds: number[];
}

/** One back end's numbers. */
export interface FerrydBenchResult {
  /** `s3` or `local`. */
  storage: "s3" | "local";
  /** Uploads. */
  put: Transfer;
  /** Downloads. */
  get: Transfer;
}

/** Everything `benchFerrydStorage` measured. */
export interface S3BenchReport {
  /** The file's size. */
  bytes: number;
  /** Rounds run. */
  rounds: number;
  /** The RGW's own PUT and GET of the same object, one value per round. */
  rgw: {
    putSeconds: number[];
    getSeconds: number[];
    putCephCpuSeconds: number[];
    getCephCpuSeconds: number[];
  };
  /** ferryd on S3 first, then (with `local`) on the local folder. */
  ferryd: FerrydBenchResult[];
  /** Every get came back byte for byte. */
  verified: boolean;
}

/**
 * ferry's rate over the RGW's, round by round (the RGW's seconds over
 * ferry's): above 1, ferry is faster.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perRoundRatios } from "./s3_report.ts";
 * assert.deepEqual(perRoundRatios([4, 6], [5, 6]), [0.8, 1]);
 * ```
 */
export function perRoundRatios(rgwSeconds: number[], ferrySeconds: number[]): number[] {
  return ferrySeconds.map((seconds, round) => (rgwSeconds[round] ?? NaN) / seconds);
}

function rates(bytes: number, seconds: number[]): number[] {
  return seconds.map((s) => bytes / 1e6 / s);
}

function perGiB(bytes: number, cpu: number[]): string {
  return medianOf(cpu.map((s) => s / (bytes / GIB))).toFixed(2);
}

/**
 * One line per measure, such as
 * `ferryd --storage s3    put 1024 MiB: 96 MB/s (90–99; server 98 MB/s) ...`.
 *
 * @param report The report.
 * @returns Text lines.
 */
export function describeReport(report: S3BenchReport): string[] {
  const { bytes, rgw } = report;
  const size = `${(bytes / MIB).toFixed(0)} MiB`;
  const of = `median of ${report.rounds}, lowest–highest`;
  const lines = [
    `RGW's own PUT of ${size} (one request from memory): ${
      spread(rates(bytes, rgw.putSeconds), 0)
    } MB/s; Ceph CPU ${perGiB(bytes, rgw.putCephCpuSeconds)} s/GiB`,
    `RGW's own GET of ${size} (into a file):           ${
      spread(rates(bytes, rgw.getSeconds), 0)
    } MB/s; Ceph CPU ${perGiB(bytes, rgw.getCephCpuSeconds)} s/GiB`,
  ];
  for (const result of report.ferryd) {
    const label = `ferryd --storage ${result.storage}`.padEnd(20);
    for (const [verb, t] of [["put", result.put], ["get", result.get]] as const) {
      const ceph = result.storage === "s3" ? `, Ceph ${perGiB(bytes, t.cephCpuSeconds)}` : "";
      lines.push(
        `${label} ${verb} ${size}: ${spread(rates(bytes, t.seconds), 0)} MB/s (server ${
          medianOf(rates(bytes, t.serverSeconds)).toFixed(0)
        } MB/s); CPU s/GiB client ${perGiB(bytes, t.clientCpuSeconds)}, ferryd ${
          perGiB(bytes, t.serverCpuSeconds)
        }${ceph}; ferryd peak RSS ${Math.max(...t.serverPeakRssMiB).toFixed(0)} MiB`,
      );
    }
    if (result.storage === "s3") {
      lines.push(
        `ferry --storage s3 over the RGW's own, per round (goal ≥ 0.8): put ${
          spread(perRoundRatios(rgw.putSeconds, result.put.seconds), 2)
        }, get ${spread(perRoundRatios(rgw.getSeconds, result.get.seconds), 2)}`,
      );
    }
  }
  lines.push(`(${of}; every get verified by SHA-256: ${report.verified})`);
  return lines;
}
