import assert from "node:assert/strict";
import { Jail } from "./jail.ts";
import { rejectsWith } from "./_test_helpers.ts";

/** The jail answers synchronously; its throws become a rejection to check. */
function later<T>(call: () => T): Promise<T> {
  return Promise.resolve().then(call);
}

interface Fixture extends AsyncDisposable {
  base: string;
  root: string;
  jail: Jail;
}

async function fixture(): Promise<Fixture> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "ferry_jail_" }));
  const root = `${base}/files`;
  await Deno.mkdir(`${root}/dir`, { recursive: true });
  await Deno.writeTextFile(`${root}/dir/a.txt`, "a");
  // A sibling whose name starts with the root's name: a bare prefix test would let it in.
  await Deno.mkdir(`${base}/files2`);
  await Deno.writeTextFile(`${base}/files2/secret.txt`, "secret");
  return {
    base,
    root,
    jail: new Jail(root),
    async [Symbol.asyncDispose](): Promise<void> {
      await Deno.remove(base, { recursive: true });
    },
  };
}

Deno.test("Jail.resolveExisting() resolves paths inside the root", async () => {
  await using f = await fixture();
  assert.equal(f.jail.resolveExisting(""), f.root);
  assert.equal(f.jail.resolveExisting("dir/a.txt"), `${f.root}/dir/a.txt`);
  await rejectsWith(later(() => f.jail.resolveExisting("dir/none")), "not_found");
  await rejectsWith(later(() => f.jail.resolveExisting("dir/a.txt/x")), "not_directory");
});

Deno.test("Jail.resolveExisting() refuses links leading outside, even to a prefix sibling", async () => {
  await using f = await fixture();
  await Deno.symlink("../files2", `${f.root}/sibling`);
  await Deno.symlink(`${f.base}/files2/secret.txt`, `${f.root}/secret`);
  await Deno.symlink("/", `${f.root}/slash`);
  for (const path of ["sibling", "sibling/secret.txt", "secret", "slash", "slash/etc"]) {
    const message = await rejectsWith(later(() => f.jail.resolveExisting(path)), "invalid_path");
    assert.ok(!message.includes(f.base), "no server path in the message");
  }
});

Deno.test("Jail.resolveExisting() follows links that stay inside", async () => {
  await using f = await fixture();
  await Deno.symlink("dir/a.txt", `${f.root}/alias`);
  await Deno.symlink("missing", `${f.root}/dangling`);
  assert.equal(f.jail.resolveExisting("alias"), `${f.root}/dir/a.txt`);
  await rejectsWith(later(() => f.jail.resolveExisting("dangling")), "not_found");
});

Deno.test("Jail.resolveForCreate() checks the parent and refuses a link in place", async () => {
  await using f = await fixture();
  await Deno.symlink("../files2", `${f.root}/out`);
  await Deno.symlink("dir/a.txt", `${f.root}/alias`);
  assert.deepEqual(f.jail.resolveForCreate("dir/new.txt"), {
    path: `${f.root}/dir/new.txt`,
    existing: undefined,
  });
  assert.equal((f.jail.resolveForCreate("dir/a.txt")).existing?.isFile, true);
  const missing = await rejectsWith(
    later(() => f.jail.resolveForCreate("nope/new.txt")),
    "not_found",
  );
  assert.equal(missing, 'Cannot create "nope/new.txt": folder "nope" does not exist');
  await rejectsWith(later(() => f.jail.resolveForCreate("dir/a.txt/new")), "not_directory");
  await rejectsWith(later(() => f.jail.resolveForCreate("out/new.txt")), "invalid_path");
  await rejectsWith(later(() => f.jail.resolveForCreate("out")), "invalid_path");
  await rejectsWith(later(() => f.jail.resolveForCreate("alias")), "invalid_path");
  await rejectsWith(later(() => f.jail.resolveForCreate("")), "invalid_path");
});

Deno.test("Jail.resolveEntry() returns the link itself and where it leads", async () => {
  await using f = await fixture();
  await Deno.symlink("dir/a.txt", `${f.root}/alias`);
  await Deno.symlink("../files2", `${f.root}/out`);
  const entry = f.jail.resolveEntry("alias");
  assert.equal(entry.path, `${f.root}/alias`);
  assert.equal(entry.real, `${f.root}/dir/a.txt`);
  assert.equal(entry.isSymlink, true);
  assert.equal(entry.info.isFile, true);
  assert.equal((f.jail.resolveEntry("dir")).isSymlink, false);
  await rejectsWith(later(() => f.jail.resolveEntry("out")), "invalid_path");
  await rejectsWith(later(() => f.jail.resolveEntry("dir/none")), "not_found");
});

Deno.test("Jail constructor refuses a relative root", () => {
  assert.throws(() => new Jail("data/files"), TypeError);
});
