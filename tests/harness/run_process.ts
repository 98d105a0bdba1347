/**
 * Runs a command to its end, feeding it `stdin`, and collects its output.
 *
 * @module
 */

/** What a finished process gave. */
export interface ProcessRun {
  /** Exit code. */
  code: number;
  /** Standard output as bytes. */
  stdoutBytes: Uint8Array;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
}

/**
 * Spawns `command` (built with `stdin: "piped"` when `stdin` is given),
 * writes `stdin`, and waits for the end.
 */
export async function runToEnd(command: Deno.Command, stdin?: string): Promise<ProcessRun> {
  const child = command.spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdoutBytes: output.stdout,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
