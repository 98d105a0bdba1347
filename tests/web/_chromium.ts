/**
 * Makes sure Debian's `chromium` is installed for the browser tests,
 * installing it with apt when it is missing (as the S3 suite installs Ceph).
 *
 * @module
 */

import { aptGetInstall } from "../harness/apt_get.ts";

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

/**
 * The browser's path, installed first when missing (`apt-get update` then
 * `apt-get install chromium`, as root or through `sudo`).
 *
 * @throws {ChromiumUnavailableError} When it is missing and cannot be installed.
 */
export async function ensureChromium(): Promise<string> {
  if (await exists(CHROMIUM)) return CHROMIUM;
  const install = await aptGetInstall(["chromium"]);
  if (!install.ok || !(await exists(CHROMIUM))) {
    throw new ChromiumUnavailableError(`Cannot install chromium with apt-get: ${install.output}`);
  }
  return CHROMIUM;
}
