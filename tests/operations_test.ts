import assert from "node:assert/strict";
import { auditEvents } from "./harness/audit_events.ts";
import { isCode } from "./harness/error_code.ts";
import { startAddressRelay } from "../scripts/address_relay.ts";
import { addUser, runServerCommand } from "./harness/ferryd_process.ts";
import { listTree, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { jsonResults } from "./harness/json_output.ts";

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
  assert.deepEqual(jsonResults(daveLs.stdout), [], "dave sees only his own (empty) home");
  assert.equal((await world.ferry(["get", "mine.txt", "stolen.txt"], dave)).code, 3);
  const climb = await world.ferry(["get", "../carol/mine.txt", "stolen.txt"], dave);
  assert.equal(climb.code, 3, "no way out of a home");
  assert.equal(await Deno.readTextFile(`${data}/files/homes/carol/mine.txt`), "report");
  const rootLs = (jsonResults((await world.ferry(["ls", "--json"])).stdout) as { name: string }[])
    .map((
      e: { name: string },
    ) => e.name);
  assert.deepEqual(rootLs.sort(), ["drop", "homes"], "alice has the shared root");

  // A change to the users file applies to the next request, without a restart.
  assert.equal((await runServerCommand(data, ["user", "set", "carol", "--read-only"])).code, 0);
  // The next login reads the users file afresh (no waiting for the request-time recheck).
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
