import assert from "node:assert/strict";
import { compilePlan } from "../scripts/compile/plan.ts";
import { freePort } from "../scripts/free_port.ts";
import { ROOT } from "./harness/ferryd_process.ts";

interface ProbeLine {
  probe: string;
  outcome: string;
  message: string;
}

const ALLOWED = [
  "read inside the data folder",
  "write inside the data folder",
  "listen on its port",
];

const REFUSED = [
  "read /etc/passwd",
  "read outside the data folder",
  "write outside the data folder",
  "write next to the data folder",
  "listen on another port",
  "connect out to another port",
  "read an environment variable",
  "read the whole environment",
  "read process.env",
  "run a subprocess",
  "spawn itself",
  "read the host name",
  "read system information",
  "read the OS release",
  "list network interfaces",
];

/** Runs the probe under `flags`; checks what is allowed and what is refused. */
async function probe(
  compileArgs: string[],
  probeArgs: string[],
  allowed: string[],
  refused: string[],
): Promise<void> {
  // Exactly the flags `deno task compile` would bake into ferryd.
  const [ferryd] = compilePlan(compileArgs).steps;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...ferryd.flags, `${ROOT}/tests/fixtures/sandbox_probe.ts`, ...probeArgs],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const lines: ProbeLine[] = new TextDecoder().decode(output.stdout).trim().split("\n")
    .map((line) => JSON.parse(line));
  const outcomes = new Map(lines.map((line) => [line.probe, line]));
  assert.deepEqual([...outcomes.keys()].sort(), [...allowed, ...refused].sort());
  for (const probe of allowed) {
    assert.equal(outcomes.get(probe)?.outcome, "ok", `${probe}: ${outcomes.get(probe)?.message}`);
  }
  for (const probe of refused) {
    const line = outcomes.get(probe);
    assert.equal(line?.outcome, "NotCapable", `${probe}: ${line?.outcome} ${line?.message}`);
    assert.match(line.message, /^Requires \w+ access/);
  }
}

Deno.test("ferryd sandbox - everything but its data folder and port is refused with NotCapable", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ferryd-probe-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "ferryd-elsewhere-" });
  const outside = `${elsewhere}/secret.txt`;
  await Deno.writeTextFile(outside, "not yours");
  // Something really listens there, so a refusal cannot be a closed port.
  using target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = freePort();
  try {
    await probe(
      ["--data", dataDir, "--host", "127.0.0.1", "--port", String(port), "--home", elsewhere],
      [
        "--data",
        dataDir,
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--other-port",
        String(freePort()),
        "--connect-port",
        String((target.addr as Deno.NetAddr).port),
        "--outside",
        outside,
      ],
      ALLOWED,
      REFUSED,
    );
    assert.equal(await Deno.readTextFile(outside), "not yours");
    await assert.rejects(Deno.stat(`${dataDir}-sibling`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});

Deno.test("ferryd sandbox with --storage s3 - its state folder, its port and the S3 endpoint only", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ferryd-probe-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "ferryd-elsewhere-" });
  const outside = `${elsewhere}/secret.txt`;
  await Deno.writeTextFile(outside, "not yours");
  await Deno.mkdir(`${dataDir}/state`);
  await Deno.mkdir(`${dataDir}/files`);
  using endpoint = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const s3Port = (endpoint.addr as Deno.NetAddr).port;
  const port = freePort();
  try {
    await probe(
      [
        "--data",
        dataDir,
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--home",
        elsewhere,
        "--storage",
        "s3",
        "--s3-endpoint",
        `http://127.0.0.1:${s3Port}`,
      ],
      [
        "--data",
        `${dataDir}/state`,
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--other-port",
        String(freePort()),
        "--connect-port",
        String((target.addr as Deno.NetAddr).port),
        "--outside",
        outside,
        "--s3-port",
        String(s3Port),
        "--files",
        `${dataDir}/files`,
      ],
      [...ALLOWED, "connect to the S3 endpoint"],
      [...REFUSED, "read the files folder", "read an S3 variable"],
    );
    assert.equal(await Deno.readTextFile(outside), "not yours");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});
