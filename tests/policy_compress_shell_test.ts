import assert from "node:assert/strict";
import { listTree, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { jsonResult } from "./harness/json_output.ts";

Deno.test("ferry overwrite policy - refuse, --force, --rename (keep both), identical skip", async () => {
  await using world = await openWorld();
  const files = `${world.server.dataDir}/files`;
  await Deno.writeTextFile(`${world.work}/r.txt`, "first");
  assert.equal((await world.ferry(["put", "r.txt"])).code, 0);

  const same = await world.ferry(["put", "r.txt"]);
  assert.equal(same.code, 0);
  assert.match(same.stderr, /Skipped "r\.txt": identical/);

  await Deno.writeTextFile(`${world.work}/r.txt`, "second");
  const refused = await world.ferry(["put", "r.txt"]);
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /"r\.txt".*--force.*--rename/);
  assert.equal(await Deno.readTextFile(`${files}/r.txt`), "first");

  const kept = await world.ferry(["put", "--rename", "r.txt", "--json"]);
  assert.equal(kept.code, 0, kept.stderr);
  assert.equal(jsonResult(kept.stdout).path, "r (1).txt");
  await Deno.writeTextFile(`${world.work}/r.txt`, "third");
  assert.equal((await world.ferry(["put", "--rename", "r.txt"])).code, 0);
  assert.deepEqual(await listTree(files), ["r (1).txt", "r (2).txt", "r.txt"]);
  assert.equal(await Deno.readTextFile(`${files}/r (2).txt`), "third");

  assert.equal((await world.ferry(["put", "--force", "r.txt"])).code, 0);
  assert.equal(await Deno.readTextFile(`${files}/r.txt`), "third");

  // The same policy downloading: the local copy differs, keep both.
  await Deno.writeTextFile(`${world.work}/r (1).txt`, "local only");
  const local = await world.ferry(["get", "--rename", "r (1).txt", "--json"]);
  assert.equal(local.code, 0, local.stderr);
  assert.equal(jsonResult(local.stdout).local, "r (1) (1).txt");
  assert.equal(await Deno.readTextFile(`${world.work}/r (1).txt`), "local only");
  assert.equal(await Deno.readTextFile(`${world.work}/r (1) (1).txt`), "second");
});

Deno.test("ferry --compress - text shrinks on the wire, random data goes stored", async () => {
  await using world = await openWorld();
  const text = "All work and no play makes Jack a dull boy.\n".repeat(200_000);
  await Deno.writeTextFile(`${world.work}/text.txt`, text);
  const randomHash = await writeRandomFile(`${world.work}/random.bin`, 4 * 1024 * 1024);

  const putText = jsonResult((await world.ferry(["put", "-z", "text.txt", "--json"])).stdout);
  assert.ok(
    (putText.wireBytes as number) < text.length / 10,
    `text went as ${putText.wireBytes} bytes`,
  );
  assert.equal(await Deno.readTextFile(`${world.server.dataDir}/files/text.txt`), text);

  const putRandom = jsonResult(
    (await world.ferry(["put", "-z", "random.bin", "--json"])).stdout,
  );
  assert.equal(putRandom.wireBytes, 4 * 1024 * 1024, "random data is sent stored, not bigger");
  assert.equal(await sha256File(`${world.server.dataDir}/files/random.bin`), randomHash);

  const getText = jsonResult(
    (await world.ferry(["get", "-z", "text.txt", "copy.txt", "--json"])).stdout,
  );
  assert.ok((getText.wireBytes as number) < text.length / 10);
  assert.equal(await Deno.readTextFile(`${world.work}/copy.txt`), text);
  const plain = jsonResult(
    (await world.ferry(["get", "text.txt", "plain.txt", "--json"])).stdout,
  );
  assert.equal(plain.wireBytes, text.length, "without -z nothing is compressed");
});

Deno.test("ferry -b - runs a scripted shell session on one connection and stops at the first error", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.work}/a.txt`, "alpha");
  const script = [
    "mkdir docs",
    "cd docs",
    "put a.txt",
    "pwd",
    "ls",
    'put a.txt "copy of a.txt"',
    "cd ..",
    "stat docs/a.txt",
    "get nope.txt",
    "mkdir never",
  ].join("\n") + "\n";
  const run = await world.ferry(["-b", "-"], { stdin: script });
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stdout, /^\/docs$/m);
  assert.match(run.stdout, /a\.txt/);
  assert.match(run.stderr, /ferry> get nope\.txt/);
  assert.doesNotMatch(run.stderr, /ferry> mkdir never/, "stopped at the first failure");
  assert.deepEqual(await listTree(`${world.server.dataDir}/files`), [
    "docs",
    "docs/a.txt",
    "docs/copy of a.txt",
  ]);
  assert.equal((world.server.log().match(/logged in as/g) ?? []).length, 1, "one connection");

  await Deno.writeTextFile(`${world.work}/cmds`, "ls\nbogus\nls\n");
  const file = await world.ferry(["-b", "cmds"]);
  assert.equal(file.code, 1, "an unknown command is a usage error");
  assert.match(file.stderr, /Unknown command "bogus"/);
});
