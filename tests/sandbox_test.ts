import assert from "node:assert/strict";
import { clientPermissionFlags, serverPermissionFlags } from "../lib/sandbox/permission_flags.ts";
import { freePort, ROOT } from "./harness/ferryd_process.ts";

async function runServer(
  flags: string[],
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, `${ROOT}/server.ts`, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

Deno.test("ferryd self-check - a port outside its grant exits 1 with the flags it needs", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const granted = serverPermissionFlags({ dataDir, hostname: "127.0.0.1", port: freePort() });
    const other = freePort();
    const run = await runServer(granted, [
      "serve",
      "--data",
      dataDir,
      "--host",
      "127.0.0.1",
      "--port",
      String(other),
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`may not use net "127\\.0\\.0\\.1:${other}"`));
    assert.ok(run.stderr.includes(`--allow-net=127.0.0.1:${other}`), run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ferryd self-check - another data folder than granted exits 1, also for user management", async () => {
  const granted = await Deno.makeTempDir();
  const asked = await Deno.makeTempDir();
  try {
    const flags = serverPermissionFlags({ dataDir: granted, hostname: "127.0.0.1", port: 7878 });
    const serve = await runServer(flags, [
      "serve",
      "--data",
      asked,
      "--host",
      "127.0.0.1",
      "--port",
      "7878",
    ]);
    assert.equal(serve.code, 1);
    assert.ok(serve.stderr.includes(`--allow-read=${asked}`), serve.stderr);
    const user = await runServer(flags, ["user", "list", "--data", asked]);
    assert.equal(user.code, 1);
    assert.match(user.stderr, /may not use read/);
  } finally {
    await Deno.remove(granted, { recursive: true });
    await Deno.remove(asked, { recursive: true });
  }
});

async function runClient(
  flags: string[],
  args: string[],
  cwd: string,
  home: string,
): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, `${ROOT}/client.ts`, ...args],
    cwd,
    env: { FERRY_HOME: home, FERRY_USER: "alice", FERRY_PASSWORD: "unused" },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

Deno.test("ferry self-check - a server outside its grant exits 1 with the flags it needs", async () => {
  const work = await Deno.makeTempDir();
  try {
    const home = `${work}/.ferry`;
    const granted = `127.0.0.1:${freePort()}`;
    const asked = `127.0.0.1:${freePort()}`;
    const flags = clientPermissionFlags({ workDir: work, stateDir: home, server: granted });
    const run = await runClient(flags, ["--server", asked, "ls"], work, home);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(`this ferry may not use net "${asked}"`), run.stderr);
    assert.ok(run.stderr.includes(`--allow-net=${asked}`), run.stderr);
    assert.ok(run.stderr.includes(`deno task compile --server ${asked}`), run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("ferry self-check - a working or state folder outside its grant exits 1, naming it", async () => {
  const granted = await Deno.makeTempDir();
  const other = await Deno.makeTempDir();
  try {
    const server = `127.0.0.1:${freePort()}`;
    const flags = clientPermissionFlags({
      workDir: granted,
      stateDir: `${granted}/.ferry`,
      server,
    });
    // Started in another folder: its working folder is not granted.
    const work = await runClient(flags, ["--server", server, "ls"], other, `${granted}/.ferry`);
    assert.equal(work.code, 1, work.stderr);
    assert.ok(work.stderr.includes(`may not use read "${other}", write "${other}"`), work.stderr);
    assert.ok(work.stderr.includes(`--allow-read=${other},${granted}/.ferry`), work.stderr);
    // Another state folder, even for keygen, which needs no network.
    const home = await runClient(flags, ["keygen"], granted, `${other}/.ferry`);
    assert.equal(home.code, 1, home.stderr);
    assert.ok(home.stderr.includes(`may not use read "${other}/.ferry"`), home.stderr);
    assert.doesNotMatch(home.stderr, /\n\s+at /, "no stack trace");
  } finally {
    await Deno.remove(granted, { recursive: true });
    await Deno.remove(other, { recursive: true });
  }
});
