/**
 * Tears down a cluster started by `up.ts`: stops each daemon by PID
 * (SIGTERM, then SIGKILL after 15 s) and removes its folder.
 *
 * Usage: deno run -A scripts/ceph/down.ts FILE_OR_JSON
 *
 * The argument is the file written by `up.ts --out`, or its JSON line.
 *
 * @module
 */

import { stopCephCluster } from "./cluster.ts";

const encoder = new TextEncoder();

function say(text: string): void {
  Deno.stderr.writeSync(encoder.encode(`${text}\n`));
}

async function main(): Promise<number> {
  const [arg] = Deno.args;
  if (arg === undefined) {
    say("usage: down.ts FILE_OR_JSON");
    return 2;
  }
  const text = arg.trimStart().startsWith("{") ? arg : await Deno.readTextFile(arg);
  const info = JSON.parse(text) as { pids?: unknown; dir?: unknown };
  const pids = Array.isArray(info.pids) ? info.pids.filter(Number.isSafeInteger) : [];
  if (typeof info.dir !== "string" || !info.dir.includes("ferry_ceph_")) {
    say(`Cannot tear down: "dir" is not a ferry Ceph folder`);
    return 2;
  }
  const start = performance.now();
  const killed = await stopCephCluster({ pids, dir: info.dir });
  say(
    `ceph: stopped ${pids.length} daemons in ${((performance.now() - start) / 1000).toFixed(1)} s` +
      (killed.length > 0 ? ` (SIGKILL: ${killed.join(", ")})` : ""),
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main());
