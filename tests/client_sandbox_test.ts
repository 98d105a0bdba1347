import assert from "node:assert/strict";
import { openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { jsonResults } from "./harness/json_output.ts";

// The harness runs the client under exactly `clientPermissionFlags` for its
// working folder, its state folder (`work/.ferry`) and its server.

function rule(work: string): RegExp {
  const quoted = (path: string): string => `"${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`;
  return new RegExp(
    `ferry may only read and write files in its working folder ${quoted(work)} ` +
      `and its state folder ${quoted(`${work}/.ferry`)}`,
  );
}

Deno.test("ferry sandbox - uploads from and downloads into its working folder", async () => {
  await using world = await openWorld();
  const hash = await writeRandomFile(`${world.work}/in.bin`, 300_000);
  const put = await world.ferry(["put", "in.bin"]);
  assert.equal(put.code, 0, put.stderr);
  await Deno.mkdir(`${world.work}/sub`);
  const get = await world.ferry(["get", "in.bin", `${world.work}/sub/out.bin`]);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(await sha256File(`${world.work}/sub/out.bin`), hash);
});

Deno.test("ferry sandbox - reading a local file outside its folders is refused, naming the rule", async () => {
  await using world = await openWorld();
  const put = await world.ferry(["put", "/etc/passwd", "passwd"]);
  assert.equal(put.code, 1, put.stderr);
  assert.match(put.stderr, /Cannot read "\/etc\/passwd": /);
  assert.match(put.stderr, rule(world.work));
  assert.doesNotMatch(put.stderr, /\n\s+at |run again with/, "no stack trace, no Deno advice");
  const listed = await world.ferry(["ls", "--json"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(jsonResults(listed.stdout), []);
});

Deno.test("ferry sandbox - downloading outside its folders is refused, naming the rule", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.work}/note.txt`, "hello");
  assert.equal((await world.ferry(["put", "note.txt"])).code, 0);
  const outside = await Deno.makeTempDir({ prefix: "ferry-outside-" });
  try {
    const get = await world.ferry(["get", "note.txt", `${outside}/note.txt`]);
    assert.equal(get.code, 1, get.stderr);
    assert.match(get.stderr, new RegExp(`Cannot (read|write) "${outside}/note\\.txt`));
    assert.match(get.stderr, rule(world.work));
    assert.doesNotMatch(get.stderr, /\n\s+at /, "no stack trace");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(outside)), []);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("ferry sandbox - an identity file outside its folders is refused, naming the rule", async () => {
  await using world = await openWorld();
  const outside = await Deno.makeTempDir({ prefix: "ferry-outside-" });
  try {
    const keygen = await world.ferry(["keygen", `${outside}/id`]);
    assert.equal(keygen.code, 1, keygen.stderr);
    assert.match(keygen.stderr, new RegExp(`Cannot (read|write) "${outside}`));
    assert.match(keygen.stderr, rule(world.work));
    const login = await world.ferry(["ls", "--identity", "/etc/passwd"]);
    assert.equal(login.code, 1, login.stderr);
    assert.match(login.stderr, /Cannot read "\/etc\/passwd": ferry may only/);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});
