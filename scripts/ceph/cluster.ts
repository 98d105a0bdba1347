/**
 * Brings up a single-node Ceph cluster with the RADOS Gateway on 127.0.0.1,
 * in one temporary folder and without systemd, and tears it down by PID.
 * Used by `up.ts`/`down.ts` and by the S3 test suite.
 *
 * @module
 */

import { Bringup } from "./_bringup.ts";
import { ensureCephInstalled } from "./_install.ts";
import { stopPids } from "./_stop.ts";

export { CephUnavailableError, ensureCephInstalled } from "./_install.ts";
export { isAlive, stopPids } from "./_stop.ts";

/** A running cluster, as printed by `up.ts` (JSON) and read by `down.ts`. */
export interface CephClusterInfo {
  /** The S3 endpoint, `http://127.0.0.1:PORT`. */
  endpoint: string;
  /** The S3 user's access key. */
  accessKey: string;
  /** The S3 user's secret key. */
  secretKey: string;
  /** The region to sign with. */
  region: string;
  /** The daemons' PIDs: monitor, OSD, gateway. */
  pids: number[];
  /** The temporary folder holding everything (removed by teardown). */
  dir: string;
  /** How long the bring-up took, in ms (package install not included). */
  bringUpMs: number;
  /** How long checking (and installing) the packages took, in ms. */
  installMs: number;
}

/** Options of {@linkcode startCephCluster}. */
export interface StartCephClusterOptions {
  /** The gateway's port. @default {a free port} */
  rgwPort?: number;
  /** The OSD block file's (sparse) size. @default {10 GiB} */
  blockBytes?: number;
  /**
   * Let the daemons outlive this process (the `up.ts` command); otherwise
   * they are children that keep it alive until {@linkcode stopCephCluster}.
   * @default {false}
   */
  detach?: boolean;
  /** Called with each step's name, for progress output. */
  onStep?: (step: string) => void;
}

/**
 * Installs the packages when missing (see {@linkcode ensureCephInstalled}),
 * then starts a monitor, one bluestore OSD on a sparse file and a gateway
 * (beast) on 127.0.0.1, and creates an S3 user. On failure everything
 * started is stopped and the folder removed.
 *
 * @param options Ports, size and whether to detach.
 * @returns The endpoint, keys, PIDs and folder.
 * @throws {CephUnavailableError} When the packages cannot be installed.
 * @throws {Error} When a step of the bring-up fails (with its log's tail).
 */
export async function startCephCluster(
  options: StartCephClusterOptions = {},
): Promise<CephClusterInfo> {
  const step = options.onStep ?? ((): void => {});
  step("checking the Ceph packages");
  const install = await ensureCephInstalled();
  const start = performance.now();
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "ferry_ceph_" }));
  const started: number[] = [];
  try {
    const cluster = new Bringup(dir, options, started, step);
    const info = await cluster.run();
    return {
      ...info,
      pids: [...started],
      bringUpMs: performance.now() - start,
      installMs: install.ms,
    };
  } catch (error) {
    await stopPids(started, dir).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}

/**
 * Stops every daemon of a cluster by PID (SIGTERM, then SIGKILL after a
 * grace period) and removes its folder.
 *
 * @param info What {@linkcode startCephCluster} returned.
 * @returns The PIDs that had to be killed with SIGKILL.
 */
export async function stopCephCluster(
  info: Pick<CephClusterInfo, "pids" | "dir">,
): Promise<number[]> {
  const killed = await stopPids(info.pids, info.dir);
  await Deno.remove(info.dir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  return killed;
}
