import assert from "node:assert/strict";
import { type CopyProbes, planCopy } from "./copy_plan.ts";
import { isFerryError } from "../core/errors.ts";

function probes(dirs: string[] = [], local: string[] = []): CopyProbes {
  return {
    expand: (arg) => Promise.resolve([arg]),
    destinationKind: (path) => Promise.resolve(dirs.includes(path) ? "dir" : "none"),
    localExists: (path) => Promise.resolve(local.includes(path)),
  };
}

Deno.test("planCopy - SRC DEST is SRC saved as DEST; DEST/ and an existing folder take several", async () => {
  assert.deepEqual(await planCopy("get", ["a"], probes()), {
    sources: ["a"],
    destination: { kind: "here" },
  });
  assert.deepEqual((await planCopy("put", ["many", "many2"], probes())).destination, {
    kind: "as",
    path: "many2",
  });
  assert.deepEqual((await planCopy("get", ["a", "b", "out/"], probes())).destination, {
    kind: "into",
    folder: "out/",
    make: true,
  });
  assert.deepEqual((await planCopy("put", ["a", "b", "docs"], probes(["docs"]))).destination, {
    kind: "into",
    folder: "docs",
    make: false,
  });
});

Deno.test("planCopy - refuses what it cannot tell, and two sources of one name into one folder", async () => {
  await assert.rejects(
    planCopy("put", ["a", "b"], probes([], ["b"])),
    (error) => isFerryError(error, "usage") && /Cannot tell whether "b"/.test(error.message),
  );
  await assert.rejects(
    planCopy("get", ["a", "b", "c"], probes()),
    (error) => isFerryError(error, "usage") && /there is no such folder here/.test(error.message),
  );
  await assert.rejects(
    planCopy("get", ["key/x.bin", "pass/x.bin", "out/"], probes()),
    (error) =>
      isFerryError(error, "usage") &&
      error.message ===
        'Cannot copy both "key/x.bin" and "pass/x.bin" into "out/": both are named "x.bin"',
  );
  await assert.rejects(planCopy("put", ["a/t/", "b/t", "dir/"], probes()), /both are named "t"/);
  // A saved-as copy has one source: nothing to collide.
  assert.equal((await planCopy("get", ["a/x", "x"], probes())).sources.length, 1);
});
