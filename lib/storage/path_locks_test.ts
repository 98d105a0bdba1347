import assert from "node:assert/strict";
import { isFerryError } from "../core/errors.ts";
import { PathLocks } from "./path_locks.ts";

function busy(error: unknown): boolean {
  return isFerryError(error, "busy");
}

Deno.test("PathLocks.tryAcquire() refuses a second upload of one path until release", () => {
  const locks = new PathLocks();
  const first = locks.tryAcquire("a/b.txt", "upload");
  assert.throws(() => locks.tryAcquire("a/b.txt", "upload"), {
    name: "FerryError",
    message: 'Cannot write "a/b.txt": another upload is in progress',
  });
  first.release();
  first.release();
  assert.equal(locks.size, 0);
  locks.tryAcquire("a/b.txt", "upload").release();
});

Deno.test("PathLocks.tryAcquire() conflicts with folders above and paths below", () => {
  const locks = new PathLocks();
  using _upload = locks.tryAcquire("d/e/f.txt", "upload");
  assert.throws(() => locks.tryAcquire("d", "rename"), {
    message: 'Cannot move "d": an upload of "d/e/f.txt" is in progress',
  });
  assert.throws(() => locks.tryAcquire("d/e", "removeDirectory"), busy);
  assert.throws(() => locks.tryAcquire("d/e/f.txt/x", "upload"), busy);
  assert.equal(locks.isLocked(""), true);
  assert.equal(locks.isLocked("d/e/g.txt"), false);
  assert.equal(locks.isLocked("dd"), false);
  locks.tryAcquire("d/e/g.txt", "upload").release();
  locks.tryAcquire("dd", "rename").release();
});

Deno.test("PathLocks.tryAcquire() names a different holder on the same path", () => {
  const locks = new PathLocks();
  using _upload = locks.tryAcquire("x", "upload");
  assert.throws(() => locks.tryAcquire("x", "remove"), {
    message: 'Cannot remove "x": an upload is in progress',
  });
});

Deno.test("PathLocks lock is released by using", () => {
  const locks = new PathLocks();
  {
    using _lock = locks.tryAcquire("a", "makeDirectory");
    assert.equal(locks.size, 1);
  }
  assert.equal(locks.size, 0);
  assert.equal(locks.isLocked("a/b"), false);
});

Deno.test("PathLocks keeps counts right with nested holders", () => {
  const locks = new PathLocks();
  const one = locks.tryAcquire("a/b/c", "upload");
  const two = locks.tryAcquire("a/b/d", "upload");
  one.release();
  assert.throws(() => locks.tryAcquire("a", "rename"), busy);
  two.release();
  locks.tryAcquire("a", "rename").release();
  assert.equal(locks.size, 0);
});
