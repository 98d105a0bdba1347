import assert from "node:assert/strict";
import { ScopedStorage } from "../storage/scoped_storage.ts";
import { putText, sha256Hex, tempData } from "../storage/_test_helpers.ts";
import { CountedStorage } from "./counted_storage.ts";
import { FolderUsage } from "./folder_usage.ts";

const encoder = new TextEncoder();

Deno.test("FolderUsage counts the partial uploads of its home, kept up to date by CountedStorage", async () => {
  await using t = await tempData(); // every upload keeps a record here
  await t.storage.makeDirectory("home");
  await t.storage.makeDirectory("other");
  const outside = await t.storage.openUpload("other/x", {
    size: 10,
    overwrite: false,
    resume: true,
  });
  await outside.write(encoder.encode("12345"));
  await outside.abort();
  const home = new ScopedStorage(t.storage, "home");
  await putText(home, "file", "abc");
  const left = await home.openUpload("big", { size: 10, overwrite: false, resume: true });
  await left.write(encoder.encode("1234"));
  await left.abort();

  const usage = new FolderUsage(home);
  assert.deepEqual(await usage.current(), { bytes: 3 + 4, files: 2 }, "a partial counts as a file");
  assert.deepEqual(usage.partials("big"), { bytes: 4, files: 1 });

  const counted = new CountedStorage(home, usage);
  const resumed = await counted.openUpload("big", { size: 10, overwrite: false, resume: true });
  assert.deepEqual(usage.partials(), { bytes: 0, files: 0 }, "the upload holds it now");
  await resumed.write(encoder.encode("56"));
  await resumed.abort();
  assert.deepEqual(usage.partials(), { bytes: 6, files: 1 });
  const done = await counted.openUpload("big", { size: 10, overwrite: false, resume: true });
  await done.write(encoder.encode("7890"));
  await done.commit(sha256Hex("1234567890"));
  assert.deepEqual(usage.partials(), { bytes: 0, files: 0 });

  const again = await counted.openUpload("later", { size: 10, overwrite: false, resume: true });
  await again.write(encoder.encode("1"));
  await again.abort();
  assert.equal(usage.partials().bytes, 1);
  assert.equal(await counted.removeStalePartials(-1), 2, "both partials are stale at once");
  await usage.current();
  assert.deepEqual(usage.partials(), { bytes: 0, files: 0 }, "counted again after the sweep");
});
