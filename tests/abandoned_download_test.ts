/**
 * A download the client gives up before its end (a wrong key, a damaged
 * file, a reader that went away) must not hold the connection: the rest of
 * the file keeps arriving for a request that nobody reads any more. These
 * run files of many `DATA` messages (the request's queue holds four)
 * through the real CLI.
 */

import assert from "node:assert/strict";
import { CHUNK_BYTES } from "../lib/file_crypto/mod.ts";
import { chunkAt, WITH_PASSPHRASE } from "./harness/encrypted_files.ts";
import { listTree, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";

const MiB = 1024 * 1024;

/** 1 chunk to 64 MiB (1,024 chunks): from one `DATA` message to a thousand. */
const SIZES = [1, 3, 5, 6, 17].map((chunks) => chunks * CHUNK_BYTES).concat(64 * MiB);

const nameOf = (size: number): string => `s${size}.bin`;

/** What a refused `get` must leave: one line of error on stderr, exit 3. */
function assertRefused(
  run: { code: number; stderr: string },
  message: RegExp,
  what: string,
): void {
  assert.equal(run.code, 3, `${what}: ${run.stderr}`);
  assert.match(run.stderr, message, `${what}: ${JSON.stringify(run.stderr)}`);
  assert.equal(run.stderr.trim().split("\n").length, 1, `${what}: one line only: ${run.stderr}`);
}

Deno.test("ferry get - a wrong passphrase or key file exits 3 from 1 chunk to 64 MiB, writes nothing, and does not stall the other files", async () => {
  // Twelve clients log in at once below. On a loaded machine a password check
  // (scrypt) takes long enough that the queue's default 10 s would answer some
  // "Server busy: too many logins at once": the login queue is not under test.
  await using world = await openWorld({ args: ["--login-queue-seconds", "300"] });
  const sent = new Map<string, string>();
  for (const size of SIZES) {
    sent.set(nameOf(size), await writeRandomFile(`${world.work}/${nameOf(size)}`, size));
  }
  const names = [...sent.keys()];
  assert.equal((await world.ferry(["keygen", "--file-key", "right.key"])).code, 0);
  assert.equal((await world.ferry(["keygen", "--file-key", "wrong.key"])).code, 0);
  for (const folder of ["pass", "key"]) {
    assert.equal((await world.ferry(["mkdir", folder])).code, 0);
  }
  const byPassphrase = await world.ferry(["put", "--encrypt", ...names, "pass/"], {
    env: WITH_PASSPHRASE,
  });
  assert.equal(byPassphrase.code, 0, byPassphrase.stderr);
  const byKey = await world.ferry([
    "put",
    "--encrypt",
    "--key-file",
    "right.key",
    ...names,
    "key/",
  ]);
  assert.equal(byKey.code, 0, byKey.stderr);
  for (const name of names) await Deno.remove(`${world.work}/${name}`);
  await Deno.mkdir(`${world.work}/out`);

  // One process per file, so each size has its own exit.
  const runs = await Promise.all(names.flatMap((name) => [
    world.ferry(["get", `pass/${name}`, "out/"], { env: { FERRY_PASSPHRASE: "not it" } })
      .then((run) => ({ run, what: `pass/${name}`, message: /wrong passphrase$/m })),
    world.ferry(["get", "--key-file", "wrong.key", `key/${name}`, "out/"])
      .then((run) => ({ run, what: `key/${name}`, message: /encrypted with another key$/m })),
  ]));
  for (const { run, what, message } of runs) {
    assertRefused(
      run,
      new RegExp(`^ferry: Cannot decrypt "${what}": .*${message.source}`, "m"),
      what,
    );
  }
  assert.deepEqual(await listTree(`${world.work}/out`), [], "no file, no partial, no kept header");

  // In one batch, the refused files do not hold up the ones that can be decrypted
  // (each local name once: two sources with one target name is another matter).
  const refused = names.filter((_, i) => i % 2 === 0);
  const fetched = names.filter((_, i) => i % 2 === 1);
  const mixed = await world.ferry(
    [
      "get",
      ...refused.map((name) => `key/${name}`),
      ...fetched.map((name) => `pass/${name}`),
      "out/",
    ],
    { env: WITH_PASSPHRASE },
  );
  assert.equal(mixed.code, 3, mixed.stderr);
  assert.equal(mixed.stderr.match(/use --key-file/g)?.length, refused.length, mixed.stderr);
  assert.deepEqual(await listTree(`${world.work}/out`), fetched.toSorted(), mixed.stderr);
  for (const name of fetched) {
    assert.equal(await sha256File(`${world.work}/out/${name}`), sent.get(name), name);
  }
});

Deno.test("ferry get - a file damaged early in many chunks exits 3 and writes nothing", async () => {
  await using world = await openWorld();
  await writeRandomFile(`${world.work}/big.bin`, 17 * CHUNK_BYTES + 1000);
  const put = await world.ferry(["put", "--encrypt", "big.bin"], { env: WITH_PASSPHRASE });
  assert.equal(put.code, 0, put.stderr);
  const files = `${world.server.dataDir}/files`;
  const stored = await Deno.readFile(`${files}/big.bin`);
  stored[chunkAt(1) + 100]! ^= 0x01;
  await Deno.writeFile(`${files}/flipped.bin`, stored);
  await Deno.mkdir(`${world.work}/out`);

  const flipped = await world.ferry(["get", "flipped.bin", "out/"], { env: WITH_PASSPHRASE });
  assertRefused(
    flipped,
    /^ferry: Cannot decrypt "flipped\.bin": chunk 1 \(file bytes \d+-\d+\): authentication failed/m,
    "flipped",
  );
  const piped = await world.ferry(["get", "flipped.bin", "-"], { env: WITH_PASSPHRASE });
  assertRefused(piped, /chunk 1 .*authentication failed/, "flipped, through a pipe");
  assert.equal(piped.stdoutBytes.length, CHUNK_BYTES, "only chunk 0, verified, went out");
  assert.deepEqual(await listTree(`${world.work}/out`), []);
});

Deno.test("ferry get - a reader of stdout that goes away mid-file ends the get with a local error, not a hang", async () => {
  await using world = await openWorld();
  await writeRandomFile(`${world.work}/big.bin`, 8 * MiB);
  assert.equal((await world.ferry(["keygen", "--file-key", "k.key"])).code, 0);
  assert.equal((await world.ferry(["put", "big.bin"])).code, 0);
  assert.equal(
    (await world.ferry(["put", "--encrypt", "--key-file", "k.key", "big.bin", "enc.bin"])).code,
    0,
  );
  for (const args of [["big.bin"], ["--key-file", "k.key", "enc.bin"]]) {
    const child = world.spawn(["get", ...args, "-"]);
    const reader = child.stdout.getReader();
    for (let got = 0; got < 256 * 1024;) got += (await reader.read()).value?.byteLength ?? 0;
    await reader.cancel(); // like `| head -c 256K`
    const [status, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
    ]);
    const name = args.at(-1)!.replace(".", "\\.");
    assert.equal(status.code, 1, `a local failure: ${stderr}`);
    assert.match(
      stderr,
      new RegExp(`^ferry: Cannot write "${name}" to standard output: Broken pipe`),
    );
    assert.equal(stderr.trim().split("\n").length, 1, `one line, no stack trace: ${stderr}`);
  }
  // The server is fine and the file is whole.
  const again = await world.ferry(["get", "--key-file", "k.key", "enc.bin", "copy.bin"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(
    await sha256File(`${world.work}/copy.bin`),
    await sha256File(`${world.work}/big.bin`),
  );
});
