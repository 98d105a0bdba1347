/**
 * A separate "server" process for the S3 tests: opens an upload, writes the
 * first `stopAt` bytes of a file, says `ready` on stdout and waits to be
 * killed, so the test can see what a crashed server leaves behind.
 *
 * Usage: deno run -A _uploader.ts '{"config":…,"options":…,"path":…,"file":…,"stopAt":N}'
 *
 * @module
 */

import { S3Storage } from "../../lib/storage/s3/s3_storage.ts";
import { writeAll } from "./_world.ts";

const job = JSON.parse(Deno.args[0] ?? "{}");
const bytes = await Deno.readFile(job.file);
const storage = await S3Storage.open(job.config, job.options);
const sink = await storage.openUpload(job.path, {
  size: bytes.byteLength,
  overwrite: false,
  resume: true,
});
await writeAll(sink, bytes.subarray(0, job.stopAt));
await Deno.stdout.write(new TextEncoder().encode("ready\n"));
await new Promise(() => {});
