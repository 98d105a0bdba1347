/**
 * Process statistics from Linux `/proc`, read through subprocesses: Deno asks
 * for `--allow-all` before it reads `/proc/PID/*` itself, so `cat` and a small
 * `bash` loop read them instead.
 *
 * @module
 */

const decoder = new TextDecoder();

/** CPU time of a process, in seconds. */
export interface CpuTimes {
  /** User plus system time of the process itself (all its threads). */
  self: number;
  /** User plus system time of its children that have been waited for. */
  children: number;
}

let clockTicks: number | undefined;

/** Runs a command to its end and returns its standard output as text. */
export async function capture(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(
      `Cannot run "${command} ${args.join(" ")}": ${decoder.decode(output.stderr).trim()}`,
    );
  }
  return decoder.decode(output.stdout);
}

/** `getconf CLK_TCK`: the unit of the times in `/proc/PID/stat`. */
async function ticksPerSecond(): Promise<number> {
  clockTicks ??= Number((await capture("getconf", ["CLK_TCK"])).trim()) || 100;
  return clockTicks;
}

/**
 * Reads `utime`, `stime`, `cutime` and `cstime` of a process.
 *
 * @param pid The process.
 * @returns Its CPU times in seconds.
 * @throws {Error} When the process is gone.
 */
export async function cpuTimes(pid: number): Promise<CpuTimes> {
  const stat = await capture("cat", [`/proc/${pid}/stat`]);
  // The command name (field 2) may hold spaces: count fields after its ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).trim().split(" ").map(Number);
  const ticks = await ticksPerSecond();
  const at = (field: number): number => fields[field - 3] ?? 0;
  return { self: (at(14) + at(15)) / ticks, children: (at(16) + at(17)) / ticks };
}

/**
 * Lists the children of a process (all threads).
 *
 * @param pid The parent.
 * @returns Their process ids.
 */
export async function childPids(pid: number): Promise<number[]> {
  const text = await capture("bash", [
    "-c",
    'cat /proc/"$1"/task/*/children 2>/dev/null || true',
    "bench",
    String(pid),
  ]);
  return text.split(/\s+/).filter((s) => s !== "").map(Number);
}

/**
 * Waits until a server process has no child left (an sshd session ends a
 * little after its client), so that their CPU time is in `children`.
 *
 * @param pid The server process.
 * @param timeoutMs How long to wait at most.
 */
export async function waitForNoChildren(pid: number, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await childPids(pid)).length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Prints one line per sample: "<root VmHWM kB> <sum of VmRSS kB of all
// descendants> <count>". Writing 5 to clear_refs resets the root's VmHWM, so
// its peak is the peak of this measurement. Only bash builtins run in the
// loop: sampling forks nothing. EOF on stdin stops it after a last sample.
const SAMPLER = `
root=$1; interval=$2
echo 5 > /proc/$root/clear_refs 2>/dev/null
status() { rss=0; hwm=0; { while read -r key value _; do case $key in
  VmRSS:) rss=$value;; VmHWM:) hwm=$value;; esac; done < /proc/$1/status; } 2>/dev/null; }
walk() { local f k kids; for f in /proc/$1/task/*/children; do kids=()
  { read -r -a kids < "$f" || :; } 2>/dev/null
  for k in "\${kids[@]}"; do status "$k"; sum=$((sum + rss)); count=$((count + 1)); walk "$k"; done
  done; }
sample() { sum=0; count=0; walk "$root"; status "$root"; echo "$hwm $sum $count"; }
while :; do
  sample
  read -r -t "$interval" _; rc=$?
  if [ "$rc" -le 128 ] && [ "$rc" -ne 0 ]; then sample; exit 0; fi
done
`;

/**
 * Samples the resident memory of a server process and all its descendants
 * while a measurement runs. The root's own peak comes from `VmHWM` (reset at
 * the start, so it misses nothing); descendants are sampled every
 * `intervalMs`.
 *
 * @example
 * ```ts ignore
 * const sampler = RssSampler.start(server.pid);
 * await runWorkload();
 * const peakMiB = await sampler.stop();
 * ```
 */
export class RssSampler {
  #child: Deno.ChildProcess;
  #output: Promise<Deno.CommandOutput>;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#output = child.output();
  }

  /**
   * Starts sampling.
   *
   * @param pid The server process (ferryd, or the sshd listener).
   * @param intervalMs Time between two samples of the descendants.
   * @returns The running sampler.
   */
  static start(pid: number, intervalMs = 50): RssSampler {
    const child = new Deno.Command("bash", {
      args: ["-c", SAMPLER, "bench-rss", String(pid), String(intervalMs / 1000)],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    return new RssSampler(child);
  }

  /**
   * Stops sampling.
   *
   * @returns The peak of (root peak + descendants' resident memory) in MiB,
   *   or `NaN` when nothing could be read.
   */
  async stop(): Promise<number> {
    await this.#child.stdin.close();
    const output = await this.#output;
    let peakKiB = NaN;
    for (const line of decoder.decode(output.stdout).split("\n")) {
      const [hwm, sum] = line.split(" ").map(Number);
      if (hwm === undefined || sum === undefined || !(hwm > 0)) continue;
      peakKiB = Number.isNaN(peakKiB) ? hwm + sum : Math.max(peakKiB, hwm + sum);
    }
    return peakKiB / 1024;
  }
}
