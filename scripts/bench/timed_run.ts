/**
 * Runs one client command and measures its wall time and the CPU time of the
 * command and all its descendants (sftp's ssh, the ferry client's threads).
 *
 * @module
 */

/** A command to run. */
export interface CommandSpec {
  /** The program. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Its working folder. */
  cwd: string;
  /** Its environment (replaces the inherited one when given). */
  env?: Record<string, string>;
  /** Text for standard input; `null` input otherwise. */
  stdin?: string;
}

/** What a timed run gave. */
export interface TimedRun {
  /** Exit code. */
  code: number;
  /** Wall-clock seconds from spawn to exit. */
  seconds: number;
  /** User plus system CPU seconds of the command and its descendants. */
  cpuSeconds: number;
  /** Standard output. */
  stdout: string;
  /** Standard error, without the timing lines. */
  stderr: string;
}

const MARK = "@@ferry-bench-times@@";

// `times` in the wrapping shell reports its waited-for children, i.e. the
// command and everything the command waited for (getrusage RUSAGE_CHILDREN).
const WRAPPER = `"$@"; rc=$?; echo "${MARK}" >&2; times >&2; exit $rc`;

const decoder = new TextDecoder();

function parseClock(text: string): number {
  const match = /^(\d+)m([\d.]+)s$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
}

/**
 * Runs `spec` under `bash` and reads the children's CPU time from `times`.
 *
 * @param spec The command.
 * @returns Exit code, wall time, CPU time and output.
 */
export async function timedRun(spec: CommandSpec): Promise<TimedRun> {
  const child = new Deno.Command("bash", {
    args: ["-c", WRAPPER, "bench", spec.command, ...spec.args],
    cwd: spec.cwd,
    ...(spec.env === undefined ? {} : { env: spec.env, clearEnv: true }),
    stdin: spec.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const started = performance.now();
  const process = child.spawn();
  if (spec.stdin !== undefined) {
    const writer = process.stdin.getWriter();
    await writer.write(new TextEncoder().encode(spec.stdin));
    await writer.close();
  }
  const output = await process.output();
  const seconds = (performance.now() - started) / 1000;
  const stderr = decoder.decode(output.stderr);
  const at = stderr.lastIndexOf(MARK);
  const tail = at < 0 ? [] : stderr.slice(at + MARK.length).trim().split("\n");
  // Line 1: the shell itself; line 2: its children.
  const [user, sys] = (tail[1] ?? "").trim().split(/\s+/).map(parseClock);
  return {
    code: output.code,
    seconds,
    cpuSeconds: (user ?? NaN) + (sys ?? NaN),
    stdout: decoder.decode(output.stdout),
    stderr: at < 0 ? stderr : stderr.slice(0, at),
  };
}

/**
 * Runs several commands at once and waits for all of them.
 *
 * @param specs The commands.
 * @returns Their runs, and the wall time from the first spawn to the last exit.
 */
export async function timedRunAll(
  specs: CommandSpec[],
): Promise<{ runs: TimedRun[]; seconds: number }> {
  const started = performance.now();
  const runs = await Promise.all(specs.map((spec) => timedRun(spec)));
  return { runs, seconds: (performance.now() - started) / 1000 };
}
