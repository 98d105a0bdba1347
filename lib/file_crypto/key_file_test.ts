import assert from "node:assert/strict";
import { isFerryError } from "../core/errors.ts";
import { createKeyFile, keyFingerprint, loadKeyFile } from "./mod.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ferry_key_file_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("createKeyFile() writes a mode 0600 text key that loadKeyFile() reads back", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/keys/file.key`;
    const key = await createKeyFile(path);
    assert.equal(key.length, 32);
    assert.match(await Deno.readTextFile(path), /^ferry-file-key [A-Za-z0-9+/]{43}=\n$/);
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${dir}/keys`)).mode! & 0o777, 0o700);
    }
    assert.deepEqual(await loadKeyFile(path), key);
  });
});

Deno.test("createKeyFile() refuses to overwrite an existing file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/file.key`;
    await Deno.writeTextFile(path, "precious");
    await assert.rejects(
      createKeyFile(path),
      (error) =>
        isFerryError(error, "exists") &&
        error.message === `Cannot create key file "${path}": the file exists`,
    );
    assert.equal(await Deno.readTextFile(path), "precious");
  });
});

Deno.test("loadKeyFile() accepts 32 raw bytes and refuses anything else", async () => {
  await withTempDir(async (dir) => {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    await Deno.writeFile(`${dir}/raw`, raw);
    assert.deepEqual(await loadKeyFile(`${dir}/raw`), raw);
    const bad: [string, Uint8Array | string][] = [
      ["short", new Uint8Array(31)],
      ["long", new Uint8Array(33)],
      ["identity", "ferry-identity-x25519 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"],
      ["truncated", "ferry-file-key AAAA\n"],
      ["empty", ""],
    ];
    for (const [name, content] of bad) {
      const path = `${dir}/${name}`;
      if (typeof content === "string") await Deno.writeTextFile(path, content);
      else await Deno.writeFile(path, content);
      await assert.rejects(
        loadKeyFile(path),
        (error) => isFerryError(error, "local_io") && /not a ferry key file/.test(error.message),
        name,
      );
    }
    await assert.rejects(
      loadKeyFile(`${dir}/missing`),
      (error) => isFerryError(error, "local_io") && /: no such file$/.test(error.message),
    );
  });
});

Deno.test("keyFingerprint() is stable and tells keys apart", () => {
  const key = crypto.getRandomValues(new Uint8Array(32));
  assert.equal(keyFingerprint(key), keyFingerprint(key.slice()));
  assert.notEqual(keyFingerprint(key), keyFingerprint(new Uint8Array(32)));
  assert.match(keyFingerprint(key), /^SHA256:[A-Za-z0-9+/]{43}$/);
});
