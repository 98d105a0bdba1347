/**
 * The web flags of `ferryd serve`: the grant the launcher and `deno task
 * compile` compute from them, the refusal of plain HTTP off loopback,
 * HTTPS with a certificate, and their documentation.
 *
 * @module
 */

import assert from "node:assert/strict";
import { resolveServerArgs, serverSandboxConfig } from "../../lib/cli/ferryd/server_args.ts";
import { serverDenoFlags } from "../../lib/sandbox/permission_flags.ts";
import { compilePlan } from "../../scripts/compile/plan.ts";
import { launchArgs } from "../../scripts/launch.ts";
import { addUser, ROOT } from "../harness/ferryd_process.ts";
import { freePort } from "../../scripts/free_port.ts";
import { runToEnd } from "../harness/run_process.ts";
import { startWebFerryd } from "./_web_ferryd.ts";

/** The README's "Web access" lines (tests/readme_examples_test.ts points here). */
const README_WEB_LINES = [
  ["serve", "--web", "127.0.0.1:8443"],
  [
    "serve",
    "--web",
    "0.0.0.0:8443",
    "--web-cert",
    "/etc/ferry/cert.pem",
    "--web-key",
    "/etc/ferry/key.pem",
  ],
];

Deno.test("deno task serve --web - the launcher grants exactly the web address and the TLS files", () => {
  const [plain, tls] = README_WEB_LINES as [string[], string[]];
  const args = launchArgs("ferryd", plain, { cwd: "/srv" });
  assert.ok(args.includes("--allow-net=0.0.0.0:7878,127.0.0.1:8443"), args.join(" "));
  assert.ok(args.includes("--allow-read=/srv/data"), args.join(" "));
  const secure = launchArgs("ferryd", tls, { cwd: "/srv" });
  assert.ok(secure.includes("--allow-net=0.0.0.0:7878,0.0.0.0:8443"), secure.join(" "));
  assert.ok(
    secure.includes("--allow-read=/srv/data,/etc/ferry/cert.pem,/etc/ferry/key.pem"),
    secure.join(" "),
  );
  assert.ok(secure.includes("--allow-write=/srv/data"), "the TLS files are never writable");
  // Without --web, nothing more than before.
  const none = launchArgs("ferryd", ["serve"], { cwd: "/srv" });
  assert.ok(none.includes("--allow-net=0.0.0.0:7878"));
  assert.throws(() => serverSandboxConfig(["serve", "--web", "8443"]), /expected ADDRESS:PORT/);
});

Deno.test("deno task compile --web - bakes the web flags into ferryd and grants them", () => {
  const plan = compilePlan(["--data", "/srv/ferry", "--web", "127.0.0.1:8443"]);
  const ferryd = plan.steps[0]!;
  assert.ok(
    ferryd.flags.includes("--allow-net=0.0.0.0:7878,127.0.0.1:8443"),
    ferryd.flags.join(" "),
  );
  assert.deepEqual(ferryd.bakedArgs.slice(-2), ["--web", "127.0.0.1:8443"]);
  // The baked --web goes to serve, and not to the other commands.
  assert.deepEqual(resolveServerArgs([...ferryd.bakedArgs, "user", "list"]), [
    "user",
    "--data",
    "/srv/ferry",
    "list",
  ]);
  const served = resolveServerArgs([...ferryd.bakedArgs, "--web-insecure"]);
  assert.equal(served[0], "serve");
  assert.ok(served.includes("--web") && served.includes("--web-insecure"));
  assert.deepEqual(serverDenoFlags(serverSandboxConfig(served)), ferryd.flags);
  assert.throws(
    () => compilePlan(["--web", "0.0.0.0:8443"]),
    /Cannot serve plain HTTP on 0\.0\.0\.0/,
  );
});

Deno.test("ferryd serve --web - plain HTTP off loopback is refused unless --web-insecure", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-web-flags-" });
  try {
    const args = [
      "serve",
      "--data",
      dataDir,
      "--port",
      String(freePort()),
      "--web",
      `0.0.0.0:${freePort()}`,
    ];
    const refused = await runToEnd(
      new Deno.Command(Deno.execPath(), {
        args: ["run", ...serverDenoFlags(serverSandboxConfig(args)), `${ROOT}/server.ts`, ...args],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }),
    );
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Cannot serve plain HTTP on 0\.0\.0\.0: .*--web-insecure/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, "no stack trace");
    // The switch is taken (on loopback it changes nothing).
    await using insecure = await startWebFerryd(dataDir, ["--web-insecure"]);
    assert.match(insecure.output(), /Web client on http:\/\/127\.0\.0\.1:\d+\/ \(plain HTTP/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("ferryd serve --web --web-cert --web-key - HTTPS, and the session cookie is Secure", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-web-tls-" });
  const certDir = await Deno.makeTempDir({ prefix: "ferry-web-cert-" });
  try {
    const made = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
        "-keyout",
        `${certDir}/key.pem`,
        "-out",
        `${certDir}/cert.pem`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(made.success, new TextDecoder().decode(made.stderr));
    await addUser(dataDir, "ann", "ann-secret");
    await using server = await startWebFerryd(dataDir, [
      "--web-cert",
      `${certDir}/cert.pem`,
      "--web-key",
      `${certDir}/key.pem`,
    ]);
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(server.output(), /\(HTTPS\)/);
    using client = Deno.createHttpClient({
      caCerts: [await Deno.readTextFile(`${certDir}/cert.pem`)],
    });
    const page = await fetch(server.url, { client });
    assert.equal(page.status, 200);
    assert.match(page.headers.get("strict-transport-security") ?? "", /max-age=/);
    await page.body?.cancel();
    const login = await fetch(`${server.url}api/login`, {
      client,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "ann", password: "ann-secret" }),
    });
    assert.equal(login.status, 200);
    assert.match(login.headers.get("set-cookie") ?? "", /; Secure$/);
    await login.body?.cancel();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(certDir, { recursive: true });
  }
});

Deno.test("docs - the web flags are in README (Web access), docs/OPERATIONS.md and docs/WEB.md", async () => {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const operations = await Deno.readTextFile(`${ROOT}/docs/OPERATIONS.md`);
  const web = await Deno.readTextFile(`${ROOT}/docs/WEB.md`);
  assert.match(readme, /^## Web access$/m);
  for (const flag of ["--web", "--web-cert", "--web-key", "--web-insecure"]) {
    assert.ok(readme.includes(flag), `README has ${flag}`);
    assert.ok(operations.includes(`| \`${flag}`), `docs/OPERATIONS.md has a row for ${flag}`);
    assert.ok(web.includes(flag), `docs/WEB.md has ${flag}`);
  }
  for (const words of README_WEB_LINES) {
    assert.ok(readme.includes(`deno task ${words.join(" ")}`), `README has ${words.join(" ")}`);
  }
});

Deno.test("ferryd serve --web - without the web address in its grant: the self-check names the flags", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-web-grant-" });
  try {
    const port = freePort();
    const web = `127.0.0.1:${freePort()}`;
    const narrow = serverDenoFlags({ dataDir, hostname: "127.0.0.1", port });
    const args = [
      "serve",
      "--data",
      dataDir,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--web",
      web,
    ];
    const run = await runToEnd(
      new Deno.Command(Deno.execPath(), {
        args: ["run", ...narrow, `${ROOT}/server.ts`, ...args],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }),
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`may not use net "${web}"`));
    assert.ok(run.stderr.includes(`--allow-net=127.0.0.1:${port},${web}`), run.stderr);
    assert.ok(
      run.stderr.includes(
        `deno task compile --data ${dataDir} --host 127.0.0.1 --port ${port} --web ${web}`,
      ),
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
