import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { openWorld } from "./harness/fixture.ts";

/** path → sha256 (files) or "dir" (folders), plus file mtimes, for a whole tree. */
async function describe(root: string, rel = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const entry of Deno.readDir(rel ? `${root}/${rel}` : root)) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory) {
      out.set(path, "dir");
      for (const [k, v] of await describe(root, path)) out.set(k, v);
    } else if (entry.isFile) {
      out.set(
        path,
        createHash("sha256").update(await Deno.readFile(`${root}/${path}`)).digest("hex"),
      );
    }
  }
  return out;
}

async function mtimes(root: string, tree: Map<string, string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [path, kind] of tree) {
    if (kind !== "dir") out.set(path, (await Deno.stat(`${root}/${path}`)).mtime!.getTime());
  }
  return out;
}

async function makeTree(root: string): Promise<void> {
  const names = ["plain", "with space", "ünïcödé", "日本語", "emoji 🚀", "a.b.c"];
  let n = 0;
  for (const top of names) {
    for (const sub of ["", "nested/deeper"]) {
      const dir = sub ? `${root}/${top}/${sub}` : `${root}/${top}`;
      await Deno.mkdir(dir, { recursive: true });
      for (let i = 0; i < 30; i++) {
        const size = (n++ * 977) % 20_000;
        await Deno.writeFile(
          `${dir}/file ${i} – ${top}.txt`,
          crypto.getRandomValues(new Uint8Array(size)),
        );
      }
    }
  }
  await Deno.mkdir(`${root}/empty`, { recursive: true });
  await Deno.mkdir(`${root}/plain/empty inside`, { recursive: true });
  const old = new Date("2020-02-02T12:00:00Z");
  await Deno.utime(`${root}/plain/file 0 – plain.txt`, old, old);
}

Deno.test("ferry put -r / get -r - a tree with empty folders, spaces and non-ASCII names round-trips", async () => {
  await using world = await openWorld();
  const source = `${world.work}/tree`;
  await makeTree(source);
  await Deno.symlink("/etc/passwd", `${source}/plain/escape`);
  const expected = await describe(source);
  expected.delete("plain/escape");
  assert.ok(expected.size > 360, `${expected.size} entries`);

  const put = await world.ferry(["put", "-r", "tree"]);
  assert.equal(put.code, 0, put.stderr);
  assert.match(put.stderr, /Skipped "tree\/plain\/escape": symbolic link/);
  assert.deepEqual(await describe(`${world.server.dataDir}/files/tree`), expected);
  assert.deepEqual(
    await mtimes(`${world.server.dataDir}/files/tree`, expected),
    await mtimes(source, expected),
    "mtimes are kept on the server",
  );

  await Deno.mkdir(`${world.work}/back`);
  const get = await world.ferry(["get", "-r", "tree", "back/"]);
  assert.equal(get.code, 0, get.stderr);
  assert.deepEqual(await describe(`${world.work}/back/tree`), expected);
  assert.deepEqual(
    await mtimes(`${world.work}/back/tree`, expected),
    await mtimes(source, expected),
  );
  const diff = await new Deno.Command("diff", {
    args: ["-r", `${world.server.dataDir}/files/tree`, `${world.work}/back/tree`],
  }).output();
  assert.equal(diff.code, 0, new TextDecoder().decode(diff.stdout));

  const again = await world.ferry(["put", "-r", "tree"]);
  assert.equal(again.code, 0, "re-sending an unchanged tree skips every file");
  assert.match(again.stderr, /skipped \(identical\)/);
});

Deno.test("ferry put/get - 1,000 files of 4 KiB in one command, pipelined and verified", async () => {
  await using world = await openWorld();
  const dir = `${world.work}/many`;
  await Deno.mkdir(dir);
  const names: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const name = `f${String(i).padStart(4, "0")}.bin`;
    names.push(`many/${name}`);
    await Deno.writeFile(`${dir}/${name}`, crypto.getRandomValues(new Uint8Array(4096)));
  }
  const expected = await describe(dir);
  await world.ferry(["mkdir", "many"]);
  const put = await world.ferry(["put", "-q", ...names, "many/"]);
  assert.equal(put.code, 0, put.stderr);
  assert.deepEqual(await describe(`${world.server.dataDir}/files/many`), expected);

  await Deno.remove(dir, { recursive: true });
  const get = await world.ferry(["get", "-r", "-q", "many"]);
  assert.equal(get.code, 0, get.stderr);
  assert.deepEqual(await describe(dir), expected);
});

Deno.test("ferry get a b - two arguments mean 'a, saved as b', even when b exists on the server", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.server.dataDir}/files/a.txt`, "alpha");
  await Deno.writeTextFile(`${world.server.dataDir}/files/b.txt`, "beta");
  const run = await world.ferry(["get", "a.txt", "b.txt"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(await Deno.readTextFile(`${world.work}/b.txt`), "alpha");
  const names = [];
  for await (const entry of Deno.readDir(world.work)) {
    if (!entry.name.startsWith(".")) names.push(entry.name);
  }
  assert.deepEqual(names, ["b.txt"], "a.txt was not downloaded as a second source");
  await Deno.mkdir(`${world.work}/dir`);
  assert.equal(
    (await world.ferry(["get", "a.txt", "b.txt", "dir"])).code,
    0,
    "three: sources into a folder",
  );
  assert.equal(await Deno.readTextFile(`${world.work}/dir/b.txt`), "beta");
});
