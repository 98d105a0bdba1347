import assert from "node:assert/strict";
import { autoDecrypt, isFileCryptoError } from "./mod.ts";
import { concat, encrypt, KEY, pattern, pieces } from "./_test_helpers.ts";

async function run(
  bytes: Uint8Array,
  pieceSize: number,
  requireEncrypted = false,
): Promise<{ encrypted: boolean; output: Uint8Array; asked: number }> {
  let asked = 0;
  const found = await autoDecrypt(ReadableStream.from(pieces(bytes, pieceSize)), () => {
    asked++;
    return { keyFile: KEY };
  }, { requireEncrypted });
  return {
    encrypted: found.encrypted,
    output: concat(await Array.fromAsync(found.readable)),
    asked,
  };
}

Deno.test("autoDecrypt() passes plain files through unchanged without asking for a key", async () => {
  for (const size of [0, 1, 7, 8, 9, 100_000]) {
    const plain = pattern(size);
    for (const pieceSize of [0, 1, 3]) {
      if (pieceSize === 1 && size > 100) continue;
      assert.deepEqual(await run(plain, pieceSize), { encrypted: false, output: plain, asked: 0 });
    }
  }
});

Deno.test("autoDecrypt() decrypts encrypted files, even when the magic arrives byte by byte", async () => {
  for (const [size, pieceSize] of [[0, 1], [300, 1], [70_000, 0], [70_000, 5], [70_000, 4096]]) {
    const plaintext = pattern(size!);
    const { sealed } = await encrypt(plaintext);
    assert.deepEqual(await run(sealed, pieceSize!), {
      encrypted: true,
      output: plaintext,
      asked: 1,
    });
  }
});

Deno.test("autoDecrypt() with requireEncrypted refuses a plain file; a cut magic counts as encrypted", async () => {
  for (const plain of [pattern(0), pattern(5), pattern(500)]) {
    await assert.rejects(run(plain, 0, true), (error) => isFileCryptoError(error, "not_encrypted"));
  }
  const { sealed } = await encrypt(pattern(10));
  await assert.rejects(
    run(sealed.subarray(0, 5), 0),
    (error) => isFileCryptoError(error, "truncated"),
  );
});
