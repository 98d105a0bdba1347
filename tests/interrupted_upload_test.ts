import assert from "node:assert/strict";
import { partialBytes } from "./harness/wait.ts";
import { listTree, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";

Deno.test("ferryd - a client killed mid-upload leaves nothing visible and the server keeps serving", async () => {
  await using world = await openWorld();
  const size = 256 * 1024 * 1024;
  await writeRandomFile(`${world.work}/big.bin`, size);
  const child = world.spawn(["put", "big.bin", "-q"]);
  await world.untilUploaded(8 * 1024 * 1024);
  child.kill("SIGKILL");
  await child.output();

  assert.deepEqual(
    await listTree(`${world.server.dataDir}/files`),
    [],
    "no partial file in files/",
  );
  assert.ok(await partialBytes(world.server.dataDir) < size, "the partial stays private in state/");

  // The lock was released: the same path can be uploaded again, whole.
  const small = await writeRandomFile(`${world.work}/big.bin`, 1024 * 1024);
  const again = await world.ferry(["put", "big.bin"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await sha256File(`${world.server.dataDir}/files/big.bin`), small);
});
