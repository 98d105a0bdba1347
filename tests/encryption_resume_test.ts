import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  createEncryptStream,
  createHeader,
  encryptedSize,
  keyFileKek,
  loadKeyFile,
} from "../lib/file_crypto/mod.ts";
import { WITH_PASSPHRASE } from "./harness/encrypted_files.ts";
import { peakRssMiB } from "./harness/process_memory.ts";
import { spawnFerry } from "./harness/ferry_process.ts";
import {
  ALICE_PASSWORD,
  listTree,
  openWorld,
  sha256File,
  type World,
  writeRandomFile,
} from "./harness/fixture.ts";
import { sizeOf, waitFor } from "./harness/wait.ts";
import { jsonResult } from "./harness/json_output.ts";

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;

function spawn(world: World, args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return spawnFerry(args, {
    server: world.server.server,
    cwd: world.work,
    password: ALICE_PASSWORD,
    env,
  });
}

Deno.test("ferry put --encrypt - an upload killed half way resumes with its header and decrypts identically", async () => {
  await using world = await openWorld();
  const sent = await writeRandomFile(`${world.work}/big.bin`, SIZE);
  const total = encryptedSize(SIZE);
  const child = spawn(world, ["put", "--encrypt", "big.bin", "-q"], WITH_PASSPHRASE);
  await world.untilUploaded(0.5 * total);
  child.kill("SIGKILL");
  await child.output();
  const state = `${world.work}/.ferry/encrypt`;
  const [sidecar] = await listTree(state);
  assert.ok(sidecar?.endsWith(".json"), "the header sidecar was kept");
  assert.equal((await Deno.stat(`${state}/${sidecar}`)).mode! & 0o777, 0o600);

  const resumed = await world.ferry(["put", "--encrypt", "big.bin", "--json"], {
    env: WITH_PASSPHRASE,
  });
  assert.equal(resumed.code, 0, resumed.stderr);
  const result = jsonResult(resumed.stdout) as {
    offset: number;
    sha256?: string;
    encrypted?: true;
  };
  assert.ok(result.offset >= 0.5 * total, `resumed at ${result.offset}`);
  assert.equal(result.encrypted, true);
  assert.equal(result.sha256, await sha256File(`${world.server.dataDir}/files/big.bin`));
  assert.deepEqual(await listTree(state), [], "the sidecar is gone");
  assert.match(world.server.log(), new RegExp(`bytes received from offset ${result.offset}`));

  const got = await world.ferry(["get", "big.bin", "back.bin"], { env: WITH_PASSPHRASE });
  assert.equal(got.code, 0, got.stderr);
  assert.equal(await sha256File(`${world.work}/back.bin`), sent);
});

Deno.test("ferry get - an encrypted download killed mid-way resumes at a chunk boundary", async () => {
  await using world = await openWorld();
  const sent = await writeRandomFile(`${world.work}/big.bin`, SIZE);
  assert.equal((await world.ferry(["keygen", "--file-key", "k.key"])).code, 0);
  const put = await world.ferry(["put", "--encrypt", "--key-file", "k.key", "big.bin", "-q"]);
  assert.equal(put.code, 0, put.stderr);
  await Deno.remove(`${world.work}/big.bin`);

  const child = spawn(world, ["get", "--key-file", "k.key", "big.bin", "-q"]);
  const partial = `${world.work}/big.bin.ferry-part`;
  await waitFor(async () => await sizeOf(partial) >= 0.4 * SIZE, 60_000, "40% downloaded");
  child.kill("SIGKILL");
  await child.output();
  const kept = await sizeOf(partial);
  assert.ok(kept > 0 && kept < SIZE);
  assert.ok(await sizeOf(`${partial}.header`) > 0, "the header is kept beside the partial");

  const resumed = await world.ferry(["get", "--key-file", "k.key", "big.bin", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const result = jsonResult(resumed.stdout) as {
    offset: number;
    sha256?: string;
    encrypted?: true;
  };
  assert.equal(result.encrypted, true);
  assert.ok(result.offset >= kept - 4 * MiB, `resumed at ${result.offset} of ${kept} kept`);
  assert.equal(await sha256File(`${world.work}/big.bin`), sent);
  assert.deepEqual(
    (await listTree(world.work)).filter((path) => path.includes("ferry-part")),
    [],
  );
});

/** Stores an encrypted file of `size` bytes of a repeated pattern; returns the plaintext's SHA-256. */
async function storeEncrypted(path: string, size: number, key: Uint8Array): Promise<string> {
  const hash = createHash("sha256");
  const block = new Uint8Array(MiB);
  for (let at = 0; at < MiB; at += 65536) crypto.getRandomValues(block.subarray(at, at + 65536));
  let left = size;
  const plaintext = new ReadableStream<Uint8Array>({
    pull(controller): void {
      if (left === 0) return controller.close();
      const piece = block.subarray(0, Math.min(left, block.length));
      hash.update(piece);
      controller.enqueue(piece.slice());
      left -= piece.length;
    },
  });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  await plaintext.pipeThrough(createEncryptStream(createHeader(keyFileKek(key), size)))
    .pipeTo(file.writable);
  return hash.digest("hex");
}

Deno.test("ferry get FILE - - decrypts 1 GiB through a pipe in bounded memory", async () => {
  await using world = await openWorld();
  const size = 1024 * MiB;
  assert.equal((await world.ferry(["keygen", "--file-key", "k.key"])).code, 0);
  const key = await loadKeyFile(`${world.work}/k.key`);
  const sent = await storeEncrypted(`${world.server.dataDir}/files/huge.bin`, size, key);

  const child = spawn(world, ["get", "--key-file", "k.key", "huge.bin", "-"]);
  let peak = 0;
  let running = true;
  const watching = (async (): Promise<void> => {
    while (running) {
      peak = Math.max(peak, await peakRssMiB(child.pid));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const hash = createHash("sha256");
  let received = 0;
  for await (const chunk of child.stdout) {
    hash.update(chunk);
    received += chunk.length;
  }
  peak = Math.max(peak, await peakRssMiB(child.pid));
  const status = await child.status;
  running = false;
  await watching;
  const stderr = await new Response(child.stderr).text();
  assert.equal(status.code, 0, stderr);
  assert.equal(received, size);
  assert.equal(hash.digest("hex"), sent);
  assert.ok(peak > 0, "the client's peak RSS was read");
  assert.ok(peak < 300, `the client's peak RSS was ${peak.toFixed(0)} MiB for a 1 GiB file`);
});
