import assert from "node:assert/strict";
import {
  clientPermissionFlags,
  compilerPermissionFlags,
  launcherPermissionFlags,
  serverDenoFlags,
} from "../lib/sandbox/permission_flags.ts";
import { clientBundlePaths } from "../scripts/client_bundle.ts";
import { ROOT } from "./harness/ferryd_process.ts";
import { runToEnd } from "./harness/run_process.ts";

const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
const tasks: Record<string, string> = config.tasks;

/** Splits `deno run FLAGS SCRIPT ARGS` (the task lines hold no quotes). */
function taskParts(name: string): { flags: string[]; script: string; args: string[] } {
  const words = (tasks[name] as string).split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["deno", "run"], `task ${name}`);
  const at = words.findIndex((word, i) => i > 1 && !word.startsWith("--"));
  return { flags: words.slice(2, at), script: words[at] as string, args: words.slice(at + 1) };
}

/** Runs the launcher as a task would, with `--dry-run`: its exit code and output. */
async function dryRun(
  task: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { flags, script, args: fixed } = taskParts(task);
  return await runToEnd(
    new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, script, "--dry-run", ...fixed, ...args],
      cwd: ROOT,
      // PATH: the client's launcher runs `deno` to build its bundle.
      env: { HOME: "/home/ann", PATH: Deno.env.get("PATH") ?? "", ...env },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }),
  );
}

/** The command the launcher would start. */
async function launched(
  task: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ args: string[]; cwd: string }> {
  const run = await dryRun(task, args, env);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

Deno.test("deno.json - serve, user and client go through the launcher, itself narrowly granted", () => {
  for (const name of ["serve", "user", "config", "log"]) {
    const parts = taskParts(name);
    assert.deepEqual(parts.flags, launcherPermissionFlags("ferryd"), `task ${name}`);
    assert.deepEqual([parts.script, ...parts.args], ["scripts/launch.ts", "ferryd", name]);
  }
  const client = taskParts("client");
  assert.deepEqual(client.flags, launcherPermissionFlags("ferry"));
  assert.deepEqual([client.script, ...client.args], ["scripts/launch.ts", "ferry"]);
  const compile = taskParts("compile");
  assert.deepEqual(compile.flags, compilerPermissionFlags());
  assert.equal(compile.script, "scripts/compile.ts");
});

Deno.test("deno.json - no task runs with -A, --allow-all or an unscoped run, read or write", () => {
  for (const [name, task] of Object.entries(tasks)) {
    assert.doesNotMatch(task, /(^|\s)(-A|--allow-all)(\s|$)/, `task ${name}`);
    if (["serve", "user", "config", "log", "client", "compile"].includes(name)) {
      assert.doesNotMatch(task, /--allow-(run|read|write|net|env)(\s|$)/, `task ${name}`);
    }
  }
});

Deno.test("deno task serve and user - start ferryd with exactly the server sandbox flags", async () => {
  const byDefault = await launched("serve", []);
  assert.deepEqual(
    byDefault.args.slice(1, -2),
    serverDenoFlags({ dataDir: `${ROOT}/data`, hostname: "0.0.0.0", port: 7878 }),
  );
  assert.deepEqual(byDefault.args.slice(-2), [`${ROOT}/server.ts`, "serve"]);
  assert.equal(byDefault.cwd, ROOT);
  const moved = await launched("serve", ["--port", "9000", "--data", "/srv/x", "--host", "::1"]);
  assert.deepEqual(
    moved.args.slice(1, moved.args.indexOf(`${ROOT}/server.ts`)),
    serverDenoFlags({ dataDir: "/srv/x", hostname: "::1", port: 9000 }),
  );
  const user = await launched("user", ["add", "bob", "--data", "rel"]);
  assert.deepEqual(
    user.args,
    [
      "run",
      ...serverDenoFlags({ dataDir: `${ROOT}/rel`, hostname: "0.0.0.0", port: 7878 }),
      `${ROOT}/server.ts`,
      "user",
      "add",
      "bob",
      "--data",
      "rel",
    ],
  );
});

Deno.test("deno task serve --storage s3 - the S3 endpoint joins the grant, from --s3-endpoint or the environment", async () => {
  const endpoint = "http://10.0.0.5:8000";
  const sandbox = {
    dataDir: "/srv/x",
    hostname: "0.0.0.0",
    port: 7878,
    storage: "s3" as const,
    s3Endpoint: endpoint,
  };
  // s3.json holds the settings: the launcher takes the endpoint and keeps it to itself.
  const file = await launched("serve", [
    "--data",
    "/srv/x",
    "--storage",
    "s3",
    "--s3-endpoint",
    endpoint,
  ]);
  assert.deepEqual(file.args, [
    "run",
    ...serverDenoFlags(sandbox),
    `${ROOT}/server.ts`,
    "serve",
    "--data",
    "/srv/x",
    "--storage",
    "s3",
  ]);
  // The environment holds them: ferryd may read FERRY_S3_*.
  const env = await launched("user", ["list", "--data", "/srv/x", "--storage", "s3"], {
    FERRY_S3_ENDPOINT: endpoint,
  });
  assert.deepEqual(env.args, [
    "run",
    ...serverDenoFlags({ ...sandbox, s3FromEnv: true }),
    `${ROOT}/server.ts`,
    "user",
    "list",
    "--data",
    "/srv/x",
    "--storage",
    "s3",
  ]);
  const neither = await dryRun("serve", ["--storage", "s3"]);
  assert.equal(neither.code, 1);
  assert.match(neither.stderr, /give --s3-endpoint URL .* or set the FERRY_S3_\* variables/);
  const local = await dryRun("serve", ["--s3-endpoint", endpoint]);
  assert.equal(local.code, 1);
  assert.match(local.stderr, /Cannot use "--s3-endpoint" without "--storage s3"/);
});

Deno.test("deno task client - starts ferry with exactly the client sandbox flags", async () => {
  const run = await launched("client", ["--server", "files.example:7000", "ls"]);
  const flags = clientPermissionFlags({
    workDir: ROOT,
    stateDir: "/home/ann/.config/ferry",
    server: "files.example:7000",
  });
  assert.deepEqual(run.args, [
    "run",
    ...flags,
    clientBundlePaths(ROOT).bundle,
    "--server",
    "files.example:7000",
    "ls",
  ]);
  const moved = await launched("client", ["--work", "/tmp", "--home", "/srv/state", "ls"]);
  assert.deepEqual(
    moved.args.slice(1, 6),
    clientPermissionFlags({ workDir: "/tmp", stateDir: "/srv/state", server: "127.0.0.1:7878" }),
  );
});

Deno.test("deno task client -s USER@HOST:PORT - grants the host, not the user; a bad server is one line", async () => {
  const run = await launched("client", ["-s", "alice@files.example:7000", "ls"]);
  assert.ok(run.args.includes("--allow-net=files.example:7000"), run.args.join(" "));
  const bad = await dryRun("client", ["-s", "alice@b@c", "ls"]);
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /^ferry: Cannot use server "alice@b@c": expected \[USER@\]HOST\[:PORT\]$/m,
  );
  assert.doesNotMatch(bad.stderr, /^\s+at /m, "no stack trace");
});

Deno.test("deno task serve - really serves, and stops with the task on SIGTERM", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-task-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "serve", "--data", dataDir, "--host", "127.0.0.1", "--port", "0"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  try {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes("Host key fingerprint")) {
        // Listening: now stop the task (by its PID) and see ferryd go too.
        child.kill("SIGTERM");
      }
    }
    const status = await child.status;
    // Port 0: the system picked one, and ferryd says which.
    const listening = /listening on 127\.0\.0\.1:(\d+)\n/.exec(text);
    assert.ok(listening, text);
    const port = Number(listening[1]);
    assert.ok(port > 0, text);
    assert.match(text, /Received SIGTERM: shutting down/, text);
    assert.match(text, /Stopped/, text);
    // ferryd stopped cleanly; the task runner itself may report the signal
    // (128 + 15), as a shell does, when it is hit while its child is exiting.
    assert.ok(status.code === 0 || status.code === 143, `exit code ${status.code}\n${text}`);
    await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port }));
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await Deno.remove(dataDir, { recursive: true });
  }
});
