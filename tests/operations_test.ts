import assert from "node:assert/strict";
import { FerryError } from "../lib/errors.ts";
import { startAddressRelay } from "./harness/address_relay.ts";
import { addUser, runServerCommand, startFerryd } from "./harness/ferryd_process.ts";
import { listTree, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { waitFor } from "./harness/wait.ts";

function isCode(code: string): (error: unknown) => boolean {
  return (error) => error instanceof FerryError && error.code === code;
}

async function auditEvents(dataDir: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(`${dataDir}/state/audit.log`);
  return text.trim().split("\n").map((line) => JSON.parse(line)); // every line must be JSON
}

Deno.test("ferryd roles - read-only and upload-only users are held to their permissions; homes isolate users", async () => {
  await using world = await openWorld();
  const data = world.server.dataDir;
  await addUser(data, "uploader", "pw-up", ["--upload-only", "--home", "drop"]);
  await addUser(data, "carol", "pw-carol", ["--home", "homes/carol"]);
  await addUser(data, "dave", "pw-dave", ["--home", "homes/dave"]);
  await Deno.writeTextFile(`${world.work}/a.txt`, "report");

  const up = { user: "uploader", password: "pw-up" };
  assert.equal((await world.ferry(["put", "a.txt"], up)).code, 0, "upload-only may write");
  for (const args of [["ls"], ["get", "a.txt", "x.txt"], ["rm", "a.txt"]]) {
    const run = await world.ferry(args, up);
    assert.equal(run.code, 3, `upload-only must not ${args[0]}`);
    assert.match(run.stderr, /lacks the "(list|read|delete)" permission/);
  }
  const overwrite = await world.ferry(["put", "--force", "a.txt"], up);
  assert.equal(overwrite.code, 3, "upload-only may not overwrite");
  assert.match(overwrite.stderr, /lacks the "overwrite" permission/);
  assert.equal(await Deno.readTextFile(`${data}/files/drop/a.txt`), "report");

  const carol = { user: "carol", password: "pw-carol" };
  const dave = { user: "dave", password: "pw-dave" };
  assert.equal((await world.ferry(["put", "a.txt", "mine.txt"], carol)).code, 0);
  const daveLs = await world.ferry(["ls", "--json"], dave);
  assert.deepEqual(JSON.parse(daveLs.stdout), [], "dave sees only his own (empty) home");
  assert.equal((await world.ferry(["get", "mine.txt", "stolen.txt"], dave)).code, 3);
  const climb = await world.ferry(["get", "../carol/mine.txt", "stolen.txt"], dave);
  assert.equal(climb.code, 3, "no way out of a home");
  assert.equal(await Deno.readTextFile(`${data}/files/homes/carol/mine.txt`), "report");
  const rootLs = JSON.parse((await world.ferry(["ls", "--json"])).stdout).map((
    e: { name: string },
  ) => e.name);
  assert.deepEqual(rootLs.sort(), ["drop", "homes"], "alice has the shared root");

  // A change to the users file applies to the next request, without a restart.
  assert.equal((await runServerCommand(data, ["user", "set", "carol", "--read-only"])).code, 0);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const denied = await world.ferry(["put", "a.txt", "second.txt"], carol);
  assert.equal(denied.code, 3);
  assert.match(denied.stderr, /lacks the "write" permission/);
});

Deno.test("ferryd limits - too big is refused up front, more than announced is cut, quotas hold", async () => {
  await using world = await openWorld({ args: ["--max-file-size-bytes", String(1024 * 1024)] });
  const data = world.server.dataDir;
  await addUser(data, "q", "pw-q", ["--home", "q", "--quota", "3M", "--quota-files", "5"]);
  await writeRandomFile(`${world.work}/big.bin`, 2 * 1024 * 1024);
  const big = await world.ferry(["put", "big.bin"]);
  assert.equal(big.code, 3);
  assert.match(big.stderr, /over the server's limit of 1048576 bytes/);

  const client = await world.connect();
  try {
    const body = new Uint8Array(200_000);
    await assert.rejects(
      client.upload(ReadableStream.from([body]), "liar.bin", { size: 1000 }),
      isCode("too_large"),
      "sending more than announced is cut",
    );
  } finally {
    await client.close();
  }
  assert.deepEqual(await listTree(`${data}/files`), [], "nothing half-written is visible");

  const quota = await world.connect("q", "pw-q");
  try {
    const mib = new Uint8Array(900 * 1024);
    for (const name of ["1.bin", "2.bin", "3.bin"]) {
      await quota.upload(ReadableStream.from([mib]), name, { size: mib.byteLength });
    }
    await assert.rejects(
      quota.upload(ReadableStream.from([mib]), "4.bin", { size: mib.byteLength }),
      (error) => isCode("quota")(error) && /quota of 3145728 bytes/.test((error as Error).message),
    );
    await quota.remove("1.bin");
    await quota.upload(ReadableStream.from([mib]), "4.bin", { size: mib.byteLength });
    const tiny = new Uint8Array(10);
    await quota.upload(ReadableStream.from([tiny]), "5.bin", { size: 10 });
    await quota.upload(ReadableStream.from([tiny]), "6.bin", { size: 10 });
    await assert.rejects(
      quota.upload(ReadableStream.from([tiny]), "7.bin", { size: 10 }),
      (error) => isCode("quota")(error) && /5 files/.test((error as Error).message),
    );
  } finally {
    await quota.close();
  }
});

Deno.test("ferryd connections - 60 idle sockets and 10 working clients: the work finishes, extra connections get busy", async () => {
  await using world = await openWorld({
    args: [
      "--max-connections",
      "70",
      "--max-connections-per-address",
      "200",
      "--handshake-timeout-seconds",
      "60",
    ],
  });
  const idle: Deno.Conn[] = [];
  for (let i = 0; i < 60; i++) {
    idle.push(await Deno.connect({ hostname: "127.0.0.1", port: world.server.port }));
  }
  const holders = [];
  try {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => writeRandomFile(`${world.work}/w${i}.bin`, 512 * 1024)),
    );
    const working = await Promise.all(
      Array.from({ length: 10 }, (_, i) => world.ferry(["put", `w${i}.bin`, "-q"])),
    );
    working.forEach((run, i) => assert.equal(run.code, 0, `client ${i}: ${run.stderr}`));
    for (let i = 0; i < 10; i++) {
      assert.equal(
        await sha256File(`${world.server.dataDir}/files/w${i}.bin`),
        await sha256File(`${world.work}/w${i}.bin`),
      );
    }
    for (let i = 0; i < 10; i++) holders.push(await world.connect()); // 70 connections: the limit
    const extra = await Promise.all(Array.from({ length: 3 }, () => world.ferry(["ls"])));
    for (const run of extra) {
      assert.equal(run.code, 3, run.stderr);
      assert.match(run.stderr, /Server busy: too many connections, retry later/);
    }
  } finally {
    await Promise.all(holders.map((client) => client.close()));
    for (const conn of idle) conn.close();
  }
});

Deno.test("ferryd brute force - 20 wrong passwords lock the address out; others are not affected", async () => {
  await using world = await openWorld({
    args: [
      "--login-base-delay-ms",
      "20",
      "--login-max-delay-ms",
      "200",
      "--lockout-failures",
      "5",
      "--lockout-seconds",
      "60",
    ],
  });
  await addUser(world.server.dataDir, "bob", "pw-bob");
  const codes: number[] = [];
  let lockedMessage = "";
  for (let i = 0; i < 20; i++) {
    const run = await world.ferry(["ls"], { password: `wrong-${i}` });
    codes.push(run.code);
    if (/locked out/.test(run.stderr)) lockedMessage = run.stderr;
  }
  assert.ok(codes.every((code) => code === 2));
  assert.match(lockedMessage, /Too many failed logins: locked out, retry in \d+ s/);
  const right = await world.ferry(["ls"]);
  assert.equal(right.code, 2, "even the right password is refused from the locked address");
  assert.match(world.server.log(), /Failed login for "alice" from 127\.0\.0\.1/);
  assert.match(world.server.log(), /Locked out address 127\.0\.0\.1/);

  await using other = await startAddressRelay(world.server.port, "127.0.0.2");
  const bob = await world.ferry(["ls"], { server: other.server, user: "bob", password: "pw-bob" });
  assert.equal(bob.code, 0, `bob from 127.0.0.2: ${bob.stderr}`);
  const events = await auditEvents(world.server.dataDir);
  assert.ok(events.some((e) => e.event === "auth.locked" && e.address === "127.0.0.1"));
  assert.ok(
    events.some((e) => e.event === "auth.ok" && e.user === "bob" && e.address === "127.0.0.2"),
  );
});

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
  const started = performance.now();
  const code = await world.server.stop("SIGTERM");
  const seconds = (performance.now() - started) / 1000;
  Deno.kill(slow.pid, "SIGKILL");
  await slow.output();
  assert.equal(code, 0);
  assert.ok(seconds < 5, `stopped in ${seconds.toFixed(1)} s`);
  assert.deepEqual(await listTree(`${world.server.dataDir}/files`), [], "no partial file visible");
  assert.match(world.server.log(), /Received SIGTERM: shutting down/);

  await using again = await startFerryd({ dataDir: world.server.dataDir, port: world.server.port });
  const resumed = await world.ferry(["put", "big.bin", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok(JSON.parse(resumed.stdout).offset > 0, "the upload resumed");
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
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await assert.rejects(client.list(""), isCode("network"));
  } finally {
    await client.close();
  }
  assert.match(world.server.log(), /idle for 1 s: closing/);
});

Deno.test("docs/OPERATIONS.md - documents every configuration key and its flag", async () => {
  const { CONFIG_SCHEMA, flagOf } = await import("../lib/server/server_config.ts");
  const doc = await Deno.readTextFile(new URL("../docs/OPERATIONS.md", import.meta.url));
  for (const key of Object.keys(CONFIG_SCHEMA) as (keyof typeof CONFIG_SCHEMA)[]) {
    assert.ok(doc.includes(`\`${key}\``), `${key} is documented`);
    assert.ok(doc.includes(`\`--${flagOf(key)}\``), `--${flagOf(key)} is documented`);
  }
});
