import assert from "node:assert/strict";
import { auditEvents } from "./harness/audit_events.ts";
import { startFerryd } from "./harness/ferryd_process.ts";
import { openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { sizeOf, waitFor } from "./harness/wait.ts";
import { jsonResult } from "./harness/json_output.ts";

const SIZE = 256 * 1024 * 1024;

/** The bytes the server says it received for its last committed upload of `name`. */
function receivedByServer(log: string, name: string): { received: number; offset: number } {
  const lines = log.split("\n").filter((line) => line.includes(`put "${name}"`));
  const match = /(\d+) bytes received from offset (\d+)/.exec(lines.at(-1) ?? "");
  assert.ok(match, `no commit line for ${name} in the server log`);
  return { received: Number(match[1]), offset: Number(match[2]) };
}

Deno.test("ferry put - a client killed at 60% resumes and sends less than half the file", async () => {
  await using world = await openWorld();
  const sent = await writeRandomFile(`${world.work}/big.bin`, SIZE);
  const child = world.spawn(["put", "big.bin", "-q"]);
  await world.untilUploaded(0.6 * SIZE);
  child.kill("SIGKILL");
  await child.output();

  const resumed = await world.ferry(["put", "big.bin", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const result = jsonResult(resumed.stdout) as {
    offset: number;
    sha256?: string;
    encrypted?: true;
  };
  assert.ok(result.offset >= 0.5 * SIZE, `resumed at ${result.offset}`);
  assert.equal(result.sha256, sent);
  assert.equal(await sha256File(`${world.server.dataDir}/files/big.bin`), sent);
  const counted = receivedByServer(world.server.log(), "big.bin");
  assert.equal(counted.offset, result.offset);
  assert.ok(counted.received < SIZE / 2, `the server received ${counted.received} bytes`);
  assert.equal(counted.received, SIZE - counted.offset);
});

Deno.test("ferry get - a client killed mid-download resumes from its partial file", async () => {
  await using world = await openWorld();
  const sent = await writeRandomFile(`${world.server.dataDir}/files/big.bin`, SIZE);
  const child = world.spawn(["get", "big.bin", "-q"]);
  const partial = `${world.work}/big.bin.ferry-part`;
  await waitFor(async () => await sizeOf(partial) >= 0.4 * SIZE, 60_000, "40% downloaded");
  child.kill("SIGKILL");
  await child.output();
  const kept = await sizeOf(partial);
  assert.ok(kept > 0 && kept < SIZE);

  const resumed = await world.ferry(["get", "big.bin", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok(
    (jsonResult(resumed.stdout).offset as number) >= kept - 65536 * 4,
    "resumed near where it stopped",
  );
  assert.equal(await sha256File(`${world.work}/big.bin`), sent);
  assert.equal(await sizeOf(partial), 0, "the partial file is gone");
});

Deno.test("ferry put - a server killed mid-upload and restarted lets the upload resume", async () => {
  await using world = await openWorld();
  const sent = await writeRandomFile(`${world.work}/big.bin`, SIZE);
  const child = world.spawn(["put", "big.bin", "-q"]);
  await world.untilUploaded(0.4 * SIZE);
  await world.server.stop("SIGKILL");
  const failed = await child.output();
  assert.equal(failed.code, 4, `a network failure: ${new TextDecoder().decode(failed.stderr)}`);
  assert.deepEqual(await world.files.tree(), [], "nothing partial visible");

  await using again = await startFerryd({ dataDir: world.server.dataDir, port: world.server.port });
  const resumed = await world.ferry(["put", "big.bin", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const offset = jsonResult(resumed.stdout).offset as number;
  assert.ok(offset > 0, "resumed, not restarted");
  assert.equal(await sha256File(`${world.server.dataDir}/files/big.bin`), sent);
  const counted = receivedByServer(again.log(), "big.bin");
  assert.deepEqual(counted, { received: SIZE - offset, offset }, "only the rest was sent");
  const put = (await auditEvents(again.dataDir)).findLast((event) => event.event === "put");
  assert.deepEqual([put?.offset, put?.bytes], [offset, SIZE - offset], "the audit log agrees");
});

Deno.test("ferry put - a partial upload of a file that changed since is not trusted", async () => {
  await using world = await openWorld();
  await writeRandomFile(`${world.work}/f.bin`, 32 * 1024 * 1024);
  const child = world.spawn(["put", "f.bin", "-q"]);
  await world.untilUploaded(8 * 1024 * 1024);
  child.kill("SIGKILL");
  await child.output();
  // Same size, new content, but the old modification time: the resume hash check must catch it.
  const info = await Deno.stat(`${world.work}/f.bin`);
  const fresh = await writeRandomFile(`${world.work}/f.bin`, 32 * 1024 * 1024);
  await Deno.utime(`${world.work}/f.bin`, info.atime!, info.mtime!);
  const run = await world.ferry(["put", "f.bin", "--json"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await sha256File(`${world.server.dataDir}/files/f.bin`), fresh);
});

Deno.test("ferryd - partial uploads older than --partial-max-age are removed, fresh ones kept", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const partial = `${dataDir}/state/partial`;
    await Deno.mkdir(partial, { recursive: true });
    const old = new Date(Date.now() - 3 * 3600 * 1000);
    for (const name of ["old", "fresh"]) {
      await Deno.writeTextFile(`${partial}/${name}.part`, "x");
      await Deno.writeTextFile(
        `${partial}/${name}.json`,
        JSON.stringify({ path: name, size: 9, createdAt: 0 }),
      );
    }
    await Deno.utime(`${partial}/old.part`, old, old);
    await using server = await startFerryd({ dataDir, args: ["--partial-max-age-hours", "2"] });
    // The sweep logs after it removed the file, and its stderr is read as it comes.
    await waitFor(
      async () =>
        (await sizeOf(`${partial}/old.part`)) === 0 && /Removed \d+ stale/.test(server.log()),
      30_000,
      "the sweep and its log line",
    );
    assert.match(server.log(), /Removed 1 stale partial upload/);
    assert.equal(await sizeOf(`${partial}/fresh.part`), 1);
    assert.equal(await sizeOf(`${partial}/old.json`), 0);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
