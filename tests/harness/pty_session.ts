/**
 * A command on a real pseudo-terminal (util-linux `script`), driven as a
 * person drives it: wait until something is on screen, pause, type, press
 * Ctrl-C. For the terminal suite (tests/terminal/). Under `CI=true` a
 * missing `script` is installed with apt-get, and the suite fails rather
 * than skips when that does not work.
 *
 * @module
 */

import { setTimeout as delay } from "node:timers/promises";
import { aptGetInstall } from "./apt_get.ts";

async function hasScript(): Promise<boolean> {
  return await new Deno.Command("sh", { args: ["-c", "command -v script"] }).output()
    .then((output) => output.code === 0, () => false);
}

/**
 * Whether `script` is there; under CI it is installed when missing
 * (`apt-get install bsdutils`), as the S3 suite installs Ceph.
 */
export async function ensureScript(): Promise<boolean> {
  if (await hasScript()) return true;
  if (Deno.env.get("CI") !== "true") return false;
  const install = await aptGetInstall(["bsdutils"]);
  if (!await hasScript()) {
    throw new Error(`CI=true: cannot install \`script\` (util-linux): ${install.output}`);
  }
  return true;
}

const CTRL_C = "\u0003";

/** A running command on a pseudo-terminal. */
export class PtySession implements AsyncDisposable {
  /** Everything the terminal showed so far, as it came. */
  screen = "";
  /** The same without terminal control sequences (what {@linkcode expect} matches). */
  text = "";
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #from = 0;
  #changed: () => void = () => {};
  #reading: Promise<void>;
  #ended = false;

  /**
   * Starts `command` (words, quoted for `sh`) on a terminal.
   *
   * @param command The program and its arguments.
   * @param options The folder it runs in and its whole environment.
   */
  constructor(command: string[], options: { cwd: string; env: Record<string, string> }) {
    const line = command.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
    this.#child = new Deno.Command("script", {
      args: ["-q", "-e", "-c", `stty cols 100 rows 30; exec ${line}`, "/dev/null"],
      cwd: options.cwd,
      env: { TERM: "xterm", ...options.env },
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const child = this.#child;
    this.#writer = child.stdin.getWriter();
    this.#reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stdout) {
        const piece = decoder.decode(chunk, { stream: true });
        this.screen += piece;
        // deno-lint-ignore no-control-regex
        this.text = this.screen.replace(/\u001b\[[0-9;?]*[@-~]/g, "");
        this.#changed();
      }
      this.#ended = true;
      this.#changed();
    })();
  }

  /** The process id of `script` (the command runs under it). */
  get pid(): number {
    return this.#child.pid;
  }

  /**
   * Waits until `pattern` shows (in {@linkcode text}) after what earlier waits matched.
   *
   * @throws {Error} after `timeoutMs` (generous: a loaded machine is slow), with the screen.
   */
  async expect(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.text.slice(this.#from));
      if (match) {
        this.#from += match.index + match[0].length;
        return match;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.#ended) {
        const why = this.#ended ? "the command ended" : `${timeoutMs} ms`;
        throw new Error(`Not on screen after ${why}: ${pattern}\n---\n${this.screen}`);
      }
      const changed = new Promise<void>((resolve) => this.#changed = resolve);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([changed, new Promise((resolve) => timer = setTimeout(resolve, left))]);
      clearTimeout(timer);
    }
  }

  /** Types `text` (after a person's pause of `pauseMs`, when given). */
  async type(text: string, pauseMs = 0): Promise<void> {
    if (pauseMs > 0) await delay(pauseMs);
    await this.#writer.write(new TextEncoder().encode(text));
  }

  /** Presses Ctrl-C (the terminal turns it into SIGINT for the running program). */
  async interrupt(): Promise<void> {
    await this.type(CTRL_C);
  }

  /** Waits for the command to end and returns its exit code (`script -e` passes it on). */
  async exitCode(timeoutMs = 60_000): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Still running:\n${this.screen}`)), timeoutMs);
    });
    try {
      const status = await Promise.race([this.#child.status, timeout]);
      await this.#reading;
      return status.code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops `script` by its PID if it still runs (the terminal's end hangs up the command). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#writer.close().catch(() => {});
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already ended
    }
    await this.#child.status;
    await this.#reading.catch(() => {});
  }
}
