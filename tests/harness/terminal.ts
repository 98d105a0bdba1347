/**
 * Runs the client on a pseudo-terminal (util-linux `script`) and answers
 * each prompt only once it is on screen, as a person would: for the tests
 * of the trust question and of the no-echo password and passphrase prompts.
 *
 * @module
 */

import { clientPermissionFlags } from "../../lib/sandbox/permission_flags.ts";
import { ROOT } from "./ferryd_process.ts";
import { ALICE_PASSWORD, type World } from "./fixture.ts";

/** Whether `script` is there (the tests say they skipped when not). */
export const HAS_SCRIPT: boolean = await new Deno.Command("sh", {
  args: ["-c", "command -v script"],
}).output().then((output) => output.code === 0, () => false);

/** One exchange: wait until the screen matches, then type. */
export interface TerminalStep {
  /** What must be on screen (after the previous answer). */
  await: RegExp;
  /** What to type. */
  type: string;
  /** Milliseconds to think before typing, as a person reading the screen does. */
  pauseMs?: number;
}

/** Options of {@linkcode converse}. */
export interface ConverseOptions {
  /** Trust the server without asking (default true). */
  acceptNewHostKey?: boolean;
  /** Set `FERRY_PASSWORD` (default true); without it the client prompts. */
  passwordFromEnv?: boolean;
  /** More environment variables. */
  env?: Record<string, string>;
  /** Run it as the README says, `deno task --config ROOT/deno.json client ...` (default false). */
  viaTask?: boolean;
}

/** Marks an answer on the screen, so that the next prompt must come after it. */
export const ANSWERED = "\u2063";

/**
 * Runs `client.ts ARGS` on a terminal, in its sandbox, answering `steps` in
 * order.
 *
 * @returns The exit code and everything the terminal showed.
 */
export async function converse(
  world: World,
  args: string[],
  steps: TerminalStep[],
  options: ConverseOptions = {},
): Promise<{ code: number; screen: string }> {
  const home = `${world.work}/.ferry`;
  const flags = clientPermissionFlags({
    workDir: world.work,
    stateDir: home,
    server: world.server.server,
  });
  const line = [
    Deno.execPath(),
    ...(options.viaTask
      ? ["task", "-q", "--config", `${ROOT}/deno.json`, "client"]
      : ["run", ...flags, `${ROOT}/client.ts`]),
    "--server",
    world.server.server,
    ...(options.acceptNewHostKey === false ? [] : ["--accept-new-host-key"]),
    ...args,
  ].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(" ");
  const env: Record<string, string> = { FERRY_HOME: home, FERRY_USER: "alice", TERM: "dumb" };
  if (options.passwordFromEnv !== false) env.FERRY_PASSWORD = ALICE_PASSWORD;
  Object.assign(env, options.env);
  const child = new Deno.Command("script", {
    args: ["-q", "-e", "-c", line, "/dev/null"],
    cwd: world.work,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const pending = [...steps];
  let screen = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    screen += decoder.decode(chunk, { stream: true });
    const step = pending[0];
    if (step && step.await.test(screen)) {
      pending.shift();
      screen += ANSWERED;
      if (step.pauseMs) await new Promise((resolve) => setTimeout(resolve, step.pauseMs));
      await writer.write(new TextEncoder().encode(step.type));
    }
  }
  await writer.close().catch(() => {});
  return { code: (await child.status).code, screen };
}
