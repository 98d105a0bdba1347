/**
 * A client killed in the middle of an upload leaves nothing visible. Run
 * by `tests/interrupted_upload_test.ts` (local) and `tests/s3/` (S3).
 *
 * @module
 */

import assert from "node:assert/strict";
import { type World, writeRandomFile } from "../harness/fixture.ts";
import type { WorldCase } from "../harness/world_case.ts";

async function killedClient(world: World): Promise<void> {
  const size = 256 * 1024 * 1024;
  await writeRandomFile(`${world.work}/big.bin`, size);
  const child = world.spawn(["put", "big.bin", "-q"]);
  await world.untilUploaded(8 * 1024 * 1024);
  child.kill("SIGKILL");
  await child.output();

  assert.deepEqual(await world.files.tree(), [], "no partial file among the files");
  assert.ok(await world.files.partialBytes() < size, "the partial stays private in the state");

  // The lock is released: the same path can be uploaded again, whole.
  await world.files.untilUnlocked("big.bin");
  const small = await writeRandomFile(`${world.work}/big.bin`, 1024 * 1024);
  const again = await world.ferry(["put", "big.bin"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await world.files.sha256("big.bin"), small);
}

/** The interrupted-upload cases. */
export const INTERRUPTED_UPLOAD_CASES: readonly WorldCase[] = [
  {
    name: "ferryd - a client killed mid-upload leaves nothing visible and the server keeps serving",
    run: killedClient,
  },
];
