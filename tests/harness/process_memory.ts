/**
 * The memory of a running process, from `/proc/PID/status`, read through
 * `cat`: Deno refuses `/proc` to `--allow-read` alone.
 *
 * @module
 */

async function statusField(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const { code, stdout } = await new Deno.Command("cat", {
    args: [`/proc/${pid}/status`],
    stdout: "piped",
    stderr: "null",
  }).output();
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(new TextDecoder().decode(stdout));
  return code === 0 && match ? Number(match[1]) / 1024 : 0;
}

/** The peak resident set (VmHWM) of a running process in MiB, or 0 once it is gone. */
export function peakRssMiB(pid: number): Promise<number> {
  return statusField(pid, "VmHWM");
}

/** The resident set now (VmRSS) of a running process in MiB, or 0 once it is gone. */
export function rssMiB(pid: number): Promise<number> {
  return statusField(pid, "VmRSS");
}
