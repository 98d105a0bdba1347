import assert from "node:assert/strict";
import { CLIENT_USAGE } from "../lib/cli/ferry/client_cli.ts";
import { SHELL_USAGE } from "../lib/cli/ferry/shell.ts";
import {
  ALICE_PASSWORD,
  openWorld,
  sha256File,
  type World,
  writeRandomFile,
} from "./harness/fixture.ts";
import { spawnFerry } from "./harness/ferry_process.ts";
import { runServerCommand } from "./harness/ferryd_process.ts";
import { waitFor } from "./harness/wait.ts";
import { jsonDocument, jsonDocuments, jsonResult } from "./harness/json_output.ts";

Deno.test("ferry put - the summary counts transferred, skipped and failed apart; per-file lines with -v", async () => {
  await using world = await openWorld();
  for (const name of ["a.txt", "b.txt", "c.txt"]) {
    await Deno.writeTextFile(`${world.work}/${name}`, `${name} `.repeat(1000));
  }
  assert.equal((await world.ferry(["put", "a.txt", "b.txt", "./"])).code, 0);
  const again = await world.ferry(["put", "a.txt", "b.txt", "c.txt", "./"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(
    again.stderr,
    /^Uploaded 1 of 3 files: 5\.9 KiB in \d\d:\d\d \(\d+(\.\d)? (B|KiB|MiB)\/s\), SHA-256 verified; 2 skipped \(identical\)\n$/,
  );
  const verbose = await world.ferry(["put", "-v", "a.txt", "b.txt", "c.txt", "./"]);
  assert.match(verbose.stderr, /^Skipped "a\.txt": identical$/m);
  assert.match(verbose.stderr, /Uploaded 0 of 3 files: 0 B in .*; 3 skipped \(identical\)/);
});

Deno.test("ferry put/get - one file says where it went; rates are rounded", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.work}/a.txt`, "hello");
  const put = await world.ferry(["put", "a.txt", "renamed.txt"]);
  assert.equal(put.code, 0, put.stderr);
  assert.match(
    put.stderr,
    /^Uploaded "a\.txt" to "\/renamed\.txt": 5 B in 00:00 \(\d+ (B|KiB)\/s\)/m,
  );
  assert.doesNotMatch(put.stderr, /\d\.\d{2,}/, "no long decimals");
  const get = await world.ferry(["get", "renamed.txt", "back.txt"]);
  assert.match(get.stderr, /^Downloaded "\/renamed\.txt" to "back\.txt": 5 B/m);
  await Deno.writeTextFile(`${world.work}/back.txt`, "other");
  const kept = await world.ferry(["get", "--rename", "renamed.txt", "back.txt"]);
  assert.match(kept.stderr, /to "back \(1\)\.txt" \(a new name: the original exists\)/);
  const skipped = await world.ferry(["get", "renamed.txt", "back (1).txt"]);
  assert.match(skipped.stderr, /^Skipped "\/renamed\.txt": identical file already there/m);
});

Deno.test("ferry put - resumed bytes are not counted as sent", async () => {
  await using world = await openWorld();
  const size = 96 * 1024 * 1024;
  const sent = await writeRandomFile(`${world.work}/big.bin`, size);
  const child = world.spawn(["put", "big.bin", "-q"]);
  await world.untilUploaded(32 * 1024 * 1024);
  child.kill("SIGKILL");
  await child.output();
  const resumed = await world.ferry(["put", "big.bin", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const { summary, results } = jsonDocument(resumed.stdout);
  const file = results[0] as { offset: number; sent: number; sha256: string };
  assert.equal(file.sha256, sent);
  assert.ok(file.offset > 0, "resumed");
  assert.equal(file.sent, size - file.offset);
  assert.equal(summary?.bytesSent, size - file.offset);
  assert.equal(summary?.bytesResumed, file.offset);
  assert.equal(summary?.transferred, 1);
});

Deno.test("ferry get - a resume of a file that changed says it restarted from 0", async () => {
  await using world = await openWorld();
  await writeRandomFile(`${world.work}/big.bin`, 2 * 1024 * 1024);
  assert.equal((await world.ferry(["put", "big.bin", "-q"])).code, 0);
  // A partial download of other bytes: the end check fails, the download starts over.
  await writeRandomFile(`${world.work}/copy.bin.ferry-part`, 1024 * 1024);
  const get = await world.ferry(["get", "big.bin", "copy.bin"]);
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stderr, /restarted from 0: the file changed since the interrupted transfer/);
  assert.equal(
    await sha256File(`${world.work}/copy.bin`),
    await sha256File(`${world.work}/big.bin`),
  );
});

Deno.test("ferry --json - one document per command, errors in it too, the exit code unchanged", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.work}/a.txt`, "hello");
  const put = jsonDocument((await world.ferry(["put", "a.txt", "b.txt", "--json"])).stdout);
  assert.equal(put.command, "put");
  assert.equal(put.ok, true);
  assert.deepEqual(
    [put.results[0]?.status, put.results[0]?.path, put.results[0]?.local],
    ["transferred", "b.txt", "a.txt"],
  );
  const get = jsonResult((await world.ferry(["get", "b.txt", "c.txt", "--json"])).stdout);
  assert.deepEqual([get.path, get.local], ["b.txt", "c.txt"], "path is the server's both ways");

  const missing = await world.ferry(["get", "nothing.txt", "--json"]);
  assert.equal(missing.code, 3);
  const failed = jsonDocument(missing.stdout);
  assert.equal(failed.ok, false);
  assert.equal(failed.error?.code, "not_found");
  assert.match(failed.error?.message ?? "", /nothing\.txt/);
  assert.match(missing.stderr, /nothing\.txt/, "the message is on stderr as well");

  const login = await world.ferry(["ls", "--json"], { password: "wrong" });
  assert.equal(login.code, 2);
  assert.equal(jsonDocument(login.stdout).error?.code, "auth_failed");

  const stat = jsonResult((await world.ferry(["stat", "--hash", "b.txt", "--json"])).stdout);
  assert.equal(stat.sha256, await sha256File(`${world.work}/a.txt`));
  const human = await world.ferry(["stat", "--hash", "b.txt"]);
  assert.match(human.stdout, new RegExp(`SHA-256 ${stat.sha256}`));

  await Deno.writeTextFile(`${world.work}/batch.txt`, "mkdir d\nls\nrm nothing.txt\n");
  const batch = await world.ferry(["--json", "-b", "batch.txt"]);
  assert.equal(batch.code, 3);
  const documents = jsonDocuments(batch.stdout);
  assert.deepEqual(documents.map((d) => [d.command, d.ok]), [
    ["mkdir", true],
    ["ls", true],
    ["rm", false],
  ]);
});

Deno.test("ferry -b - a line starting with - may fail; !command is refused, naming the sandbox", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.work}/batch.txt`, "-rm nothing.txt\nmkdir made\n");
  const run = await world.ferry(["-b", "batch.txt"]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok((await Deno.stat(`${world.server.dataDir}/files/made`)).isDirectory);
  await Deno.writeTextFile(`${world.work}/bang.txt`, "!ls\n");
  const bang = await world.ferry(["-b", "bang.txt"]);
  assert.equal(bang.code, 1);
  assert.match(
    bang.stderr,
    /Cannot run local commands \(!\): ferry's sandbox may not start programs/,
  );
});

/**
 * Runs `ferry -b -` with stdin left open, so that only the server can end the
 * session; does `meanwhile`, then returns what the client printed (exit 4).
 */
async function batchEndedByServer(
  world: World,
  meanwhile: () => Promise<void> = () => Promise.resolve(),
): Promise<string> {
  const child = spawnFerry(["-b", "-"], {
    server: world.server.server,
    cwd: world.work,
    password: ALICE_PASSWORD,
    stdin: "",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    await meanwhile();
    const output = await child.output();
    assert.equal(output.code, 4);
    return new TextDecoder().decode(output.stderr);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("ferry -b - the session ends with the server's reason when it goes idle", async () => {
  const dataDir = await Deno.makeTempDir();
  await Deno.mkdir(`${dataDir}/state`, { recursive: true });
  await Deno.writeTextFile(
    `${dataDir}/state/config.json`,
    JSON.stringify({ idleTimeoutSeconds: 1 }),
  );
  try {
    await using world = await openWorld({ dataDir });
    assert.match(
      await batchEndedByServer(world),
      /ferry: The server ended the session: idle for 1 s/,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ferry -b - the session ends with the server's reason when its user is deleted", async () => {
  await using world = await openWorld();
  const stderr = await batchEndedByServer(world, async () => {
    await waitFor(
      () => Promise.resolve(/logged in as "alice"/.test(world.server.log())),
      20_000,
      "the login",
    );
    const removed = await runServerCommand(world.server.dataDir, ["user", "del", "alice"]);
    assert.equal(removed.code, 0, removed.stderr);
  });
  assert.match(stderr, /ferry: The server ended the session: user "alice" no longer exists/);
});

Deno.test("ferry help texts - no line wider than 80 columns", () => {
  for (const text of [CLIENT_USAGE, SHELL_USAGE]) {
    for (const line of text.split("\n")) assert.ok(line.length <= 80, `too wide: "${line}"`);
  }
});
