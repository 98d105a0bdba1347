/**
 * What a test sees of the server's stored files behind its back, whatever
 * the back end: `DATA/files` on disk, or the keys below `PREFIX files/` in
 * an S3 bucket. The core tests check through this, so one test body runs
 * against both back ends.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { S3Client } from "../../lib/storage/s3/s3_client.ts";
import { resolveS3Config } from "../../lib/storage/s3/s3_config.ts";
import type { S3StorageConfig } from "../../lib/storage/s3/s3_config.ts";
import { partialBytes, waitFor } from "./wait.ts";

/** The server's files, seen from the test. */
export interface ServerFiles {
  /** Which back end. */
  readonly kind: "local" | "s3";
  /** The SHA-256 of a stored file. */
  sha256(path: string): Promise<string>;
  /** A stored file as text. */
  readText(path: string): Promise<string>;
  /** Stores a file directly, not through ferryd. */
  writeText(path: string, text: string): Promise<void>;
  /** Every stored path, folders included, sorted (like `listTree`). */
  tree(): Promise<string[]>;
  /** Bytes held by partial uploads (invisible to clients). */
  partialBytes(): Promise<number>;
  /** Everything stored outside the files, as text, for "nothing changed" checks. */
  snapshotState(): Promise<string>;
  /**
   * Waits until no server holds the write lock of `path`: after a client is
   * killed, its server first saves the partial upload (on S3, the bytes
   * after the last part), then lets go. The local lock lives in the
   * server's memory and goes with the connection: nothing to wait for.
   */
  untilUnlocked(path: string): Promise<void>;
}

/** Lists every path below `dir` (relative), sorted. */
export async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const rel = prefix + entry.name;
    out.push(rel);
    if (entry.isDirectory) out.push(...await listTree(`${dir}/${entry.name}`, rel + "/"));
  }
  return out.sort();
}

/** Sizes and times of every path below `dir` but `audit.log`, as text. */
async function snapshotDir(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const path of await listTree(dir)) {
    if (path === "audit.log") continue; // records the requests: it is meant to grow
    const info = await Deno.lstat(`${dir}/${path}`);
    parts.push(`${path}:${info.size}:${info.mtime?.getTime()}`);
  }
  return parts.join("\n");
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The files of a local ferryd: `DATA/files`. */
export function localFiles(dataDir: string): ServerFiles {
  const files = `${dataDir}/files`;
  return {
    kind: "local",
    async sha256(path): Promise<string> {
      const hash = createHash("sha256");
      using file = await Deno.open(`${files}/${path}`);
      for await (const chunk of file.readable) hash.update(chunk);
      return hash.digest("hex");
    },
    readText: (path) => Deno.readTextFile(`${files}/${path}`),
    writeText: (path, text) => Deno.writeTextFile(`${files}/${path}`, text),
    tree: () => listTree(files),
    partialBytes: () => partialBytes(dataDir),
    snapshotState: () => snapshotDir(`${dataDir}/state`),
    untilUnlocked: () => Promise.resolve(),
  };
}

/** The files of a ferryd on S3: the keys below `PREFIX files/`. */
export function s3Files(config: S3StorageConfig, dataDir: string): ServerFiles {
  const client = new S3Client(resolveS3Config(config));
  const prefix = config.prefix ?? "";
  const filesPrefix = `${prefix}files/`;
  const keys = async (below: string): Promise<{ key: string; size: number; at: number }[]> => {
    const out: { key: string; size: number; at: number }[] = [];
    let token: string | undefined;
    do {
      const page = await client.list(below, { maxKeys: 1000, token });
      out.push(...page.objects.map((o) => ({ key: o.key, size: o.size, at: o.lastModified })));
      token = page.next;
    } while (token !== undefined);
    return out;
  };
  const bytesOf = async (path: string): Promise<Uint8Array> => {
    const got = await client.getBytes(`${filesPrefix}${path}`);
    if (got === undefined) throw new Deno.errors.NotFound(`No object for "${path}"`);
    return got.bytes;
  };
  return {
    kind: "s3",
    sha256: async (path) => sha256Hex(await bytesOf(path)),
    readText: async (path) => new TextDecoder().decode(await bytesOf(path)),
    writeText: async (path, text) => void await client.put(`${filesPrefix}${path}`, text),
    async tree(): Promise<string[]> {
      const paths = new Set<string>();
      for (const { key } of await keys(filesPrefix)) {
        const segments = key.slice(filesPrefix.length).replace(/\/$/, "").split("/");
        for (let n = 1; n <= segments.length; n++) paths.add(segments.slice(0, n).join("/"));
      }
      paths.delete("");
      return [...paths].sort();
    },
    async partialBytes(): Promise<number> {
      let total = 0;
      for (const { key } of await keys(`${prefix}state/uploads/`)) {
        if (!key.endsWith(".json")) continue;
        const got = await client.getBytes(key);
        if (got === undefined) continue;
        const record = JSON.parse(new TextDecoder().decode(got.bytes));
        for (const part of record.parts ?? []) total += part.size ?? 0;
        total += record.tail?.size ?? 0;
      }
      return total;
    },
    async snapshotState(): Promise<string> {
      const stored = (await keys(prefix)).filter(({ key }) => !key.startsWith(filesPrefix));
      const remote = stored.map(({ key, size, at }) => `${key}:${size}:${at}`);
      return [...remote, await snapshotDir(`${dataDir}/state`)].join("\n");
    },
    untilUnlocked(path: string): Promise<void> {
      const lease = `${prefix}state/locks/${path}`;
      return waitFor(async () => await client.head(lease) === undefined, 10_000, `${path} let go`);
    },
  };
}
