/**
 * ferryd as a daemon: once it listens it no longer depends on the folder it
 * was started from. Deno cannot start a Worker (ferryd's password hashing
 * threads) when the process's working folder is gone, so a ferryd started
 * from a folder that was later deleted used to answer every password login
 * with "Cannot check the password".
 *
 * @module
 */

import assert from "node:assert/strict";
import { relative } from "node:path";
import { FerryClient } from "../lib/client/ferry_client.ts";
import { launchArgs } from "../scripts/launch.ts";
import { ALICE_PASSWORD } from "./harness/fixture.ts";
import { addUser, spawnUntilReady } from "./harness/ferryd_process.ts";

Deno.test("ferryd - a relative --data, then the start folder deleted: password logins still work", async () => {
  const startedIn = await Deno.makeTempDir({ prefix: "ferryd-started-here-" });
  const store = await Deno.makeTempDir({ prefix: "ferryd-store-" });
  const dataDir = `${store}/data`;
  try {
    await addUser(dataDir, "alice", ALICE_PASSWORD);
    // What `deno task serve --data ../ferryd-store-.../data` runs, from startedIn.
    const args = ["serve", "--data", relative(startedIn, dataDir), "--host", "127.0.0.1"];
    const server = await spawnUntilReady(
      launchArgs("ferryd", [...args, "--port", "0"], { cwd: startedIn }).slice(1),
      (text) => / listening on \S+:(\d+)\n/.exec(text)?.[1],
      { cwd: startedIn },
    );
    try {
      await Deno.remove(startedIn, { recursive: true });
      const client = await FerryClient.connect({
        hostname: "127.0.0.1",
        port: Number(server.ready),
        user: "alice",
        password: ALICE_PASSWORD,
        verifyServerKey: async () => {},
      });
      try {
        await client.mkdir("kept");
        assert.ok((await Deno.stat(`${dataDir}/files/kept`)).isDirectory);
      } finally {
        await client.close();
      }
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
  } finally {
    await Deno.remove(startedIn, { recursive: true }).catch(() => {});
    await Deno.remove(store, { recursive: true });
  }
});
