/**
 * A separate "server" process for the S3 tests: opens an upload, writes the
 * first `stopAt` bytes of a file, waits until the upload record claims
 * every whole part among them (parts go on their way two at a time, so the
 * last may still be uploading when `write` returns), says `ready` on stdout
 * and waits to be killed, so the test can see what a crashed server leaves
 * behind.
 *
 * Usage: deno run -A _uploader.ts '{"config":…,"options":…,"path":…,"file":…,"stopAt":N}'
 *
 * @module
 */

import { S3Client } from "../../lib/storage/s3/s3_client.ts";
import { resolveS3Config } from "../../lib/storage/s3/s3_config.ts";
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
const config = resolveS3Config(job.config, job.options);
const client = new S3Client(config);
const parts = Math.floor(job.stopAt / config.partSize);
for (let claimed = -1; claimed < parts;) {
  const page = await client.list(`${config.statePrefix}uploads/`, { maxKeys: 1000 });
  const key = page.objects.find((object) => object.key.endsWith(".json"))?.key;
  const got = key === undefined ? undefined : await client.getBytes(key);
  claimed = got === undefined ? -1 : JSON.parse(new TextDecoder().decode(got.bytes)).parts.length;
  if (claimed < parts) await new Promise((resolve) => setTimeout(resolve, 50));
}
await Deno.stdout.write(new TextEncoder().encode("ready\n"));
await new Promise(() => {});
