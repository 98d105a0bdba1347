import assert from "node:assert/strict";
import {
  CHUNK_BYTES,
  ENCRYPTED_MAGIC,
  encryptedSize,
  isEncryptedFile,
} from "../lib/file_crypto/mod.ts";
import {
  findSharedRun,
  PASSPHRASE,
  WITH_PASSPHRASE,
  writeRepeatingFile,
} from "./harness/encrypted_files.ts";
import { downloadFile } from "../lib/client/file_download.ts";
import { FileKeys } from "../lib/client/file_keys.ts";
import { listTree, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { jsonResult, jsonResults } from "./harness/json_output.ts";

const MiB = 1024 * 1024;

Deno.test("ferry put --encrypt / get - 0, 1, one chunk, one chunk + 1 and 100 MiB round-trip; the server holds only ciphertext", async () => {
  await using world = await openWorld();
  const sizes = [0, 1, CHUNK_BYTES, CHUNK_BYTES + 1];
  const sent = new Map<string, string>();
  for (const size of sizes) {
    sent.set(`s${size}.bin`, await writeRandomFile(`${world.work}/s${size}.bin`, size));
  }
  const pattern = crypto.getRandomValues(new Uint8Array(4093));
  sent.set("big.bin", await writeRepeatingFile(`${world.work}/big.bin`, 100 * MiB, pattern));
  const names = [...sent.keys()];

  const put = await world.ferry(["put", "--encrypt", ...names, "--json"], { env: WITH_PASSPHRASE });
  assert.equal(put.code, 0, put.stderr);
  const results = jsonResults(put.stdout);
  assert.equal(results.length, names.length);
  assert.ok(results.every((result) => result.encrypted === true));

  const files = `${world.server.dataDir}/files`;
  const salts = new Set<string>();
  for (
    const [name, size] of [
      ...sizes.map((s) => [`s${s}.bin`, s] as const),
      ["big.bin", 100 * MiB] as const,
    ]
  ) {
    const stored = await Deno.readFile(`${files}/${name}`);
    assert.equal(stored.length, encryptedSize(size), name);
    assert.ok(isEncryptedFile(stored), name);
    salts.add(stored.subarray(24, 40).toHex());
    const plain = name === "big.bin"
      ? new Uint8Array([...pattern, ...pattern])
      : await Deno.readFile(`${world.work}/${name}`);
    assert.equal(findSharedRun(plain, stored), -1, `${name} shares a 16-byte run`);
  }
  assert.equal(salts.size, 1, "one scrypt derivation (one salt) for the whole command");

  await Deno.mkdir(`${world.work}/out`);
  const get = await world.ferry(["get", ...names, "out/", "--json"], { env: WITH_PASSPHRASE });
  assert.equal(get.code, 0, get.stderr);
  for (const [name, sha256] of sent) {
    assert.equal(await sha256File(`${world.work}/out/${name}`), sha256, name);
  }
  assert.deepEqual(
    await listTree(`${world.work}/out`),
    names.toSorted(),
    "no partial file or kept header left",
  );
  assert.deepEqual(await listTree(`${world.work}/.ferry/encrypt`), [], "no upload state left");
});

Deno.test("ferry ls / stat mark encrypted files; get --raw fetches the ciphertext as stored", async () => {
  await using world = await openWorld();
  const keygen = await world.ferry(["keygen", "--file-key", "files.key"]);
  assert.equal(keygen.code, 0, keygen.stderr);
  assert.match(keygen.stderr, /Wrote key file "files\.key" \(SHA256:[A-Za-z0-9+/]{43}\)/);
  await Deno.writeTextFile(
    `${world.work}/plain.txt`,
    "not secret at all, and long enough ".repeat(10),
  );
  await writeRandomFile(`${world.work}/secret.bin`, 5000);
  const put = await world.ferry(["put", "--encrypt", "--key-file", "files.key", "secret.bin"]);
  assert.equal(put.code, 0, put.stderr);
  assert.equal((await world.ferry(["put", "plain.txt"])).code, 0);

  const listed = await world.ferry(["ls", "--json"]);
  const entries = jsonResults(listed.stdout) as unknown as { name: string; encrypted?: boolean }[];
  assert.deepEqual(
    entries.map((e) => [e.name, e.encrypted]),
    [["plain.txt", undefined], ["secret.bin", true]],
  );
  const lines = (await world.ferry(["ls"])).stdout.split("\n");
  assert.match(lines.find((line) => line.endsWith(" secret.bin")) ?? "", /^e /);
  assert.match(lines.find((line) => line.endsWith(" plain.txt")) ?? "", /^- /);
  const stat = jsonResult((await world.ferry(["stat", "secret.bin", "--json"])).stdout);
  assert.equal(stat.encrypted, true);

  const raw = await world.ferry(["get", "--raw", "secret.bin", "raw.bin"]);
  assert.equal(raw.code, 0, raw.stderr);
  const stored = await Deno.readFile(`${world.server.dataDir}/files/secret.bin`);
  assert.deepEqual(await Deno.readFile(`${world.work}/raw.bin`), stored);
  assert.deepEqual(stored.subarray(0, 8), ENCRYPTED_MAGIC);

  const noKey = await world.ferry(["get", "secret.bin", "a.bin"]);
  assert.equal(noKey.code, 3);
  assert.match(
    noKey.stderr,
    /Cannot decrypt "secret\.bin": the file was encrypted with a key file \(use --key-file\)/,
  );
  const keyed = await world.ferry(["get", "--key-file", "files.key", "secret.bin", "b.bin"]);
  assert.equal(keyed.code, 0, keyed.stderr);
  assert.equal(
    await sha256File(`${world.work}/b.bin`),
    await sha256File(`${world.work}/secret.bin`),
  );

  const required = await world.ferry(["get", "--decrypt", "plain.txt", "c.txt"]);
  assert.equal(required.code, 3);
  assert.match(required.stderr, /Cannot decrypt "plain\.txt": not a ferry encrypted file/);
  const plain = await world.ferry(["get", "plain.txt", "d.txt"], { env: WITH_PASSPHRASE });
  assert.equal(plain.code, 0, "a plain file passes through");
  const left = await listTree(world.work);
  assert.ok(!left.includes("a.bin") && !left.includes("c.txt"), left.join(", "));
  assert.ok(!left.some((path) => path.includes(".ferry-part")), left.join(", "));
});

Deno.test("ferry get - a wrong passphrase or key file is refused with exit code 3 and writes nothing", async () => {
  await using world = await openWorld();
  const sent = await writeRandomFile(`${world.work}/p.bin`, 3 * CHUNK_BYTES);
  await Deno.writeTextFile(`${world.work}/pass.txt`, `${PASSPHRASE}\nsecond line ignored\n`);
  assert.equal(
    (await world.ferry(["put", "--encrypt", "--passphrase-file", "pass.txt", "p.bin"])).code,
    0,
  );
  assert.equal((await world.ferry(["keygen", "--file-key", "right.key"])).code, 0);
  assert.equal((await world.ferry(["keygen", "--file-key", "wrong.key"])).code, 0);
  assert.equal(
    (await world.ferry(["put", "--encrypt", "--key-file", "right.key", "p.bin", "k.bin"])).code,
    0,
  );
  await Deno.remove(`${world.work}/p.bin`);

  const wrongPass = await world.ferry(["get", "p.bin"], { env: { FERRY_PASSPHRASE: "not it" } });
  assert.equal(wrongPass.code, 3);
  assert.match(wrongPass.stderr, /^ferry: Cannot decrypt "p\.bin": wrong passphrase$/m);
  const wrongKey = await world.ferry(["get", "--key-file", "wrong.key", "k.bin"]);
  assert.equal(wrongKey.code, 3);
  assert.match(
    wrongKey.stderr,
    /Cannot decrypt "k\.bin": wrong key file: the file was encrypted with another key/,
  );
  const wrongKind = await world.ferry(["get", "--key-file", "right.key", "p.bin"]);
  assert.equal(wrongKind.code, 3);
  assert.match(wrongKind.stderr, /encrypted with a passphrase, not a key file/);
  const none = await world.ferry(["get", "p.bin"]);
  assert.equal(none.code, 3);
  assert.match(none.stderr, /no passphrase, and none can be asked for: not a terminal/);
  const stdout = await world.ferry(["get", "p.bin", "-"], { env: { FERRY_PASSPHRASE: "not it" } });
  assert.equal(stdout.code, 3);
  assert.equal(stdout.stdoutBytes.length, 0, "nothing went down the pipe");
  const left = (await listTree(world.work)).filter((path) => !path.startsWith(".ferry"));
  assert.deepEqual(left, ["pass.txt", "right.key", "wrong.key"]);

  const mixed = await world.ferry(["get", "p.bin", "k.bin", "."], { env: WITH_PASSPHRASE });
  assert.equal(mixed.code, 3, "k.bin needs its key file");
  assert.equal(await sha256File(`${world.work}/p.bin`), sent, "p.bin came with the passphrase");
});

Deno.test("ferry put --encrypt - keys outside the sandbox, no passphrase and flags that do not fit are refused", async () => {
  await using world = await openWorld();
  await Deno.writeTextFile(`${world.work}/f.txt`, "x");
  const outside = await world.ferry(["put", "--encrypt", "--key-file", "/etc/hostname", "f.txt"]);
  assert.equal(outside.code, 1);
  assert.match(
    outside.stderr,
    /Cannot read "\/etc\/hostname": ferry may only read and write files in its working folder/,
  );
  const outsidePass = await world.ferry([
    "put",
    "--encrypt",
    "--passphrase-file",
    "/etc/hostname",
    "f.txt",
  ]);
  assert.equal(outsidePass.code, 1);
  assert.match(outsidePass.stderr, /Cannot read "\/etc\/hostname": ferry may only read/);
  const none = await world.ferry(["put", "--encrypt", "f.txt"]);
  assert.equal(none.code, 1);
  assert.match(
    none.stderr,
    /Cannot encrypt: no passphrase, and none can be asked for: not a terminal \(set FERRY_PASSPHRASE/,
  );
  const keyOnly = await world.ferry(["put", "--key-file", "k", "f.txt"]);
  assert.equal(keyOnly.code, 1);
  assert.match(keyOnly.stderr, /Cannot use a key option without --encrypt/);
  const raw = await world.ferry(["get", "--raw", "--decrypt", "f.txt"]);
  assert.equal(raw.code, 1);
  assert.match(raw.stderr, /Cannot use --raw and --decrypt together/);
  assert.deepEqual(await listTree(`${world.server.dataDir}/files`), [], "nothing was uploaded");
});

Deno.test("ferry put --encrypt - a file already there under the same key is skipped as identical", async () => {
  await using world = await openWorld();
  assert.equal((await world.ferry(["keygen", "--file-key", "k.key"])).code, 0);
  await writeRandomFile(`${world.work}/a.bin`, 100_000);
  await writeRandomFile(`${world.work}/b.bin`, 100_000);
  const args = ["put", "--encrypt", "--key-file", "k.key", "a.bin", "b.bin", "./", "--json"];
  assert.equal((await world.ferry(args)).code, 0);

  const again = await world.ferry(args);
  assert.equal(again.code, 0, again.stderr);
  const skipped = jsonResults(again.stdout).map((result) => result.reason);
  assert.deepEqual(skipped, ["identical", "identical"]);

  await writeRandomFile(`${world.work}/b.bin`, 100_000);
  const changed = await world.ferry(args);
  assert.equal(changed.code, 3);
  assert.match(
    changed.stderr,
    /Cannot copy to "b\.bin": it exists on the server with other content/,
  );
  const otherKey = await world.ferry(["put", "--encrypt", "a.bin"], { env: WITH_PASSPHRASE });
  assert.equal(otherKey.code, 3, "under another key it is not the same file");
});

Deno.test("get - an encrypted file the server did not mark is known by its first bytes and decrypted; a plain one is saved as stored", async () => {
  await using world = await openWorld();
  const secret = await writeRandomFile(`${world.work}/secret.bin`, 100_000);
  const plain = await writeRandomFile(`${world.work}/plain.bin`, 100_000);
  const put = await world.ferry(["put", "--encrypt", "secret.bin"], { env: WITH_PASSPHRASE });
  assert.equal(put.code, 0, put.stderr);
  assert.equal((await world.ferry(["put", "plain.bin"])).code, 0);
  const client = await world.connect();
  try {
    const keys = new FileKeys({ passphrase: PASSPHRASE });
    // As a server that lies about (or has not yet probed) the file would say.
    const unmarked = { keys, remoteEncrypted: false };
    const back = await downloadFile(client, "secret.bin", `${world.work}/secret.out`, unmarked);
    assert.equal("encrypted" in back && back.encrypted, true);
    assert.equal(await sha256File(`${world.work}/secret.out`), secret);
    const again = await downloadFile(client, "plain.bin", `${world.work}/plain.out`, unmarked);
    assert.equal("encrypted" in again && again.encrypted, false);
    assert.equal(await sha256File(`${world.work}/plain.out`), plain);
    assert.deepEqual(
      (await listTree(world.work)).filter((name) => name.includes(".ferry-part")),
      [],
    );
  } finally {
    await client.close();
  }
});
