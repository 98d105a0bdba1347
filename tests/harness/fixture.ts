/**
 * A ready-to-use world for integration tests: a real ferryd with user
 * `alice`, a client working folder, and helpers to make files and connect.
 * With `openWorld({ s3 })` the ferryd keeps its files in S3 (`--storage
 * s3`), and `world.files` looks into the bucket instead of `DATA/files`, so
 * one test body runs against both back ends.
 *
 * @module
 */

import { FerryClient } from "../../lib/client/ferry_client.ts";
import {
  addUser,
  type Ferryd,
  startFerryd,
  type StartFerrydOptions,
  writeS3Settings,
} from "./ferryd_process.ts";
import { type FerryRun, runFerry, type RunFerryOptions, spawnFerry } from "./ferry_process.ts";
import { localFiles, s3Files, type ServerFiles } from "./server_files.ts";
import { waitFor } from "./wait.ts";

export { listTree } from "./server_files.ts";

/** The password of the test user `alice`. */
export const ALICE_PASSWORD = "correct horse battery staple";

/** A test world. */
export interface World extends AsyncDisposable {
  /** The server. */
  server: Ferryd;
  /** The client's working folder. */
  work: string;
  /** The server's stored files, looked at directly. */
  files: ServerFiles;
  /** Runs the client CLI as alice in `work`. */
  ferry(args: string[], options?: Partial<RunFerryOptions>): Promise<FerryRun>;
  /** Connects a programmatic client as alice. */
  connect(user?: string, password?: string): Promise<FerryClient>;
  /** Starts the client CLI as alice in `work` without waiting (for tests that kill it). */
  spawn(args: string[]): Deno.ChildProcess;
  /** Waits until the server's partial uploads hold at least `bytes` (an upload under way). */
  untilUploaded(bytes: number): Promise<void>;
}

/** Starts a server with user alice and makes a working folder. */
export async function openWorld(options: StartFerrydOptions = {}): Promise<World> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "ferryd-test-" });
  if (options.s3 !== undefined) await writeS3Settings(dataDir, options.s3);
  await addUser(dataDir, "alice", ALICE_PASSWORD);
  const server = await startFerryd({ ...options, dataDir });
  const work = await Deno.makeTempDir({ prefix: "ferry-work-" });
  const files = options.s3 === undefined ? localFiles(dataDir) : s3Files(options.s3, dataDir);
  return {
    server,
    work,
    files,
    ferry: (args, extra = {}) =>
      runFerry(args, { server: server.server, cwd: work, password: ALICE_PASSWORD, ...extra }),
    connect: (user = "alice", password = ALICE_PASSWORD) =>
      FerryClient.connect({
        hostname: "127.0.0.1",
        port: server.port,
        user,
        password,
        verifyServerKey: async () => {},
      }),
    spawn: (args) =>
      spawnFerry(args, { server: server.server, cwd: work, password: ALICE_PASSWORD }),
    untilUploaded: (bytes) =>
      waitFor(
        async () => await files.partialBytes() >= bytes,
        60_000,
        `${bytes} bytes uploaded`,
      ),
    async [Symbol.asyncDispose](): Promise<void> {
      await server.stop("SIGKILL");
      await Deno.remove(work, { recursive: true }).catch(() => {});
      if (!options.dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Writes `size` random bytes to `path`, streaming, and returns their SHA-256. */
export { writeRandomFile } from "../../lib/local_fs/random_file.ts";

/** The SHA-256 of a file, streaming. */
export { sha256OfFile as sha256File } from "../../lib/local_fs/file_sha256.ts";
