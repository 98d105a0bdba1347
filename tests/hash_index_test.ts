/**
 * The server's hash index end to end (issue 16): `ferry stat --hash` and
 * `ferry ls --sha256` against a real ferryd under its sandbox flags, before
 * and after a restart, for uploaded files and for a file placed by hand.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ALICE_PASSWORD, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { runFerry } from "./harness/ferry_process.ts";
import { startFerryd } from "./harness/ferryd_process.ts";
import { jsonResults } from "./harness/json_output.ts";

const KIB = 1024;

/** Flips one byte of a file in place, keeping its size, mtime and inode. */
async function flipByteKeepingStamp(file: string, at: number): Promise<void> {
  const before = await Deno.stat(file);
  using handle = await Deno.open(file, { read: true, write: true });
  const byte = new Uint8Array(1);
  await handle.seek(at, Deno.SeekMode.Start);
  await handle.read(byte);
  byte[0] = byte[0]! ^ 0xff;
  await handle.seek(at, Deno.SeekMode.Start);
  await handle.write(byte);
  await handle.utime(before.atime!, before.mtime!);
}

Deno.test("ferry stat --hash / ls --sha256 - right hashes from the index, after a restart too", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ferryd-test-" });
  const files = `${dataDir}/files`;
  try {
    const hashes: Record<string, string> = {};
    {
      await using world = await openWorld({ dataDir });
      hashes["small.txt"] = await writeRandomFile(`${world.work}/small.txt`, 5 * KIB);
      hashes["big.bin"] = await writeRandomFile(`${world.work}/big.bin`, 300 * KIB);
      assert.equal((await world.ferry(["put", "small.txt", "big.bin", "d/"])).code, 0);
      // Placed by hand: not indexed until it is hashed once.
      await Deno.writeTextFile(`${files}/d/hand.txt`, "by hand");
      hashes["hand.txt"] = await sha256File(`${files}/d/hand.txt`);

      const stat = await world.ferry(["stat", "--hash", "d/big.bin"]);
      assert.equal(stat.code, 0, stat.stderr);
      assert.match(stat.stdout, new RegExp(`SHA-256 ${hashes["big.bin"]}\n`));
      const ls = await world.ferry(["ls", "--sha256", "d"]);
      assert.equal(ls.code, 0, ls.stderr);
      assert.equal(
        ls.stdout,
        ["big.bin", "hand.txt", "small.txt"].map((name) => `${hashes[name]}  ${name}\n`).join(""),
      );
      const top = await world.ferry(["ls", "--sha256"]);
      assert.equal(top.stdout, `${"-".padEnd(64)}  d/\n`, "a folder has no hash");
      const json = jsonResults((await world.ferry(["ls", "--sha256", "--json", "d/*.txt"])).stdout);
      assert.deepEqual(json.map((entry) => [entry.name, entry.sha256]), [
        ["d/hand.txt", hashes["hand.txt"]],
        ["d/small.txt", hashes["small.txt"]],
      ]);
      await Deno.remove(`${world.work}/small.txt`);
      await Deno.remove(`${world.work}/big.bin`);
    }
    // The index lives in the state folder only.
    const top = [];
    for await (const entry of Deno.readDir(dataDir)) top.push(entry.name);
    assert.deepEqual(top.sort(), ["files", "state"]);
    assert.ok((await Deno.stat(`${dataDir}/state/hash_index.sqlite`)).isFile);

    // Bytes changed on disk keeping size, mtime and inode: a server that read
    // the files would answer with new hashes; the restarted one answers from
    // its index (the client's hash of a download is what catches such a change).
    await flipByteKeepingStamp(`${files}/d/big.bin`, 200 * KIB);
    await flipByteKeepingStamp(`${files}/d/hand.txt`, 0);
    await using server = await startFerryd({ dataDir });
    const ferry = (args: string[]) =>
      runFerry(args, { server: server.server, cwd: dataDir, password: ALICE_PASSWORD });
    const stat = await ferry(["stat", "--hash", "d/big.bin"]);
    assert.equal(stat.code, 0, stat.stderr);
    assert.match(stat.stdout, new RegExp(`SHA-256 ${hashes["big.bin"]}\n`));
    const ls = await ferry(["ls", "--sha256", "d"]);
    assert.match(ls.stdout, new RegExp(`^${hashes["hand.txt"]}  hand.txt$`, "m"));
    // A file changed by hand the usual way (new mtime) is hashed again.
    await Deno.writeTextFile(`${files}/d/small.txt`, "changed");
    const again = await ferry(["ls", "--sha256", "d"]);
    assert.match(
      again.stdout,
      new RegExp(`^${await sha256File(`${files}/d/small.txt`)}  small.txt$`, "m"),
    );
    await server.stop();
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
