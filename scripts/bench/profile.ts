/**
 * Profiles ferryd and the ferry client with V8's CPU profiler during a put
 * and a get of one file (or, with `--tree N`, `put -r` and `get -r` of N
 * files of 4 KiB), and prints where the time goes: the functions with the
 * most self time, and the same grouped by layer.
 *
 * Usage: deno run -A scripts/bench/profile.ts [--mib N | --tree N] [--keep DIR]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { clientPermissionFlags } from "../../lib/sandbox/permission_flags.ts";
import { ROOT } from "../launch.ts";
import { addUser, startFerryd } from "../ferryd.ts";
import { makeRandomFile, makeTree, removeQuietly } from "./fixtures.ts";

/** Self time of one function or layer. */
export interface ProfileLine {
  /** `function file:line`, or the layer's name. */
  name: string;
  /** Milliseconds of self time. */
  selfMs: number;
  /** Share of the profile's busy (non-idle) time. */
  share: number;
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const IDLE = "idle (waiting for I/O)";

/** Layers, by the first pattern that matches `function url`. */
const LAYERS: [string, RegExp][] = [
  [IDLE, /^\(idle\)/],
  ["garbage collector", /^\(garbage collector\)/],
  ["AEAD (lib/noise cipher)", /cipher_functions|cipher_state|[Cc]ipheriv|[Dd]ecipheriv|chacha/],
  ["SHA-256 (node:crypto hash)", /[Hh]ash|digest/],
  ["Web Streams (deno_web)", /streams|ext:deno_web/],
  ["file and socket ops", /ext:deno_(fs|net|io)|op_(read|write|net|fs)/],
  ["ferry wire/protocol/storage", /\/lib\//],
  ["other runtime", /./],
];

/**
 * Sums the self time of a `.cpuprofile` per function and per layer.
 *
 * @param profile The parsed profile.
 * @returns Top functions (busy time only) and layers.
 */
export function summarize(
  profile: CpuProfile,
): { functions: ProfileLine[]; layers: ProfileLine[] } {
  const intervalMs = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const byFunction = new Map<string, number>();
  const byLayer = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = (hits.get(node.id) ?? 0) * intervalMs;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\//, "");
    const name = `${functionName || "(anonymous)"} ${file}${file ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    const layer = LAYERS.find(([, pattern]) => pattern.test(`${functionName} ${url}`))?.[0] ??
      "other runtime";
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + ms);
  }
  const idle = byLayer.get(IDLE) ?? 0;
  const total = [...byLayer.values()].reduce((a, b) => a + b, 0);
  const lines = (map: Map<string, number>): ProfileLine[] =>
    [...map].map(([name, selfMs]) => ({
      name,
      selfMs,
      share: name === IDLE ? NaN : selfMs / (total - idle),
    }))
      .sort((a, b) => b.selfMs - a.selfMs);
  return {
    functions: lines(byFunction).filter((l) => !l.name.startsWith("(idle)")),
    layers: lines(byLayer),
  };
}

async function run(args: string[], cwd: string, env: Record<string, string>): Promise<void> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`Cannot run "${args.at(-3)}": ${new TextDecoder().decode(output.stderr)}`);
  }
}

async function profileOne(
  op: "put" | "get",
  dir: string,
  dataDir: string,
  work: string,
  tree: boolean,
): Promise<void> {
  const server = await startFerryd({
    dataDir,
    args: ["--log-level", "warn"],
    denoFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}/${op}-server`],
  });
  const port = server.port;
  try {
    const flags = clientPermissionFlags({
      workDir: work,
      stateDir: `${work}/.ferry`,
      server: `127.0.0.1:${port}`,
    });
    const name = tree ? "tree" : "big.bin";
    // `put tree tree` would upload the tree twice (the second "tree" is a local source too).
    const args = [op, ...(tree ? ["-r"] : []), name, ...(op === "get" ? [`back-${name}`] : [])];
    await run(
      [
        "run",
        "--cpu-prof",
        `--cpu-prof-dir=${dir}/${op}-client`,
        ...flags,
        `${ROOT}/client.ts`,
        "--server",
        `127.0.0.1:${port}`,
        "--accept-new-host-key",
        "-q",
        ...args,
      ],
      work,
      { FERRY_HOME: `${work}/.ferry`, FERRY_USER: "bench", FERRY_PASSWORD: "bench-password" },
    );
  } finally {
    // A clean stop, so that V8 writes the profile.
    await server.stop("SIGTERM");
  }
}

/**
 * The main thread's profile among the files `--cpu-prof` wrote for one
 * process: each Worker thread (ferryd's scrypt workers) writes its own
 * `CPU.TIME.PID.worker-N.cpuprofile` beside the main thread's
 * `CPU.TIME.PID.cpuprofile`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mainThreadProfile } from "./profile.ts";
 * const files = ["CPU.2.7.worker-1.cpuprofile", "CPU.1.7.cpuprofile", "notes.txt"];
 * assert.equal(mainThreadProfile(files), "CPU.1.7.cpuprofile");
 * assert.equal(mainThreadProfile(["CPU.2.7.worker-1.cpuprofile"]), undefined);
 * ```
 *
 * @param files File names in the profile folder.
 * @returns The main thread's file, or `undefined` when none was written.
 */
export function mainThreadProfile(files: string[]): string | undefined {
  return files.filter((name) => name.endsWith(".cpuprofile"))
    .find((name) => !/\.worker-\d+\.cpuprofile$/.test(name));
}

/**
 * The Markdown report of the main-thread profile V8 wrote into `dir`: the
 * layers, then the `top` functions with the most self time.
 *
 * @param dir The folder given to `--cpu-prof-dir`.
 * @param label The heading.
 * @param top How many functions to list.
 * @returns The report, or a line saying no main-thread profile was written.
 */
export async function profileReport(dir: string, label: string, top = 15): Promise<string> {
  const files = [];
  for await (const entry of Deno.readDir(dir)) files.push(entry.name);
  const file = mainThreadProfile(files);
  if (file === undefined) return `(no main-thread profile written for ${label})\n`;
  const { functions, layers } = summarize(
    JSON.parse(await Deno.readTextFile(`${dir}/${file}`)),
  );
  const row = (l: ProfileLine): string =>
    `| ${l.name.replaceAll("|", "\\|")} | ${l.selfMs.toFixed(0)} | ${
      Number.isFinite(l.share) ? `${(100 * l.share).toFixed(1)} %` : "–"
    } |`;
  return [
    `### ${label}`,
    "",
    "| layer | self ms | of busy |",
    "| --- | ---: | ---: |",
    ...layers.map(row),
    "",
    "| function | self ms | of busy |",
    "| --- | ---: | ---: |",
    ...functions.slice(0, top).map(row),
    "",
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      mib: { type: "string", default: "512" },
      tree: { type: "string" },
      keep: { type: "string" },
    },
  });
  const tree = values.tree !== undefined;
  const dir = values.keep ?? await Deno.makeTempDir({ prefix: "ferry-profile-" });
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-profile-data-" });
  const work = await Deno.makeTempDir({ prefix: "ferry-profile-work-" });
  try {
    await addUser(dataDir, "bench", "bench-password");
    if (tree) await makeTree(`${work}/tree`, Number(values.tree), 4096);
    else await makeRandomFile(`${work}/big.bin`, Number(values.mib) * 1024 * 1024);
    await profileOne("put", dir, dataDir, work, tree);
    await profileOne("get", dir, dataDir, work, tree);
    const what = tree ? `-r of ${values.tree} files of 4 KiB` : `of ${values.mib} MiB`;
    let out = `CPU profiles of a put and a get ${what} (deno ${Deno.version.deno})\n\n`;
    for (const label of ["put-client", "put-server", "get-server", "get-client"]) {
      out += await profileReport(`${dir}/${label}`, label);
    }
    await Deno.stdout.write(new TextEncoder().encode(out));
  } finally {
    await removeQuietly(dataDir);
    await removeQuietly(work);
    if (values.keep === undefined) await removeQuietly(dir);
  }
}
