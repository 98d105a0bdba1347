/**
 * The S3 back end against a real Ceph RADOS Gateway on 127.0.0.1: one
 * cluster per run (brought up by `scripts/ceph/`, about 16 s), shared by
 * every case, then torn down by PID. First `S3Storage` itself, then real
 * ferryd processes with `--storage s3` and real clients: the core suite's
 * cases (the same bodies as against the local folder) and several ferryd
 * instances on one bucket. Every case is a step with its own key prefix.
 *
 * When the Ceph packages cannot be installed, the suite is ignored under a
 * name that says so; with `FERRY_S3_REQUIRED=1` (CI) it fails instead.
 * `FERRY_S3_CLUSTER=FILE` runs the cases against a cluster already up (the
 * JSON that `scripts/ceph/up.ts --out FILE` wrote), which it leaves running.
 *
 * @module
 */

import {
  CephUnavailableError,
  ensureCephInstalled,
  startCephCluster,
  stopCephCluster,
} from "../../scripts/ceph/cluster.ts";
import { FERRYD_CORE_CASES, FERRYD_INSTANCE_CASES } from "./_cases_ferryd.ts";
import { INSTANCE_CASES } from "./_cases_instances.ts";
import { PART_CASES } from "./_cases_parts.ts";
import { STATE_CASES } from "./_cases_state.ts";
import { TRANSFER_CASES } from "./_cases_transfer.ts";
import { TREE_CASES } from "./_cases_tree.ts";
import { S3World } from "./_world.ts";

const REQUIRED = Deno.env.get("FERRY_S3_REQUIRED") === "1";
const RUNNING = Deno.env.get("FERRY_S3_CLUSTER");

let unavailable: string | undefined;
try {
  if (RUNNING === undefined) await ensureCephInstalled();
} catch (error) {
  if (!(error instanceof CephUnavailableError)) throw error;
  unavailable = error.message;
}

if (unavailable !== undefined && !REQUIRED) {
  Deno.test({
    name: `S3 back end - !!! NOT RUN: ${unavailable} (set FERRY_S3_REQUIRED=1 to fail instead)`,
    ignore: true,
    fn(): void {},
  });
} else {
  Deno.test("S3 back end - against a real Ceph RGW", async (t) => {
    if (unavailable !== undefined) {
      throw new Error(`The S3 suite is required (FERRY_S3_REQUIRED=1): ${unavailable}`);
    }
    const cluster = RUNNING === undefined
      ? await startCephCluster()
      : JSON.parse(await Deno.readTextFile(RUNNING));
    try {
      const world = new S3World(cluster);
      await t.step("S3Storage", async (t) => {
        for (
          const [name, run] of [
            ...TRANSFER_CASES,
            ...PART_CASES,
            ...TREE_CASES,
            ...INSTANCE_CASES,
            ...STATE_CASES,
          ]
        ) {
          await t.step(name, () => run(world));
        }
      });
      await t.step("ferryd --storage s3", async (t) => {
        for (const [name, run] of [...FERRYD_CORE_CASES, ...FERRYD_INSTANCE_CASES]) {
          await t.step(name, () => run(world));
        }
      });
    } finally {
      if (RUNNING === undefined) await stopCephCluster(cluster);
    }
  });
}
