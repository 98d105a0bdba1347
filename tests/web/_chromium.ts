/**
 * Makes sure Debian's `chromium` is installed for the browser tests,
 * installing it with apt when it is missing (as the S3 suite installs Ceph).
 *
 * @module
 */

/** Where Debian puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** The browser cannot be run here (missing and not installable). */
export class ChromiumUnavailableError extends Error {
  /** @param message Why. */
  constructor(message: string) {
    super(message);
    this.name = "ChromiumUnavailableError";
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function apt(args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const out = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { ok: out.success, output: text.trim().split("\n").slice(-5).join("\n") };
  } catch (error) {
    return { ok: false, output: String(error) };
  }
}

/**
 * The browser's path, installed first when missing (`apt-get update` then
 * `apt-get install -y chromium`).
 *
 * @throws {ChromiumUnavailableError} When it is missing and cannot be installed.
 */
export async function ensureChromium(): Promise<string> {
  if (await exists(CHROMIUM)) return CHROMIUM;
  if (Deno.uid?.() !== 0) {
    throw new ChromiumUnavailableError(
      `Cannot install chromium: ${CHROMIUM} is missing and this is not root`,
    );
  }
  const update = await apt(["update"]);
  const install = update.ok ? await apt(["install", "-y", "chromium"]) : update;
  if (!install.ok || !(await exists(CHROMIUM))) {
    throw new ChromiumUnavailableError(`Cannot install chromium with apt-get: ${install.output}`);
  }
  return CHROMIUM;
}
