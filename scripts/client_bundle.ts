/**
 * The client as one JavaScript file, for `deno task client` and the
 * benchmark: `deno run client.ts` loads about 110 modules, each looked up in
 * Deno's caches, and that costs about 20 ms of the 65–70 ms the client
 * takes to start here; a bundle of the same graph loads as one module
 * (docs/PERFORMANCE.md, "The client's start").
 *
 * The bundle is built with `deno bundle` into `.cache/` of the checkout,
 * beside a manifest of what it was built from: the Deno version and the
 * size and modification time of every file of the module graph (from
 * `deno info --json`), `deno.json` and `deno.lock`. It is used while all of
 * them still match, and rebuilt when one does not; building takes a few
 * hundred milliseconds, once per change. When it cannot be built or read (a
 * read-only checkout, a launcher without the grant, a source that does not
 * parse), the caller runs `client.ts` itself, which behaves the same, only
 * starts slower.
 *
 * The bundle and the manifest are each written to a temporary name and
 * renamed into place, so launchers that build at the same time cannot see
 * half a file, and a manifest never describes an older bundle than the one
 * beside it (the bundle is renamed first; the sources are measured before
 * the build, so a file changed during it fails the next check).
 *
 * @module
 */

import { join } from "node:path";

/** What a bundle was built from. */
interface BundleManifest {
  /** `Deno.version.deno` of the build. */
  deno: string;
  /** Absolute path → `[size, mtime in ms]`. */
  files: Record<string, [number, number]>;
}

/** Where the bundle of a checkout lives and what it is built from. */
export interface ClientBundlePaths {
  /** The checkout: `client.ts`, `deno.json` and `deno.lock` are here. */
  root: string;
  /** The bundle. */
  bundle: string;
  /** Its manifest. */
  manifest: string;
  /** The `deno` that builds it. */
  deno: string;
}

/**
 * The bundle's paths for a checkout: `ROOT/.cache/client.js` and its
 * manifest `ROOT/.cache/client.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clientBundlePaths } from "./client_bundle.ts";
 * assert.equal(clientBundlePaths("/srv/ferry").bundle, "/srv/ferry/.cache/client.js");
 * ```
 *
 * @param root The checkout.
 * @param deno The `deno` that builds the bundle (default: this one).
 */
export function clientBundlePaths(root: string, deno: string = Deno.execPath()): ClientBundlePaths {
  const cache = join(root, ".cache");
  return { root, deno, bundle: join(cache, "client.js"), manifest: join(cache, "client.json") };
}

/** `[size, mtime]` of a file, or `undefined` when it is not there. */
function fileStamp(path: string): [number, number] | undefined {
  try {
    const info = Deno.statSync(path);
    return [info.size, info.mtime?.getTime() ?? 0];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Whether the manifest still describes the sources, and the bundle is there. */
function isFresh(paths: ClientBundlePaths): boolean {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(Deno.readTextFileSync(paths.manifest)) as BundleManifest;
  } catch {
    return false;
  }
  if (manifest.deno !== Deno.version.deno || fileStamp(paths.bundle) === undefined) return false;
  for (const [path, [size, mtime]] of Object.entries(manifest.files)) {
    const now = fileStamp(path);
    if (now === undefined || now[0] !== size || now[1] !== mtime) return false;
  }
  return true;
}

/** Runs `deno ARGS` in the checkout; its standard output, or `undefined` when it failed. */
async function deno(paths: ClientBundlePaths, args: string[]): Promise<string | undefined> {
  const output = await new Deno.Command(paths.deno, {
    args,
    cwd: paths.root,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  return output.success ? new TextDecoder().decode(output.stdout) : undefined;
}

/** The local files of `client.ts`'s module graph, with `deno.json` and `deno.lock`. */
async function sourceFiles(paths: ClientBundlePaths): Promise<string[] | undefined> {
  const { root } = paths;
  const info = await deno(paths, ["info", "--json", join(root, "client.ts")]);
  if (info === undefined) return undefined;
  const graph = JSON.parse(info) as { modules: { specifier: string }[] };
  const files = graph.modules
    .map((module) => module.specifier)
    .filter((specifier) => specifier.startsWith("file://"))
    .map((specifier) => decodeURIComponent(new URL(specifier).pathname));
  return [...files, join(root, "deno.json"), join(root, "deno.lock")];
}

/**
 * Replaces `path` with what `write` puts in a temporary file beside it;
 * whether `write` succeeded (else `path` is left as it was).
 */
async function replaceFile(
  path: string,
  write: (temporary: string) => Promise<boolean>,
): Promise<boolean> {
  const temporary = `${path}.${Deno.pid}.tmp`;
  try {
    if (!await write(temporary)) return false;
    await Deno.rename(temporary, path);
    return true;
  } finally {
    await Deno.remove(temporary).catch(() => {});
  }
}

/** Builds the bundle and its manifest; whether it worked. */
async function build(paths: ClientBundlePaths): Promise<boolean> {
  const files = await sourceFiles(paths);
  if (files === undefined) return false;
  const manifest: BundleManifest = { deno: Deno.version.deno, files: {} };
  for (const file of files) {
    const stamp = fileStamp(file);
    if (stamp !== undefined) manifest.files[file] = stamp;
  }
  await Deno.mkdir(join(paths.root, ".cache"), { recursive: true });
  const built = await replaceFile(paths.bundle, async (temporary) =>
    await deno(paths, [
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      "--output",
      temporary,
      join(paths.root, "client.ts"),
    ]) !== undefined);
  if (!built) return false;
  return await replaceFile(paths.manifest, async (temporary) => {
    await Deno.writeTextFile(temporary, JSON.stringify(manifest));
    return true;
  });
}

/**
 * The bundle of the checkout's client, built first when it is missing or
 * older than its sources.
 *
 * @param root The checkout.
 * @param deno The `deno` that builds it (default: this one).
 * @returns The bundle's path, or `undefined` when it cannot be had: then
 *   run `ROOT/client.ts`.
 */
export async function freshClientBundle(
  root: string,
  deno: string = Deno.execPath(),
): Promise<string | undefined> {
  const paths = clientBundlePaths(root, deno);
  try {
    if (isFresh(paths) || (await build(paths) && isFresh(paths))) return paths.bundle;
  } catch {
    // No grant, a read-only checkout, a failed build: client.ts it is.
  }
  return undefined;
}
