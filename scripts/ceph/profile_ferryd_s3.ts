/**
 * Profiles ferryd on `--storage s3` with V8's CPU profiler during a put and
 * a get of one file through a running Ceph cluster, and prints where
 * ferryd's time goes (the functions with the most self time, and the same
 * grouped by layer, as `scripts/bench/profile.ts` does for the local folder).
 *
 * Usage: deno run -A scripts/ceph/profile_ferryd_s3.ts --cluster FILE [--mib N] [--keep DIR]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runFerry } from "../ferry.ts";
import { addUser, startFerryd } from "../ferryd.ts";
import { makeRandomFile, removeQuietly } from "../bench/fixtures.ts";
import { profileReport } from "../bench/profile.ts";
import type { CephClusterInfo } from "./cluster.ts";

const PASSWORD = "bench password";

async function profileOne(
  op: "put" | "get",
  dir: string,
  dataDir: string,
  work: string,
  s3Env: Record<string, string>,
): Promise<void> {
  const server = await startFerryd({
    dataDir,
    args: ["--log-level", "warn"],
    denoFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}/${op}-server`],
    s3Env,
  });
  try {
    const args = op === "put"
      ? ["put", "big.bin", "remote.bin"]
      : ["get", "remote.bin", "back.bin"];
    const run = await runFerry([...args, "-q"], {
      server: server.server,
      work,
      home: `${work}/.ferry`,
      env: { FERRY_USER: "bench", FERRY_PASSWORD: PASSWORD },
    });
    if (run.code !== 0) throw new Error(`ferry ${op} failed: ${run.stderr}`);
  } finally {
    // A clean stop, so that V8 writes the profile.
    await server.stop("SIGTERM");
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      cluster: { type: "string" },
      mib: { type: "string", default: "512" },
      keep: { type: "string" },
    },
  });
  if (values.cluster === undefined) throw new Error("usage: --cluster FILE (from up.ts --out)");
  const cluster: CephClusterInfo = JSON.parse(await Deno.readTextFile(values.cluster));
  const s3Env = {
    FERRY_S3_ENDPOINT: cluster.endpoint,
    FERRY_S3_BUCKET: "ferry-profile",
    FERRY_S3_REGION: cluster.region,
    FERRY_S3_ACCESS_KEY_ID: cluster.accessKey,
    FERRY_S3_SECRET_ACCESS_KEY: cluster.secretKey,
    FERRY_S3_PREFIX: `profile-${crypto.randomUUID().slice(0, 8)}/`,
    FERRY_S3_CREATE_BUCKET: "1",
  };
  const dir = values.keep ?? await Deno.makeTempDir({ prefix: "ferry-s3-profile-" });
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-s3-profile-data-" });
  const work = await Deno.makeTempDir({ prefix: "ferry-s3-profile-work-" });
  try {
    await addUser(dataDir, "bench", PASSWORD, { s3Env });
    await makeRandomFile(`${work}/big.bin`, Number(values.mib) * 1024 * 1024);
    await profileOne("put", dir, dataDir, work, s3Env);
    await profileOne("get", dir, dataDir, work, s3Env);
    let out = `CPU profiles of ferryd --storage s3, put and get of ${values.mib} MiB\n\n`;
    for (const op of ["put", "get"]) {
      out += await profileReport(`${dir}/${op}-server`, `${op}-server`, 20);
    }
    await Deno.stdout.write(new TextEncoder().encode(out));
  } finally {
    await removeQuietly(dataDir);
    await removeQuietly(work);
    if (values.keep === undefined) await removeQuietly(dir);
  }
}
