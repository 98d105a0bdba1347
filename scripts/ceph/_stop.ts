/**
 * Stopping Ceph daemons by PID: never by name, and only a PID whose command
 * line names the cluster's own folder (a reused PID is left alone).
 *
 * @module
 */

const GRACE_MS = 15_000;

/**
 * Tells whether a process exists and is not a zombie.
 *
 * @param pid The process id.
 * @returns `true` while it runs.
 */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readProc(pid, "stat");
  return stat !== undefined && !/^\d+ \(.*\) [ZX]/s.test(stat);
}

/**
 * Reads `/proc/PID/NAME` through `cat`: Deno wants `--allow-all` to read
 * `/proc/PID` itself, and the test task only grants `--allow-run`.
 */
async function readProc(pid: number, name: string): Promise<string | undefined> {
  const output = await new Deno.Command("cat", {
    args: [`/proc/${pid}/${name}`],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return output.success ? new TextDecoder().decode(output.stdout) : undefined;
}

async function filterAsync<T>(
  items: readonly T[],
  test: (item: T) => Promise<boolean>,
): Promise<T[]> {
  const keep = await Promise.all(items.map(test));
  return items.filter((_, i) => keep[i]);
}

/**
 * Sends SIGTERM to each PID that still runs a program of the cluster in
 * `dir` (its command line names `dir`), waits up to 15 s for all of them,
 * then sends SIGKILL to what is left.
 *
 * @param pids The daemons' PIDs, in start order (stopped in reverse).
 * @param dir The cluster's folder, to recognise its processes.
 * @returns The PIDs that needed SIGKILL.
 */
export async function stopPids(pids: readonly number[], dir: string): Promise<number[]> {
  const ours = await filterAsync(pids, async (pid) => {
    return await isAlive(pid) && ((await readProc(pid, "cmdline")) ?? "").includes(dir);
  });
  for (const pid of [...ours].reverse()) signal(pid, "SIGTERM");
  const deadline = performance.now() + GRACE_MS;
  while ((await filterAsync(ours, isAlive)).length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const killed = await filterAsync(ours, isAlive);
  for (const pid of killed) signal(pid, "SIGKILL");
  const hardDeadline = performance.now() + 5_000;
  while ((await filterAsync(killed, isAlive)).length > 0 && performance.now() < hardDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return killed;
}

function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch {
    // Already gone.
  }
}
