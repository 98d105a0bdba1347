import assert from "node:assert/strict";
import { auditEvents } from "./harness/audit_events.ts";
import { isCode } from "./harness/error_code.ts";
import { addUser, runServerCommand, startFerryd } from "./harness/ferryd_process.ts";
import { listTree, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { waitFor } from "./harness/wait.ts";
import { jsonResult } from "./harness/json_output.ts";

Deno.test("ferryd audit log - one JSON line per event, denied and aborted ones included", async () => {
  await using world = await openWorld();
  await addUser(world.server.dataDir, "reader", "pw-r", ["--read-only"]);
  await Deno.writeTextFile(`${world.work}/a.txt`, "audited");
  await writeRandomFile(`${world.work}/big.bin`, 64 * 1024 * 1024);
  await world.ferry(["put", "a.txt"]);
  await world.ferry(["get", "a.txt", "b.txt"]);
  await world.ferry(["mkdir", "d"]);
  await world.ferry(["mv", "a.txt", "d/a.txt"]);
  await world.ferry(["ls", "d"]);
  await world.ferry(["rm", "d/a.txt"]);
  await world.ferry(["mkdir", "x"], { user: "reader", password: "pw-r" });
  await world.ferry(["ls"], { password: "bad" });
  const child = world.spawn(["put", "big.bin", "-q"]);
  await world.untilUploaded(4 * 1024 * 1024);
  child.kill("SIGKILL");
  await child.output();
  await waitFor(
    async () =>
      (await auditEvents(world.server.dataDir)).some((e) => e.event === "transfer.aborted"),
    5000,
  );

  const events = await auditEvents(world.server.dataDir);
  const find = (event: string) => events.find((e) => e.event === event);
  for (
    const name of [
      "connect",
      "auth.ok",
      "auth.fail",
      "put",
      "get",
      "mkdir",
      "rename",
      "list",
      "delete",
      "denied",
      "transfer.aborted",
      "disconnect",
    ]
  ) {
    assert.ok(find(name), `an "${name}" event`);
  }
  const put = find("put")!;
  assert.equal(put.user, "alice");
  assert.equal(put.path, "a.txt");
  assert.equal(put.size, 7);
  assert.match(String(put.sha256), /^[0-9a-f]{64}$/);
  assert.equal(typeof put.durationMs, "number");
  assert.equal(find("get")!.bytes, 7);
  assert.equal(find("rename")!.to, "d/a.txt");
  assert.equal(find("denied")!.user, "reader");
  const aborted = find("transfer.aborted")!;
  assert.equal(aborted.path, "big.bin");
  assert.ok((aborted.bytes as number) > 0, "bytes done before the abort");
  assert.ok(events.every((e) => typeof e.time === "string" && typeof e.event === "string"));

  const shown = await runServerCommand(world.server.dataDir, ["log"]);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, /transfer\.aborted\s+alice@127\.0\.0\.1 path="big\.bin"/);
});

Deno.test("ferryd shutdown - SIGTERM during an upload: exits 0 in the grace period, nothing visible, resumable", async () => {
  await using world = await openWorld({ args: ["--shutdown-grace-seconds", "2"] });
  const size = 256 * 1024 * 1024;
  const sent = await writeRandomFile(`${world.work}/big.bin`, size);
  const slow = world.spawn(["put", "big.bin", "-q"]);
  await world.untilUploaded(16 * 1024 * 1024);
  // Stop the client's process (not killed): its upload stalls, the server must not wait for ever.
  Deno.kill(slow.pid, "SIGSTOP");
  // It stops after its grace, with the upload still stalled (a hang fails after 60 s).
  let hung: ReturnType<typeof setTimeout> | undefined;
  const code = await Promise.race([
    world.server.stop("SIGTERM"),
    new Promise<never>((_, reject) =>
      hung = setTimeout(() => reject(new Error("ferryd waited for the stalled upload")), 60_000)
    ),
  ]).finally(() => clearTimeout(hung));
  Deno.kill(slow.pid, "SIGKILL");
  await slow.output();
  assert.equal(code, 0);
  assert.match(world.server.log(), /shutting down \(grace 2 s\)/);
  assert.deepEqual(await listTree(`${world.server.dataDir}/files`), [], "no partial file visible");
  assert.match(world.server.log(), /Received SIGTERM: shutting down/);

  await using again = await startFerryd({ dataDir: world.server.dataDir, port: world.server.port });
  const resumed = await world.ferry(["put", "big.bin", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok((jsonResult(resumed.stdout).offset as number) > 0, "the upload resumed");
  assert.equal(await sha256File(`${world.server.dataDir}/files/big.bin`), sent);
  void again;
});

Deno.test("server.ts config - check names the bad key, show tells where each value comes from", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dataDir}/state`, { recursive: true });
    await Deno.writeTextFile(
      `${dataDir}/state/config.json`,
      JSON.stringify({ maxConnections: 10, idleTimeoutSeconds: -5 }),
    );
    const bad = await runServerCommand(dataDir, ["config", "check"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /"idleTimeoutSeconds" must be a whole number, 1 or more \(got -5\)/);
    const serve = await runServerCommand(dataDir, [
      "serve",
      "--port",
      "7878",
      "--host",
      "127.0.0.1",
    ]);
    assert.equal(serve.code, 1, "the server refuses to start on a bad config");
    await Deno.writeTextFile(
      `${dataDir}/state/config.json`,
      JSON.stringify({ maxConnections: 10, bogus: 1 }),
    );
    assert.match(
      (await runServerCommand(dataDir, ["config", "check"])).stderr,
      /unknown key "bogus"/,
    );
    await Deno.writeTextFile(
      `${dataDir}/state/config.json`,
      JSON.stringify({ maxConnections: 10 }),
    );
    const ok = await runServerCommand(dataDir, ["config", "check"]);
    assert.equal(ok.code, 0, ok.stderr);
    const show = await runServerCommand(dataDir, ["config", "show"]);
    assert.match(show.stdout, /maxConnections\s+10\s+config\.json/);
    assert.match(show.stdout, /idleTimeoutSeconds\s+900\s+default/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ferryd - a session idle past --idle-timeout-seconds is closed", async () => {
  await using world = await openWorld({ args: ["--idle-timeout-seconds", "1"] });
  const client = await world.connect();
  try {
    await client.list("");
    await waitFor(
      () => Promise.resolve(/idle for 1 s: closing/.test(world.server.log())),
      30_000,
      "the idle session to be closed",
    );
    await assert.rejects(client.list(""), isCode("network"));
  } finally {
    await client.close();
  }
});

Deno.test("docs/OPERATIONS.md - documents every configuration key and its flag", async () => {
  const { CONFIG_SCHEMA, flagOf } = await import("../lib/server/server_config.ts");
  const doc = await Deno.readTextFile(new URL("../docs/OPERATIONS.md", import.meta.url));
  for (const key of Object.keys(CONFIG_SCHEMA) as (keyof typeof CONFIG_SCHEMA)[]) {
    assert.ok(doc.includes(`\`${key}\``), `${key} is documented`);
    assert.ok(doc.includes(`\`--${flagOf(key)}\``), `--${flagOf(key)} is documented`);
  }
});
