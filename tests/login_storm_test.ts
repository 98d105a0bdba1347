/**
 * Login storms (issue 13, item 6 and 7): many logins at once are served in
 * turn or told `busy`, never closed silently, and ferryd's memory stays
 * bounded (password checks run a few at a time, on threads of their own).
 */

import assert from "node:assert/strict";
import type { FerryClient } from "../lib/client/ferry_client.ts";
import { FerryError } from "../lib/core/errors.ts";
import { peakRssMiB } from "./harness/process_memory.ts";
import { openWorld } from "./harness/fixture.ts";
import { waitFor } from "./harness/wait.ts";

const LOGINS = 60;

Deno.test("ferryd - 60 logins at once through a small login queue: each served or told busy, none silent", async () => {
  await using world = await openWorld({
    args: [
      "--max-connections-per-address",
      "128",
      "--max-sessions-per-user",
      "128",
      "--max-startups",
      "24",
      "--max-password-checks",
      "1",
      "--login-queue-seconds",
      "1",
    ],
  });
  const outcomes = await Promise.all(
    Array.from({ length: LOGINS }, async () => {
      let client: FerryClient | undefined;
      try {
        client = await world.connect();
        await client.stat("");
        return "ok";
      } catch (error) {
        return error instanceof FerryError && error.code === "busy"
          ? "busy"
          : `failed: ${String(error)}`;
      } finally {
        await client?.close();
      }
    }),
  );
  const failures = outcomes.filter((outcome) => outcome !== "ok" && outcome !== "busy");
  assert.deepEqual(failures, [], "no login ends without an answer");
  assert.ok(outcomes.includes("ok"), "some logins are served");
  assert.ok(outcomes.includes("busy"), "the ones over the bound are told busy");
  // 60 checks of 16 MiB at once took ferryd past 500 MiB; one at a time it stays near 150.
  const peak = await peakRssMiB(world.server.process.pid);
  assert.ok(peak < 300, `ferryd peaked at ${peak.toFixed(0)} MiB`);
  // The queue is empty again: a login now is served.
  const client = await world.connect();
  await client.close();
});

Deno.test("ferry - a login over the startup limit exits 3 with one clear line", async () => {
  await using world = await openWorld({ args: ["--max-startups", "1"] });
  // A connection that never finishes its handshake holds the one startup.
  using silent = await Deno.connect({ hostname: "127.0.0.1", port: world.server.port });
  const run = await world.ferry(["ls"]);
  assert.equal(run.code, 3, run.stderr);
  const lines = run.stderr.split("\n").filter((line) => !line.startsWith("Warning: Permanently"));
  assert.deepEqual(lines, ["ferry: Server busy: too many logins at once, retry later", ""]);
  silent.close();
  await waitFor(async () => (await world.ferry(["ls"])).code === 0, 10_000, "a login once free");
});
