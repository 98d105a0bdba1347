/**
 * Brings up a single-node Ceph cluster with an S3 gateway on 127.0.0.1 and
 * prints one JSON line: `{"endpoint","accessKey","secretKey","region","pids",
 * "dir","bringUpMs","installMs"}`. The daemons keep running after this
 * command exits; stop them with `down.ts`.
 *
 * Usage: deno run -A scripts/ceph/up.ts [--out FILE] [--port N]
 *
 * Exit codes: 0 up; 1 the bring-up failed; 2 usage; 69
 * ({@linkcode CEPH_UNAVAILABLE_EXIT_CODE}) the Ceph packages are missing
 * and cannot be installed.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CephUnavailableError, startCephCluster } from "./cluster.ts";

/** The exit code when Ceph cannot be installed (EX_UNAVAILABLE of sysexits.h). */
export const CEPH_UNAVAILABLE_EXIT_CODE = 69;

const encoder = new TextEncoder();

function say(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(`${text}\n`);
  let done = 0;
  while (done < bytes.byteLength) done += stream.writeSync(bytes.subarray(done));
}

async function main(): Promise<number> {
  let values: { out?: string | undefined; port?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: { out: { type: "string" }, port: { type: "string" } },
    }));
  } catch (error) {
    say(Deno.stderr, `usage: up.ts [--out FILE] [--port N]: ${(error as Error).message}`);
    return 2;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    say(Deno.stderr, `usage: up.ts [--out FILE] [--port N]: port "${values.port}" is not valid`);
    return 2;
  }
  try {
    const info = await startCephCluster({
      detach: true,
      ...(port === undefined ? {} : { rgwPort: port }),
      onStep: (step) => say(Deno.stderr, `ceph: ${step}`),
    });
    const line = JSON.stringify(info);
    if (values.out !== undefined) await Deno.writeTextFile(values.out, `${line}\n`);
    say(Deno.stdout, line);
    say(Deno.stderr, `ceph: up in ${(info.bringUpMs / 1000).toFixed(1)} s at ${info.endpoint}`);
    return 0;
  } catch (error) {
    if (error instanceof CephUnavailableError) {
      say(Deno.stderr, `\n!!! CEPH UNAVAILABLE: ${error.message}\n`);
      return CEPH_UNAVAILABLE_EXIT_CODE;
    }
    say(Deno.stderr, error instanceof Error ? error.message : String(error));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main());
