/**
 * Installs Debian packages a suite needs (`apt-get update`, then
 * `apt-get install`), as root or through `sudo`. Needs only `--allow-run`:
 * whether this is root is asked of `id -u`, because `Deno.uid()` needs
 * `--allow-sys`, which `deno task test` does not grant.
 *
 * @module
 */

/** What apt said. */
export interface AptResult {
  /** Whether every step succeeded. */
  ok: boolean;
  /** The last lines apt printed (for the error message when it failed). */
  output: string;
}

async function run(command: string, args: string[]): Promise<AptResult> {
  try {
    const out = await new Deno.Command(command, {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { ok: out.success, output: text.trim().split("\n").slice(-5).join("\n") };
  } catch (error) {
    return { ok: false, output: `${command}: ${error instanceof Error ? error.message : error}` };
  }
}

async function isRoot(): Promise<boolean> {
  const id = await run("id", ["-u"]);
  return id.ok && id.output === "0";
}

/**
 * Installs `packages` with apt-get, without recommended packages.
 *
 * @param packages Debian package names.
 * @returns Whether it worked, and apt's last words.
 */
export async function aptGetInstall(packages: string[]): Promise<AptResult> {
  const prefix = await isRoot() ? [] : ["sudo", "-n"];
  const step = (args: string[]) => {
    const [command, ...rest] = [...prefix, "apt-get", ...args] as [string, ...string[]];
    return run(command, rest);
  };
  const update = await step(["update", "-qq"]);
  if (!update.ok) return update;
  return await step(["install", "-y", "-qq", "--no-install-recommends", ...packages]);
}
