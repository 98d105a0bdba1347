import assert from "node:assert/strict";
import {
  clientPermissionFlags,
  S3_ENV_VARS,
  serverPermissionFlags,
} from "../lib/sandbox/permission_flags.ts";
import { freePort } from "../scripts/free_port.ts";
import { ROOT, writeS3Settings } from "./harness/ferryd_process.ts";

async function runServer(
  flags: string[],
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, `${ROOT}/server.ts`, ...args],
    env,
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

Deno.test("serverPermissionFlags() - with S3: the state folder, the port and the endpoint", () => {
  const base = { dataDir: "/srv/f", hostname: "0.0.0.0", port: 7878, storage: "s3" as const };
  assert.deepEqual(serverPermissionFlags({ ...base, s3Endpoint: "http://10.0.0.5:8000" }), [
    "--no-prompt",
    "--allow-read=/srv/f/state",
    "--allow-write=/srv/f/state",
    "--allow-net=0.0.0.0:7878,10.0.0.5:8000",
  ]);
  const fromEnv = serverPermissionFlags({
    ...base,
    s3Endpoint: "https://s3.example/",
    s3FromEnv: true,
  });
  assert.deepEqual(fromEnv.slice(3), [
    "--allow-net=0.0.0.0:7878,s3.example:443",
    `--allow-env=${S3_ENV_VARS.join(",")}`,
  ]);
  assert.throws(() => serverPermissionFlags(base), /without its S3 endpoint/);
  assert.throws(
    () => serverPermissionFlags({ ...base, s3Endpoint: "ftp://x/y" }),
    /expected http\(s\):\/\/host\[:port\]/,
  );
});

Deno.test("ferryd self-check - an S3 endpoint outside its grant exits 1 with the flags it needs", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const port = freePort();
    const asked = `http://127.0.0.1:${freePort()}`;
    await writeS3Settings(dataDir, {
      endpoint: asked,
      bucket: "ferry",
      region: "default",
      accessKeyId: "AK",
      secretAccessKey: "SK",
    });
    const granted = serverPermissionFlags({
      dataDir,
      hostname: "127.0.0.1",
      port,
      storage: "s3",
      s3Endpoint: `http://127.0.0.1:${freePort()}`,
    });
    const serve = ["serve", "--data", dataDir, "--host", "127.0.0.1", "--port", String(port)];
    const run = await runServer(granted, [...serve, "--storage", "s3"]);
    assert.equal(run.code, 1, run.stderr);
    assert.ok(run.stderr.includes(`may not use net "${asked.slice(7)}"`), run.stderr);
    assert.ok(run.stderr.includes(`--allow-net=127.0.0.1:${port},${asked.slice(7)}`), run.stderr);
    assert.ok(run.stderr.includes(`--storage s3 --s3-endpoint ${asked}`), run.stderr);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    // The local grant does not reach the bucket's endpoint either.
    const local = serverPermissionFlags({ dataDir, hostname: "127.0.0.1", port });
    const user = await runServer(local, ["user", "list", "--data", dataDir, "--storage", "s3"]);
    assert.equal(user.code, 1);
    assert.ok(user.stderr.includes(`may not use net "${asked.slice(7)}"`), user.stderr);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ferryd --storage s3 - settings from s3.json (owner-only) or granted FERRY_S3_* variables", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const port = freePort();
    const endpoint = `http://127.0.0.1:${freePort()}`; // nobody listens there
    const sandbox = { dataDir, hostname: "127.0.0.1", port, storage: "s3" as const };
    const serve = ["serve", "--data", dataDir, "--host", "127.0.0.1", "--port", String(port)];
    const flags = serverPermissionFlags({ ...sandbox, s3Endpoint: endpoint });
    const missing = await runServer(flags, [...serve, "--storage", "s3"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot use --storage s3: there is no ".*\/state\/s3\.json"/);
    const settings = {
      endpoint,
      bucket: "ferry",
      region: "default",
      accessKeyId: "AK",
      secretAccessKey: "SK",
    };
    await writeS3Settings(dataDir, settings);
    await Deno.chmod(`${dataDir}/state/s3.json`, 0o644);
    const shared = await runServer(flags, [...serve, "--storage", "s3"]);
    assert.equal(shared.code, 1);
    assert.match(shared.stderr, /only its owner may read it \(chmod 600\)/);
    await Deno.chmod(`${dataDir}/state/s3.json`, 0o600);
    const unreachable = await runServer(flags, [...serve, "--storage", "s3"]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /bucket "ferry": .*the object store cannot be reached/);
    await Deno.remove(`${dataDir}/state/s3.json`);
    // From the environment, when the grant names the variables.
    const env = {
      FERRY_S3_ENDPOINT: endpoint,
      FERRY_S3_BUCKET: "ferry-env",
      FERRY_S3_REGION: "default",
      FERRY_S3_ACCESS_KEY_ID: "AK",
      FERRY_S3_SECRET_ACCESS_KEY: "SK",
    };
    const envFlags = serverPermissionFlags({ ...sandbox, s3Endpoint: endpoint, s3FromEnv: true });
    const fromEnv = await runServer(envFlags, [...serve, "--storage", "s3"], env);
    assert.equal(fromEnv.code, 1);
    assert.match(fromEnv.stderr, /bucket "ferry-env": .*the object store cannot be reached/);
    const notGranted = await runServer(flags, [...serve, "--storage", "s3"], env);
    assert.match(notGranted.stderr, /there is no .*s3\.json" and FERRY_S3_ENDPOINT is not set/);
    const { FERRY_S3_BUCKET: _, ...partial } = env;
    const incomplete = await runServer(envFlags, [...serve, "--storage", "s3"], partial);
    assert.match(
      incomplete.stderr,
      /FERRY_S3_\* environment variables: "FERRY_S3_BUCKET" must be set/,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
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
