/**
 * The command line of the benchmark, and the workload sizes it selects.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Sizes, WORKLOAD_IDS } from "./workloads.ts";

/** The parsed command line of `scripts/bench.ts`. */
export interface BenchOptions {
  /** Small sizes, a few seconds (`--quick`, what CI runs). */
  quick: boolean;
  /** JSON on stdout instead of Markdown (`--json`). */
  json: boolean;
  /** ferry only, even when OpenSSH is there (`--no-ssh`). */
  noSsh: boolean;
  /** Never install OpenSSH with apt (`--no-install`). */
  noInstall: boolean;
  /** How ferry logs in (`--auth`); sftp and scp always use a key. */
  auth: "key" | "password";
  /** The workloads to run (`--only put-big,get-big`). */
  only: string[];
  /** Rounds per workload; the median is reported (`--repeat`). */
  repeat: number;
  /** The workload sizes (`--size` sets the big file). */
  sizes: Sizes;
  /** Also measure 1 big file through `ferryd --storage s3` on a real Ceph RGW (`--s3`). */
  s3: boolean;
  /** Print the usage and stop (`--help`). */
  help: boolean;
}

/** The usage text. */
export const USAGE = `Usage: deno task bench [options]

  --quick            small sizes, a few seconds (CI)
  --s3               also put/get the big file through ferryd --storage s3 on a Ceph RGW
                     brought up for the run (installs Ceph with apt when missing; ~40 s more)
  --size MIB         size of the big file (default 1024; 16 with --quick)
  --repeat N         rounds per workload, interleaved across clients; report the median
  --only ID,...      run only these workloads: ${WORKLOAD_IDS.join(",")}
  --json             JSON on stdout instead of Markdown
  --no-ssh           ferry only
  --no-install       never install OpenSSH with apt (CI never installs)
  --auth key|password  how ferry logs in (default key, like sftp and scp)
`;

/**
 * Parses the benchmark's command line.
 *
 * @param args `Deno.args`.
 * @returns The options, with the workload sizes for full or `--quick` mode.
 * @throws {RangeError} For a bad `--size`, `--repeat`, `--auth` or `--only`.
 */
export function parseBenchOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      size: { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      repeat: { type: "string", default: "1" },
      only: { type: "string", default: WORKLOAD_IDS.join(",") },
      "no-ssh": { type: "boolean", default: false },
      "no-install": { type: "boolean", default: false },
      auth: { type: "string", default: "key" },
      s3: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const bigMiB = values.size === undefined ? (values.quick ? 16 : 1024) : Number(values.size);
  if (!Number.isInteger(bigMiB) || bigMiB < 1) {
    throw new RangeError(`Cannot use --size "${values.size}": expected a whole number of MiB`);
  }
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new RangeError(`Cannot use --repeat "${values.repeat}": expected a positive integer`);
  }
  const auth = values.auth;
  if (auth !== "key" && auth !== "password") {
    throw new RangeError(`Cannot use --auth "${auth}": expected "key" or "password"`);
  }
  const only = values.only.split(",").map((s) => s.trim());
  const unknown = only.filter((id) => !(WORKLOAD_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    throw new RangeError(`Cannot run "${unknown.join(",")}": use ${WORKLOAD_IDS.join(",")}`);
  }
  const sizes: Sizes = values.quick
    ? {
      bigMiB,
      refMiB: 4,
      treeFiles: 100,
      treeFileBytes: 4096,
      clients: 4,
      clientMiB: 4,
      connects: 5,
    }
    : {
      bigMiB,
      refMiB: 64,
      treeFiles: 1000,
      treeFileBytes: 4096,
      clients: 16,
      clientMiB: 64,
      connects: 20,
    };
  return {
    quick: values.quick,
    json: values.json,
    noSsh: values["no-ssh"],
    noInstall: values["no-install"],
    auth,
    only,
    repeat,
    sizes,
    s3: values.s3,
    help: values.help,
  };
}
