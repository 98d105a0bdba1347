import assert from "node:assert/strict";
import { CHUNK_BYTES, HEADER_BYTES } from "../lib/file_crypto/mod.ts";
import { concat } from "../lib/file_crypto/_test_helpers.ts";
import { chunkAt } from "./harness/encrypted_files.ts";
import { listTree, openWorld, writeRandomFile } from "./harness/fixture.ts";

/** Four chunks: three full ones and a final one of 1000 bytes. */
const PLAIN_SIZE = 3 * CHUNK_BYTES + 1000;

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at]! ^= 0x01;
  return copy;
}

/** Each way of damaging a stored file, and what `get` must say about it. */
function tamperings(stored: Uint8Array): { name: string; bytes: Uint8Array; message: RegExp }[] {
  const chunk = (i: number): Uint8Array => stored.subarray(chunkAt(i), chunkAt(i + 1));
  const header = stored.subarray(0, HEADER_BYTES);
  const final = stored.subarray(chunkAt(3));
  return [
    {
      name: "flipped",
      bytes: flipped(stored, chunkAt(1) + 100),
      message: new RegExp(
        `Cannot decrypt "flipped\\.bin": chunk 1 \\(file bytes ${chunkAt(1)}-${
          chunkAt(2) - 1
        }\\): authentication failed: the data was modified or damaged`,
      ),
    },
    {
      name: "header",
      bytes: flipped(stored, 50),
      message: /Cannot decrypt "header\.bin": the header is damaged: its checksum does not match/,
    },
    {
      name: "dropped",
      bytes: concat([header, chunk(0), chunk(2), final]),
      message:
        /Cannot decrypt "dropped\.bin": chunk 1: it holds chunk 2: chunks were dropped, duplicated or reordered/,
    },
    {
      name: "swapped",
      bytes: concat([header, chunk(1), chunk(0), chunk(2), final]),
      message: /Cannot decrypt "swapped\.bin": chunk 0: it holds chunk 1: chunks were dropped/,
    },
    {
      name: "cut",
      bytes: stored.subarray(0, chunkAt(3)),
      message: new RegExp(
        `Cannot decrypt "cut\\.bin": the file is truncated: it ends after ${
          chunkAt(3)
        } of ${stored.length} bytes`,
      ),
    },
    {
      name: "cut-mid",
      bytes: stored.subarray(0, stored.length - 10),
      message: /Cannot decrypt "cut-mid\.bin": the file is truncated: it ends after/,
    },
    {
      name: "appended",
      bytes: concat([stored, chunk(1)]),
      message: new RegExp(
        `Cannot decrypt "appended\\.bin": data follows the final chunk: the file is longer than its ${stored.length} bytes`,
      ),
    },
  ];
}

Deno.test("ferry get - a stored file flipped, cut, extended or with chunks dropped or swapped fails with exit code 3 and writes nothing", async () => {
  await using world = await openWorld();
  await writeRandomFile(`${world.work}/original.bin`, PLAIN_SIZE);
  assert.equal((await world.ferry(["keygen", "--file-key", "k.key"])).code, 0);
  const put = await world.ferry(["put", "--encrypt", "--key-file", "k.key", "original.bin"]);
  assert.equal(put.code, 0, put.stderr);
  const files = `${world.server.dataDir}/files`;
  const stored = await Deno.readFile(`${files}/original.bin`);
  assert.equal(stored.length, chunkAt(3) + 1000 + 16);
  const cases = tamperings(stored);
  for (const { name, bytes } of cases) await Deno.writeFile(`${files}/${name}.bin`, bytes);
  await Deno.mkdir(`${world.work}/out`);

  const results = await Promise.all(cases.map(async ({ name, message }) => {
    const run = await world.ferry(["get", "--key-file", "k.key", `${name}.bin`, `out/${name}.bin`]);
    return { name, message, run };
  }));
  const messages = new Set<string>();
  for (const { name, message, run } of results) {
    assert.equal(run.code, 3, `${name}: ${run.stderr}`);
    assert.match(run.stderr, message, name);
    messages.add(run.stderr.replace(name, ""));
  }
  assert.equal(messages.size, cases.length, "each damage has its own message");
  assert.deepEqual(await listTree(`${world.work}/out`), [], "no file, no partial, no kept header");

  // Through a pipe, the chunks before the damage have gone out; the exit code tells.
  const piped = await world.ferry(["get", "--key-file", "k.key", "flipped.bin", "-"]);
  assert.equal(piped.code, 3);
  assert.equal(piped.stdoutBytes.length, CHUNK_BYTES, "only chunk 0, verified, went out");
  const intact = await world.ferry(["get", "--key-file", "k.key", "original.bin", "out/"]);
  assert.equal(intact.code, 0, intact.stderr);
});
