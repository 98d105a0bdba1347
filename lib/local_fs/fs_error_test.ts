import assert from "node:assert/strict";
import { FerryError } from "../core/errors.ts";
import { fsError } from "./fs_error.ts";

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("Cannot test fsError(): the call did not fail");
}

Deno.test("fsError() maps Deno errors to codes without leaking server paths", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ferry_fs_error_" });
  try {
    await Deno.mkdir(`${dir}/full`);
    await Deno.writeTextFile(`${dir}/full/f`, "x");
    const cases: [() => Promise<unknown>, string][] = [
      [() => Deno.stat(`${dir}/none`), "not_found"],
      [() => Deno.mkdir(`${dir}/full`), "exists"],
      [() => Deno.stat(`${dir}/full/f/g`), "not_directory"],
      [() => Deno.open(`${dir}/full`, { write: true }), "is_directory"],
      [() => Deno.remove(`${dir}/full`), "not_empty"],
    ];
    for (const [call, code] of cases) {
      const mapped = fsError(await caught(call), 'Cannot do "x"');
      assert.equal(mapped.code, code);
      assert.ok(mapped.message.startsWith('Cannot do "x": '));
      assert.ok(!mapped.message.includes(dir), mapped.message);
      assert.ok(mapped.cause instanceof Error);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fsError() passes FerryError through and calls the unknown internal", () => {
  const original = new FerryError("busy", 'Cannot write "x": busy');
  assert.equal(fsError(original, "ignored"), original);
  assert.equal(fsError(new Error("strange"), 'Cannot do "x"').code, "internal");
  assert.equal(fsError("not an error", 'Cannot do "x"').code, "internal");
});
