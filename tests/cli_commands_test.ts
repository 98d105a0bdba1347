/**
 * The everyday commands as a person types them (issue 14, items 3-6 and 12):
 * re-running an interrupted tree copy converges, drop-box users can upload
 * without listings, remote and local patterns, the one `put a b` rule, and
 * `mkdir -p`, `mv` into folders, `ls -l`, `rm -r`, `put -`, `get -`, `-l`, `df`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { auditEvents } from "./harness/audit_events.ts";
import { addUser } from "./harness/ferryd_process.ts";
import { listTree, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { converse, HAS_SCRIPT } from "./harness/terminal.ts";
import { waitFor } from "./harness/wait.ts";
import { jsonResult } from "./harness/json_output.ts";

const MIB = 1024 * 1024;

/** Bytes the server received for `put` events after event number `from`. */
async function putBytesSince(dataDir: string, from: number): Promise<number> {
  return (await auditEvents(dataDir)).slice(from)
    .filter((event) => event.event === "put" || event.event === "transfer.aborted")
    .reduce((sum, event) => sum + (event.bytes as number ?? 0), 0);
}

async function makeTree(root: string): Promise<void> {
  await Deno.mkdir(`${root}/sub`, { recursive: true });
  for (const name of ["a.txt", "b.txt", "sub/c.txt"]) {
    await Deno.writeTextFile(`${root}/${name}`, name);
  }
}

Deno.test("put -r many many2 / get -r many2 g/many - interrupted, then run again: same paths, only the rest sent", async () => {
  await using world = await openWorld();
  await makeTree(`${world.work}/many`);
  await writeRandomFile(`${world.work}/many/big.bin`, 6 * MIB);
  // Slowed down (-l, KiB/s) so that it is surely killed half way.
  const first = world.spawn(["put", "-r", "-l", "2048", "many", "many2"]);
  await world.untilUploaded(MIB);
  first.kill("SIGKILL");
  await first.status;
  await world.files.untilUnlocked("many2/big.bin");
  // The killed upload's own event comes when the server sees the connection
  // drop: wait for it, so that its bytes are not counted as the re-run's.
  await waitFor(
    async () =>
      (await auditEvents(world.server.dataDir)).some((event) =>
        event.event === "transfer.aborted" && event.path === "many2/big.bin"
      ),
    60_000,
    "the killed upload's transfer.aborted event",
  );
  const before = (await auditEvents(world.server.dataDir)).length;
  const again = await world.ferry(["put", "-r", "many", "many2"]);
  assert.equal(again.code, 0, again.stderr);
  const tree = await listTree(`${world.server.dataDir}/files`);
  assert.deepEqual(tree, [
    "many2",
    "many2/a.txt",
    "many2/b.txt",
    "many2/big.bin",
    "many2/sub",
    "many2/sub/c.txt",
  ]);
  assert.ok(
    await putBytesSince(world.server.dataDir, before) < 6 * MIB - MIB / 2,
    "the re-run resumed instead of sending everything again",
  );
  assert.equal((await world.ferry(["put", "-r", "many", "many2"])).code, 0, "a third run too");

  // Downloads: the same rule.
  const get = world.spawn(["get", "-r", "-l", "2048", "many2", "g/many"]);
  await waitFor(
    async () =>
      ((await Deno.stat(`${world.work}/g/many/big.bin.ferry-part`).catch(() => null))?.size ?? 0) >=
        MIB,
    60_000,
    "1 MiB downloaded",
  );
  get.kill("SIGKILL");
  await get.status;
  const rerun = await world.ferry(["get", "-r", "many2", "g/many"]);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(await listTree(`${world.work}/g`), [
    "many",
    "many/a.txt",
    "many/b.txt",
    "many/big.bin",
    "many/sub",
    "many/sub/c.txt",
  ]);
  const gets = (await auditEvents(world.server.dataDir)).filter((event) =>
    event.event === "get" && event.path === "many2/big.bin"
  );
  assert.ok((gets.at(-1)?.offset as number) > 0, "the download resumed");
  assert.equal(
    await sha256File(`${world.work}/g/many/big.bin`),
    await sha256File(`${world.work}/many/big.bin`),
  );
  // A trailing / copies into the folder.
  assert.equal((await world.ferry(["put", "-r", "many", "into/"])).code, 0);
  assert.ok((await world.files.tree()).includes("into/many/sub/c.txt"));
});

Deno.test("upload-only user - put NEWNAME, a re-run, --rename, -f and a second put -r work without listings", async () => {
  await using world = await openWorld();
  await addUser(world.server.dataDir, "scanner", "pw-scanner", [
    "--upload-only",
    "--home",
    "inbox",
  ]);
  const as = { user: "scanner", password: "pw-scanner" };
  await Deno.writeTextFile(`${world.work}/scan.pdf`, "first scan");
  await Deno.writeTextFile(`${world.work}/other.pdf`, "second scan");
  await makeTree(`${world.work}/batch`);
  const run = async (args: string[], code = 0): Promise<string> => {
    const result = await world.ferry(args, as);
    assert.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /"list" permission/);
    return result.stderr;
  };
  await run(["put", "scan.pdf", "2025-01.pdf"]);
  await run(["put", "scan.pdf", "2025-01.pdf"]); // identical: skipped
  await run(["put", "other.pdf", "2025-01.pdf"], 3); // other content: refused
  await run(["put", "--rename", "other.pdf", "2025-01.pdf"]); // kept both
  await run(["put", "--rename", "scan.pdf", "2025-01.pdf"]); // identical: no third copy
  assert.match(await run(["put", "-f", "other.pdf", "2025-01.pdf"], 3), /"overwrite" permission/);
  await run(["put", "-r", "batch"]);
  await run(["put", "-r", "batch"]);
  await run(["mkdir", "-p", "a/b"]);
  assert.deepEqual((await world.files.tree()).filter((path) => path.startsWith("inbox/")), [
    "inbox/2025-01 (1).pdf",
    "inbox/2025-01.pdf",
    "inbox/a",
    "inbox/a/b",
    "inbox/batch",
    "inbox/batch/a.txt",
    "inbox/batch/b.txt",
    "inbox/batch/sub",
    "inbox/batch/sub/c.txt",
  ]);
  assert.equal(await world.files.readText("inbox/2025-01 (1).pdf"), "second scan");
  const ls = await world.ferry(["ls"], as);
  assert.equal(ls.code, 3, "listing stays denied");
});

Deno.test("remote patterns - ls, get, rm and the shell's put/get expand *, ? and [...]; no match is exit 3", async () => {
  await using world = await openWorld();
  await Deno.mkdir(`${world.server.dataDir}/files/sub`);
  for (const name of ["a.txt", "b.txt", ".hidden.txt", "c.pdf", "old1", "old2", "sub/d.txt"]) {
    await world.files.writeText(name, name);
  }
  const ls = await world.ferry(["ls", "*.txt"]);
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(ls.stdout.trim().split("\n").map((line) => line.split(/\s+/).at(-1)), [
    "a.txt",
    "b.txt",
  ]);
  assert.match((await world.ferry(["ls", ".*"])).stdout, /\.hidden\.txt/);
  assert.match((await world.ferry(["ls", "*/?.txt"])).stdout, /sub\/d\.txt/);
  assert.match((await world.ferry(["ls", "[ac].*"])).stdout, /a\.txt[\s\S]*c\.pdf/);
  const get = await world.ferry(["get", "*.txt", "dl/"]);
  assert.equal(get.code, 0, get.stderr);
  assert.deepEqual(await listTree(`${world.work}/dl`), ["a.txt", "b.txt"]);
  const rm = await world.ferry(["rm", "old*", "c.pdf"]);
  assert.equal(rm.code, 0, rm.stderr);
  assert.deepEqual(await world.files.tree(), [".hidden.txt", "a.txt", "b.txt", "sub", "sub/d.txt"]);
  const none = await world.ferry(["rm", "zzz*"]);
  assert.equal(none.code, 3);
  assert.match(none.stderr, /No match for "zzz\*" on the server/);

  // The shell has no shell: it expands local patterns itself.
  await Deno.mkdir(`${world.work}/here`);
  for (const name of ["x.md", "y.md", "z.txt"]) {
    await Deno.writeTextFile(`${world.work}/${name}`, name);
  }
  await Deno.writeTextFile(
    `${world.work}/cmds`,
    "mkdir notes\nput *.md notes/\nlcd here\nget *.txt\n",
  );
  const shell = await world.ferry(["-b", "cmds"]);
  assert.equal(shell.code, 0, shell.stderr);
  assert.ok((await world.files.tree()).includes("notes/y.md"));
  assert.deepEqual(await listTree(`${world.work}/here`), ["a.txt", "b.txt"]);
});

Deno.test("put a b / get a b - a saved as b; several need a folder; b also a local file is refused, not guessed", async () => {
  await using world = await openWorld();
  for (const name of ["a", "b", "c"]) await Deno.writeTextFile(`${world.work}/${name}`, name);
  const both = await world.ferry(["put", "a", "b"]);
  assert.equal(both.code, 1);
  assert.match(
    both.stderr,
    /Cannot tell whether "b" is a second file to upload or the name for "a"/,
  );
  assert.deepEqual(await world.files.tree(), [], "nothing uploaded");
  assert.equal((await world.ferry(["put", "a", "b", "./"])).code, 0);
  assert.equal((await world.ferry(["put", "a", "/renamed"])).code, 0);
  assert.equal(await world.files.readText("renamed"), "a");
  assert.equal((await world.ferry(["put", "a", "b", "c"])).code, 0, "three local files: all up");
  assert.equal((await world.ferry(["mkdir", "docs"])).code, 0);
  assert.equal((await world.ferry(["put", "c", "docs"])).code, 0, "into an existing folder");
  const missing = await world.ferry(["put", "a", "b", "nowhere"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /end it with "\/"/);
  assert.deepEqual(await world.files.tree(), ["a", "b", "c", "docs", "docs/c", "renamed"]);

  assert.equal((await world.ferry(["get", "a", "fetched"])).code, 0);
  assert.equal(await Deno.readTextFile(`${world.work}/fetched`), "a");
  assert.equal((await world.ferry(["get", "a", "b", "down/"])).code, 0);
  assert.deepEqual(await listTree(`${world.work}/down`), ["a", "b"]);
  assert.equal((await world.ferry(["get", "a", "b", "nowhere"])).code, 1);
  // Two sources of one name into one folder: refused before anything is fetched.
  const twice = await world.ferry(["get", "a", "docs/c", "c", "down2/"]);
  assert.equal(twice.code, 1);
  assert.match(
    twice.stderr,
    /Cannot copy both "docs\/c" and "c" into "down2\/": both are named "c"/,
  );
  await assert.rejects(Deno.stat(`${world.work}/down2`));
});

Deno.test("everyday commands - mkdir -p, mv into a folder, ls -l in local time, rm -r, df, put -, -l", async () => {
  await using world = await openWorld();
  await addUser(world.server.dataDir, "bob", "pw-bob", [
    "--home",
    "bob",
    "--quota",
    "1M",
    "--quota-files",
    "10",
  ]);
  assert.equal((await world.ferry(["mkdir", "-p", "a/b/c"])).code, 0);
  assert.equal((await world.ferry(["mkdir", "-p", "a/b/c"])).code, 0, "existing is fine");
  await Deno.writeTextFile(`${world.work}/n.txt`, "note");
  const old = new Date("2020-02-02T12:00:00Z");
  await Deno.utime(`${world.work}/n.txt`, old, old);
  assert.equal((await world.ferry(["put", "n.txt", "m.txt"])).code, 0);
  assert.equal((await world.ferry(["mv", "n.txt", "a"], {})).code, 3, "no n.txt on the server");
  assert.equal((await world.ferry(["mv", "m.txt", "a"])).code, 0);
  assert.equal((await world.ferry(["mv", "a/m.txt", "a/b/"])).code, 0);
  assert.ok((await world.files.tree()).includes("a/b/m.txt"));
  const ls = await world.ferry(["ls", "-l", "a/b"], { env: { TZ: "Asia/Kolkata" } });
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /2020-02-02 17:30 {2}m\.txt/, "local time (UTC+5:30)");
  const rmr = await world.ferry(["rm", "-r", "a"]);
  assert.equal(rmr.code, 1);
  assert.match(rmr.stderr, /rmdir -r/);

  const bob = { user: "bob", password: "pw-bob" };
  const piped = await world.ferry(["put", "-", "from-stdin.txt"], { ...bob, stdin: "piped in\n" });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(await world.files.readText("bob/from-stdin.txt"), "piped in\n");
  const df = await world.ferry(["df"], bob);
  assert.equal(df.code, 0, df.stderr);
  assert.match(
    df.stdout,
    /Used: {2}9 B in 1 file\nQuota: 1\.0 MiB \(0\.0% used\), 10 files \(10\.0% used\)/,
  );
  const json = jsonResult((await world.ferry(["df", "--json"], bob)).stdout);
  assert.deepEqual(json, { bytes: 9, files: 1, quotaBytes: MIB, quotaFiles: 10 });

  // -l is KiB/s for all transfers together: 384 KiB at 128 KiB/s take about 3 s, never under 2.
  await writeRandomFile(`${world.work}/slow.bin`, 384 * 1024);
  const started = performance.now();
  assert.equal((await world.ferry(["put", "-l", "128", "slow.bin"])).code, 0);
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds >= 2, `${seconds.toFixed(1)} s`);
});

Deno.test({
  name: "get NAME - on a terminal - binary is refused without --force; text is shown",
  ignore: !HAS_SCRIPT,
  fn: async () => {
    await using world = await openWorld();
    await world.files.writeText("notes.txt", "plain words\n");
    await writeRandomFile(`${world.work}/blob.bin`, 4096);
    assert.equal((await world.ferry(["put", "blob.bin"])).code, 0);
    const refused = await converse(world, ["get", "blob.bin", "-"], []);
    assert.equal(refused.code, 1);
    assert.match(refused.screen, /Cannot print "blob\.bin" on the terminal: it looks binary/);
    const text = await converse(world, ["get", "notes.txt", "-"], []);
    assert.equal(text.code, 0);
    assert.match(text.screen, /plain words/);
    const forced = await converse(world, ["get", "--force", "blob.bin", "-"], []);
    assert.equal(forced.code, 0);
  },
});
