import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ENCRYPTED_MAGIC, isEncryptedFile, isMagicPrefix } from "./magic.ts";

Deno.test("isMagicPrefix() accepts only a short start of the magic", () => {
  for (let n = 0; n < ENCRYPTED_MAGIC.length; n++) {
    assert.equal(isMagicPrefix(ENCRYPTED_MAGIC.subarray(0, n)), true, `${n} bytes`);
    assert.equal(isEncryptedFile(ENCRYPTED_MAGIC.subarray(0, n)), false, `${n} bytes`);
  }
  const wrong = ENCRYPTED_MAGIC.slice(0, 5);
  wrong[4] = 0;
  assert.equal(isMagicPrefix(wrong), false);
  assert.equal(isMagicPrefix(ENCRYPTED_MAGIC), false, "the whole magic is not a prefix");
});

Deno.test("ferryd's import graph holds the magic, not the cryptography", async () => {
  const server = fileURLToPath(new URL("../../server.ts", import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", server],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: { specifier: string }[];
  };
  const crypto = graph.modules.map((module) => module.specifier)
    .filter((specifier) => specifier.includes("/lib/file_crypto/"))
    .map((specifier) => specifier.slice(specifier.lastIndexOf("/") + 1))
    .sort();
  assert.ok(crypto.includes("magic.ts"), crypto.join(", "));
  for (const heavy of ["key_derivation.ts", "decrypt_stream.ts", "encrypt_stream.ts", "mod.ts"]) {
    assert.ok(!crypto.includes(heavy), `ferryd imports ${heavy}: ${crypto.join(", ")}`);
  }
});
