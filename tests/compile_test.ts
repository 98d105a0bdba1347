import assert from "node:assert/strict";
import {
  clientPermissionFlags,
  compilerPermissionFlags,
  S3_ENV_VARS,
  serverDenoFlags,
} from "../lib/sandbox/permission_flags.ts";
import { diagnoseFailure } from "../scripts/compile.ts";
import { compilePlan } from "../scripts/compile/plan.ts";
import { freePort } from "../scripts/free_port.ts";
import { ROOT } from "./harness/ferryd_process.ts";
import { runToEnd } from "./harness/run_process.ts";

// `deno compile` itself needs denort from dl.deno.land, which this machine
// cannot reach: these tests prove everything up to it, and what happens
// when it is missing.

async function runCompile(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; unset?: string[] },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = { ...Deno.env.toObject(), NO_COLOR: "1", ...options.env };
  for (const name of options.unset ?? []) delete env[name];
  return await runToEnd(
    new Deno.Command(Deno.execPath(), {
      args: ["run", ...compilerPermissionFlags(), `${ROOT}/scripts/compile.ts`, ...args],
      cwd: options.cwd,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }),
  );
}

function parseCommand(line: string): { flags: string[]; output: string; rest: string[] } {
  const words = line.split(" ");
  assert.deepEqual(words.slice(0, 2), ["deno", "compile"], line);
  const at = words.indexOf("--output");
  return { flags: words.slice(2, at), output: words[at + 1] as string, rest: words.slice(at + 2) };
}

Deno.test("compile --dry-run - prints deno compile with exactly the sandbox flags, paths made absolute", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "ferry-build-" });
  try {
    const port = freePort();
    const args = [
      "--dry-run",
      "--data",
      "srv",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--work",
      "work",
      "--home",
      "state",
      "--out",
      "out",
    ];
    const run = await runCompile(args, { cwd });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    const [ferryd, ferry] = lines.map(parseCommand) as [
      ReturnType<typeof parseCommand>,
      ReturnType<typeof parseCommand>,
    ];
    // The very function the sandbox tests and the harness run under.
    const server = { dataDir: `${cwd}/srv`, hostname: "127.0.0.1", port };
    assert.deepEqual(ferryd.flags, serverDenoFlags(server));
    assert.equal(ferryd.output, `${cwd}/out/ferryd`);
    assert.deepEqual(ferryd.rest, [
      `${ROOT}/server.ts`,
      "--data",
      `${cwd}/srv`,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ]);
    const client = {
      workDir: `${cwd}/work`,
      stateDir: `${cwd}/state`,
      server: `127.0.0.1:${port}`,
    };
    assert.deepEqual(ferry.flags, clientPermissionFlags(client));
    assert.equal(ferry.output, `${cwd}/out/ferry`);
    assert.deepEqual(ferry.rest, [
      `${ROOT}/client.ts`,
      "--server",
      `127.0.0.1:${port}`,
      "--work",
      `${cwd}/work`,
      "--home",
      `${cwd}/state`,
    ]);
    // ...and what the probe test runs under (compilePlan, from the tests' own cwd).
    const plan = compilePlan(
      args.slice(1).map((word) => word.replace(/^(srv|work|state)$/, `${cwd}/$1`)),
    );
    assert.deepEqual(plan.steps[0].flags, ferryd.flags);
    assert.deepEqual(plan.steps[1].flags, ferry.flags);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(cwd)), [], "a dry run builds nothing");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("compile - the client's server defaults to this ferryd on loopback; bad values exit 1", async () => {
  const plan = compilePlan(["--port", "9000", "--home", "/s", "--work", "/w"]);
  assert.equal(plan.steps[1].bakedArgs[1], "127.0.0.1:9000");
  assert.ok(plan.steps[0].flags.includes("--allow-net=0.0.0.0:9000"));
  const bad = await runCompile(["--port", "99999"], { cwd: ROOT });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Cannot use port "99999"/);
  const comma = await runCompile(["--dry-run", "--data", "/srv/a,b"], { cwd: ROOT });
  assert.equal(comma.code, 1);
  assert.match(comma.stderr, /Cannot grant access to "\/srv\/a,b"/);
});

Deno.test("compile --storage s3 - ferryd gets its state folder, its port and the S3 endpoint", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "ferry-build-" });
  try {
    const args = ["--dry-run", "--data", "srv", "--port", "9000", "--home", "state"];
    const s3 = ["--storage", "s3", "--s3-endpoint", "http://10.0.0.5:8000"];
    const run = await runCompile([...args, ...s3], { cwd });
    assert.equal(run.code, 0, run.stderr);
    const ferryd = parseCommand(run.stdout.trim().split("\n")[0] as string);
    const sandbox = {
      dataDir: `${cwd}/srv`,
      hostname: "0.0.0.0",
      port: 9000,
      storage: "s3" as const,
      s3Endpoint: "http://10.0.0.5:8000",
    };
    assert.deepEqual(ferryd.flags, serverDenoFlags(sandbox));
    assert.deepEqual(ferryd.flags.filter((flag) => flag.startsWith("--allow")), [
      `--allow-read=${cwd}/srv/state`,
      `--allow-write=${cwd}/srv/state`,
      "--allow-net=0.0.0.0:9000,10.0.0.5:8000",
    ]);
    // --storage s3 is baked in; the endpoint and credentials are not.
    assert.deepEqual(ferryd.rest.slice(-2), ["--storage", "s3"]);
    assert.ok(!ferryd.rest.some((word) => word.includes("10.0.0.5")), ferryd.rest.join(" "));
    const env = await runCompile([...args, ...s3, "--s3-env"], { cwd });
    const withEnv = parseCommand(env.stdout.trim().split("\n")[0] as string);
    assert.deepEqual(withEnv.flags, serverDenoFlags({ ...sandbox, s3FromEnv: true }));
    assert.ok(withEnv.flags.includes(`--allow-env=${S3_ENV_VARS.join(",")}`));
    const noEndpoint = await runCompile([...args, "--storage", "s3"], { cwd });
    assert.equal(noEndpoint.code, 1);
    assert.match(noEndpoint.stderr, /without its S3 endpoint: give --s3-endpoint URL/);
    const noStorage = await runCompile([...args, "--s3-endpoint", "http://h:1"], { cwd });
    assert.equal(noStorage.code, 1);
    assert.match(noStorage.stderr, /without --storage s3/);
    const bad = await runCompile([...args, ...s3.slice(0, 3), "s3.example"], { cwd });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Cannot use S3 endpoint "s3\.example"/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("compile - DENORT_BIN reaches deno compile, which builds both files into --out", async () => {
  const out = await Deno.makeTempDir({ prefix: "ferry-dist-" });
  try {
    // The deno executable stands in for denort: deno compile accepts the
    // command lines and writes both files. (They run Deno, not ferry: only
    // a real denort makes working binaries.)
    const run = await runCompile(["--out", out, "--home", out], {
      cwd: ROOT,
      env: { DENORT_BIN: Deno.execPath() },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.ok((await Deno.stat(`${out}/ferryd`)).isFile);
    assert.ok((await Deno.stat(`${out}/ferry`)).isFile);
    assert.match(run.stderr, /Built .*\/ferryd: serves ".*\/data" on 0\.0\.0\.0:7878/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("compile - a DENORT_BIN that is not there fails with a message saying so", async () => {
  const out = await Deno.makeTempDir({ prefix: "ferry-dist-" });
  try {
    const run = await runCompile(["--out", out, "--home", out], {
      cwd: ROOT,
      env: { DENORT_BIN: `${out}/no-denort` },
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Cannot build "ferryd": DENORT_BIN is ".*no-denort", but there is no/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("compile - when denort cannot be downloaded, it says so and how to set DENORT_BIN", async () => {
  const out = await Deno.makeTempDir({ prefix: "ferry-dist-" });
  const denoDir = await Deno.makeTempDir({ prefix: "ferry-deno-dir-" });
  try {
    // A fresh cache (no denort in it) and a proxy nobody listens on: the
    // download fails here and on any machine.
    const proxy = `http://127.0.0.1:${freePort()}`;
    const run = await runCompile(["--out", out, "--home", out], {
      cwd: ROOT,
      env: { DENO_DIR: denoDir, HTTPS_PROXY: proxy, https_proxy: proxy },
      unset: ["DENORT_BIN"],
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Cannot build "ferryd": deno compile could not download its runtime/);
    assert.match(run.stderr, /DENORT_BIN=\/path\/to\/denort deno task compile/);
    assert.match(run.stderr, /https:\/\/dl\.deno\.land\/release\/v[\d.]+\/denort-[\w-]+\.zip/);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(out)), []);
  } finally {
    await Deno.remove(out, { recursive: true });
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("compile - other failures point at deno compile's own messages", () => {
  assert.match(diagnoseFailure("error: TS2345 [ERROR]: nope", undefined), /see its messages/);
});
