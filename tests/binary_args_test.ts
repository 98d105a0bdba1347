import assert from "node:assert/strict";
import { type BuildStep, compilePlan } from "../scripts/compile/plan.ts";
import { freePort } from "../scripts/free_port.ts";
import { runToEnd } from "./harness/run_process.ts";
import { sha256File, writeRandomFile } from "./harness/fixture.ts";

// A compiled binary runs its entry point with the baked flags, and with the
// baked arguments in front of the ones given at run time. `deno run` with
// the same flags and arguments is that binary, minus denort: these tests
// run the exact plan `deno task compile` would build, from other folders.

const PASSWORD = "pier 39 fog horn";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function command(step: BuildStep, args: string[], cwd: string, stdin: boolean): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...step.flags, step.entry, ...step.bakedArgs, ...args],
    cwd,
    env: { FERRY_USER: "alice", FERRY_PASSWORD: PASSWORD },
    clearEnv: true,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function run(step: BuildStep, args: string[], cwd: string, stdin?: string): Promise<Run> {
  return await runToEnd(command(step, args, cwd, stdin !== undefined), stdin);
}

async function startServer(
  step: BuildStep,
  cwd: string,
): Promise<{ stop(): Promise<void> }> {
  const child = command(step, [], cwd, false).spawn();
  const ready = Promise.withResolvers<void>();
  // Keep reading stderr to the end, so the server never writes to a closed pipe.
  const draining = (async () => {
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
      if (/Host key fingerprint/.test(text)) ready.resolve();
    }
    ready.reject(new Error(`ferryd exited before it listened:\n${text}`));
  })();
  const stop = async (): Promise<void> => {
    child.kill("SIGTERM");
    await child.status;
    await draining;
  };
  await ready.promise.catch(async (error) => {
    await stop().catch(() => {});
    throw error;
  });
  return { stop };
}

async function folders(): Promise<{ base: string; elsewhere: string; plan: BuildStep[] }> {
  const base = await Deno.makeTempDir({ prefix: "ferry-binary-" });
  const elsewhere = `${base}/elsewhere`;
  await Deno.mkdir(elsewhere);
  await Deno.mkdir(`${base}/work`);
  const plan = compilePlan([
    "--data",
    `${base}/data`,
    "--host",
    "127.0.0.1",
    "--port",
    String(freePort()),
    "--work",
    `${base}/work`,
    "--home",
    `${base}/state`,
  ]).steps;
  return { base, elsewhere, plan };
}

Deno.test("built ferryd and ferry - from another folder: user add, serve, put and get with baked settings", async () => {
  const { base, elsewhere, plan: [ferryd, ferry] } = await folders();
  try {
    const added = await run(
      ferryd as BuildStep,
      ["user", "add", "alice", "--password-stdin"],
      elsewhere,
      `${PASSWORD}\n`,
    );
    assert.equal(added.code, 0, added.stderr);
    const server = await startServer(ferryd as BuildStep, elsewhere);
    try {
      const hash = await writeRandomFile(`${base}/work/in.bin`, 200_000);
      const client = ferry as BuildStep;
      const put = await run(client, ["--accept-new-host-key", "put", "in.bin"], `${base}/work`);
      assert.equal(put.code, 0, put.stderr);
      assert.equal(await sha256File(`${base}/data/files/in.bin`), hash);
      // An absolute path inside the working folder works from anywhere.
      const get = await run(client, ["get", "in.bin", `${base}/work/out.bin`], elsewhere);
      assert.equal(get.code, 0, get.stderr);
      assert.equal(await sha256File(`${base}/work/out.bin`), hash);
      // A relative path from another folder is outside the working folder.
      await Deno.writeTextFile(`${elsewhere}/x.txt`, "x");
      const outside = await run(client, ["put", "x.txt"], elsewhere);
      assert.equal(outside.code, 1, outside.stderr);
      assert.match(outside.stderr, /Cannot read "x\.txt": ferry may only read and write files in/);
    } finally {
      await server.stop();
    }
    const listed = await run(ferryd as BuildStep, ["user", "list", "--json"], elsewhere);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout)[0].name, "alice");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("built ferryd - another port or data folder at run time exits 1 with the rebuild command", async () => {
  const { base, elsewhere, plan: [ferryd] } = await folders();
  try {
    const step = ferryd as BuildStep;
    const other = freePort();
    const port = await run(step, ["--port", String(other)], elsewhere);
    assert.equal(port.code, 1, port.stderr);
    assert.ok(port.stderr.includes(`may not use net "127.0.0.1:${other}"`), port.stderr);
    assert.ok(
      port.stderr.includes(
        `deno task compile --data ${base}/data --host 127.0.0.1 --port ${other}`,
      ),
      port.stderr,
    );
    const data = await run(step, ["user", "list", "--data", elsewhere], elsewhere);
    assert.equal(data.code, 1, data.stderr);
    assert.ok(data.stderr.includes(`may not use read "${elsewhere}"`), data.stderr);
    assert.doesNotMatch(port.stderr + data.stderr, /\n\s+at /, "no stack trace");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("built ferry - another server at run time exits 1 with the rebuild command", async () => {
  const { base, elsewhere, plan: [, ferry] } = await folders();
  try {
    const other = `127.0.0.1:${freePort()}`;
    const run1 = await run(ferry as BuildStep, ["--server", other, "ls"], elsewhere);
    assert.equal(run1.code, 1, run1.stderr);
    assert.ok(run1.stderr.includes(`may not use net "${other}"`), run1.stderr);
    assert.ok(run1.stderr.includes(`deno task compile --server ${other}`), run1.stderr);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
