/**
 * Test data for the benchmark: random files and trees of small files, and the
 * checks that what a client moved arrived byte for byte.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { sha256OfFile } from "../../lib/local_fs/file_sha256.ts";
import { writeRandomFile } from "../../lib/local_fs/random_file.ts";

/** A tree of small files: relative path to SHA-256. */
export type TreeManifest = Map<string, string>;

/** Subfolders per tree, so that trees are not one flat folder. */
const TREE_FOLDERS = 10;

/**
 * Writes a random file.
 *
 * @param path Where.
 * @param bytes How many bytes.
 * @returns Its SHA-256 in hex.
 */
export function makeRandomFile(path: string, bytes: number): Promise<string> {
  return writeRandomFile(path, bytes);
}

/**
 * Writes `count` random files of `bytes` each, spread over 10 subfolders.
 *
 * @param dir The tree's root (created).
 * @param count How many files.
 * @param bytes Size of each.
 * @returns The manifest.
 */
export async function makeTree(dir: string, count: number, bytes: number): Promise<TreeManifest> {
  const manifest: TreeManifest = new Map();
  for (let i = 0; i < TREE_FOLDERS; i++) {
    await Deno.mkdir(`${dir}/d${String(i).padStart(2, "0")}`, { recursive: true });
  }
  for (let i = 0; i < count; i++) {
    const path = `d${String(i % TREE_FOLDERS).padStart(2, "0")}/f${String(i).padStart(5, "0")}.bin`;
    const data = crypto.getRandomValues(new Uint8Array(bytes));
    await Deno.writeFile(`${dir}/${path}`, data);
    manifest.set(path, createHash("sha256").update(data).digest("hex"));
  }
  return manifest;
}

/**
 * Copies a tree (to put a download's source in place, outside the timing).
 *
 * @param from The source folder.
 * @param to The new folder.
 */
export async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/**
 * Checks that a file has the expected SHA-256.
 *
 * @throws {Error} When it is missing or differs.
 */
export async function checkFile(path: string, sha256: string): Promise<void> {
  const actual = await sha256OfFile(path).catch((error) => {
    throw new Error(`Cannot verify "${path}": ${(error as Error).message}`);
  });
  if (actual !== sha256) throw new Error(`Cannot verify "${path}": the SHA-256 differs`);
}

/**
 * Checks that a tree holds exactly the manifest's files with their SHA-256.
 *
 * @throws {Error} When a file is missing, extra or different.
 */
export async function checkTree(dir: string, manifest: TreeManifest): Promise<void> {
  const found = new Map<string, string>();
  async function walk(sub: string): Promise<void> {
    for await (const entry of Deno.readDir(`${dir}/${sub}`)) {
      const rel = sub === "" ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory) await walk(rel);
      else {
        const data = await Deno.readFile(`${dir}/${rel}`);
        found.set(rel, createHash("sha256").update(data).digest("hex"));
      }
    }
  }
  await walk("").catch((error) => {
    throw new Error(`Cannot verify tree "${dir}": ${(error as Error).message}`);
  });
  const bad = [...manifest].filter(([path, hash]) => found.get(path) !== hash).length;
  if (bad > 0 || found.size !== manifest.size) {
    throw new Error(
      `Cannot verify tree "${dir}": ${bad} of ${manifest.size} files missing or different, ` +
        `${found.size} files found`,
    );
  }
}

/** Removes a file or folder if it exists. */
export async function removeQuietly(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch(() => {});
}

/**
 * Times the creation of `count` small files in a new folder, as a hint of
 * the file system's phase: right after thousands of files were deleted (an
 * earlier run's clean-up, a test suite), each creation here takes hundreds
 * of microseconds instead of tens, and the tree rows measure that.
 *
 * @param dir A new folder to create them in (left in place).
 * @param count How many files of 4 KiB.
 * @returns Microseconds per file.
 */
export function fileCreationMicros(dir: string, count = 200): number {
  Deno.mkdirSync(dir, { recursive: true });
  const data = new Uint8Array(4096);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const file = Deno.openSync(`${dir}/${i}`, { write: true, createNew: true });
    file.writeSync(data);
    file.close();
  }
  return (performance.now() - start) * 1000 / count;
}

/**
 * Where a round's trees go instead of being deleted, until the run ends.
 *
 * On this machine's ext4, creating files in the minutes after thousands were
 * deleted costs 20–30 times more (the allocator skips inodes freed recently:
 * `find_inode_bit` → `recently_deleted`), for every tool alike. Deleting
 * each round's 2,000 files made the next round of every tool pay that, and
 * the tree rows measured the benchmark's own clean-up (docs/PERFORMANCE.md,
 * "What `get -r` waits for here"). A rename into this folder frees nothing;
 * the folder goes with the working folder at the end of the run.
 */
export class SetAside {
  #count = 0;

  /**
   * @param dir The folder to move things into, on the same file system as
   *   everything moved there (created on first use).
   */
  constructor(readonly dir: string) {}

  /**
   * Moves a file or folder out of the way, if it exists.
   *
   * @param path What to move.
   */
  async move(path: string): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
    try {
      await Deno.rename(path, `${this.dir}/${this.#count}`);
      this.#count++;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}
