/**
 * Makes sure the Ceph programs the bring-up needs are installed, installing
 * the Debian packages with apt when they are missing.
 *
 * @module
 */

/** The Debian packages that hold the programs below. */
export const CEPH_PACKAGES = ["radosgw", "ceph-mon", "ceph-osd"] as const;

/** The programs the bring-up runs. */
export const CEPH_PROGRAMS = [
  "ceph",
  "ceph-authtool",
  "monmaptool",
  "ceph-mon",
  "ceph-osd",
  "radosgw",
  "radosgw-admin",
] as const;

/** Set to `1` to refuse installing: missing programs then make Ceph unavailable. */
export const NO_INSTALL_ENV = "FERRY_CEPH_NO_INSTALL";

/** Ceph cannot be run here: the packages are missing and cannot be installed. */
export class CephUnavailableError extends Error {
  /**
   * @param message Why, in std style.
   * @param options The usual `{ cause }`.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CephUnavailableError";
  }
}

/** What {@linkcode ensureCephInstalled} did. */
export interface InstallReport {
  /** Whether apt had to install packages. */
  installed: boolean;
  /** How long the check and install took, in ms. */
  ms: number;
}

/**
 * Checks that every program of {@linkcode CEPH_PROGRAMS} is on `PATH`, and
 * installs {@linkcode CEPH_PACKAGES} with `apt-get` (running `apt-get update`
 * first when the first try fails) when one is missing.
 *
 * @returns Whether packages were installed, and the time it took.
 * @throws {CephUnavailableError} When a program is missing and cannot be
 * installed: not root, no apt, {@linkcode NO_INSTALL_ENV} set, or apt failed.
 */
export async function ensureCephInstalled(): Promise<InstallReport> {
  const start = performance.now();
  const missing = await missingPrograms();
  if (missing.length === 0) return { installed: false, ms: performance.now() - start };
  const what = `Ceph programs ${missing.join(", ")} are missing`;
  if (Deno.env.get(NO_INSTALL_ENV) === "1") {
    throw new CephUnavailableError(`Cannot run Ceph: ${what} and ${NO_INSTALL_ENV}=1`);
  }
  if (uid() !== undefined && uid() !== 0) {
    throw new CephUnavailableError(`Cannot install Ceph: ${what} and this is not root`);
  }
  if (!(await onPath("apt-get"))) {
    throw new CephUnavailableError(`Cannot install Ceph: ${what} and apt-get is not available`);
  }
  let result = await aptInstall();
  if (!result.ok) {
    await run("apt-get", ["update"]);
    result = await aptInstall();
  }
  const still = await missingPrograms();
  if (!result.ok || still.length > 0) {
    throw new CephUnavailableError(
      `Cannot install Ceph packages ${CEPH_PACKAGES.join(", ")} with apt-get: ${
        result.ok ? `${still.join(", ")} still missing` : lastLines(result.output, 5)
      }`,
    );
  }
  return { installed: true, ms: performance.now() - start };
}

/** The user id, or `undefined` without `--allow-sys` (apt then says for itself). */
function uid(): number | undefined {
  try {
    return Deno.uid() ?? undefined;
  } catch {
    return undefined;
  }
}

async function missingPrograms(): Promise<string[]> {
  const missing: string[] = [];
  for (const program of CEPH_PROGRAMS) {
    if (!(await onPath(program))) missing.push(program);
  }
  return missing;
}

async function onPath(program: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      const info = await Deno.stat(`${dir}/${program}`);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return true;
    } catch {
      // Not in this folder.
    }
  }
  return false;
}

function aptInstall(): Promise<{ ok: boolean; output: string }> {
  return run("apt-get", ["install", "-y", "--no-install-recommends", ...CEPH_PACKAGES]);
}

async function run(program: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const output = await new Deno.Command(program, {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    return {
      ok: output.success,
      output: decoder.decode(output.stdout) + decoder.decode(output.stderr),
    };
  } catch (error) {
    return { ok: false, output: String(error) };
  }
}

function lastLines(text: string, count: number): string {
  return text.trim().split("\n").slice(-count).join(" | ");
}
