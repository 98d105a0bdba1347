import assert from "node:assert/strict";
import { scryptSync } from "node:crypto";
import { DEFAULT_SCRYPT, deriveKek, keyFileKek, SCRYPT_LIMITS } from "./mod.ts";

Deno.test("deriveKek() is scrypt of the NFC passphrase with the given parameters", async () => {
  const salt = new Uint8Array(16).fill(7);
  const kek = await deriveKek("cafe\u0301", { logN: 11, r: 4, p: 2, salt });
  const expected = scryptSync(new TextEncoder().encode("caf\u00e9"), salt, 32, {
    N: 2 ** 11,
    r: 4,
    p: 2,
  });
  assert.deepEqual(kek.key, new Uint8Array(expected));
  assert.equal(kek.kind, "passphrase");
  if (kek.kind === "passphrase") {
    assert.deepEqual({ ...kek.scrypt }, { logN: 11, r: 4, p: 2, salt });
  }
});

Deno.test("deriveKek() defaults to N = 2^17, r = 8, p = 1 and a fresh salt", async () => {
  assert.deepEqual({ ...DEFAULT_SCRYPT }, { logN: 17, r: 8, p: 1 });
  const [a, b] = await Promise.all([deriveKek("x", { logN: 10 }), deriveKek("x", { logN: 10 })]);
  assert.ok(a?.kind === "passphrase" && b?.kind === "passphrase");
  assert.equal(a.scrypt.r, 8);
  assert.notDeepEqual(a.scrypt.salt, b.scrypt.salt);
  assert.notDeepEqual(a.key, b.key);
});

Deno.test("deriveKek() refuses an empty passphrase and parameters out of range", async () => {
  await assert.rejects(deriveKek(""), RangeError);
  const { maxLogN, minLogN, maxR, maxP } = SCRYPT_LIMITS;
  for (
    const params of [{ logN: minLogN - 1 }, { logN: maxLogN + 1 }, { r: maxR + 1 }, { p: 0 }, {
      p: maxP + 1,
    }, {
      logN: 20,
      r: 16,
    }, { salt: new Uint8Array(8) }]
  ) {
    await assert.rejects(deriveKek("x", params), RangeError, JSON.stringify(params));
  }
});

Deno.test("keyFileKek() takes exactly 32 bytes", () => {
  assert.equal(keyFileKek(new Uint8Array(32)).kind, "key_file");
  assert.throws(() => keyFileKek(new Uint8Array(16)), RangeError);
});
