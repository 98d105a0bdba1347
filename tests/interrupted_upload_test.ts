import assert from "node:assert/strict";
import { spawnFerry } from "./harness/ferry_process.ts";
import {
  ALICE_PASSWORD,
  listTree,
  openWorld,
  sha256File,
  writeRandomFile,
} from "./harness/fixture.ts";

async function waitFor(condition: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!await condition()) {
    if (performance.now() > deadline) throw new Error("Timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function partialBytes(dataDir: string): Promise<number> {
  let total = 0;
  try {
    for await (const entry of Deno.readDir(`${dataDir}/state/partial`)) {
      if (entry.name.endsWith(".part")) {
        total += (await Deno.stat(`${dataDir}/state/partial/${entry.name}`)).size;
      }
    }
  } catch {
    return 0;
  }
  return total;
}

Deno.test("ferryd - a client killed mid-upload leaves nothing visible and the server keeps serving", async () => {
  await using world = await openWorld();
  const size = 256 * 1024 * 1024;
  await writeRandomFile(`${world.work}/big.bin`, size);
  const child = spawnFerry(["put", "big.bin", "-q"], {
    server: world.server.server,
    cwd: world.work,
    password: ALICE_PASSWORD,
  });
  await waitFor(async () => await partialBytes(world.server.dataDir) > 8 * 1024 * 1024, 30_000);
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
