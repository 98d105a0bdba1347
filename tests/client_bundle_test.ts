/**
 * The client's bundle (`scripts/client_bundle.ts`), on a copy of the
 * checkout: built once, reused while its sources stay as they were, rebuilt
 * after an edit, and given up (so the launcher runs `client.ts`) when a
 * source does not parse. And `deno task client` runs it, from another folder;
 * and nothing in the client depends on its own module URL, which a bundle
 * would change.
 */

import assert from "node:assert/strict";
import { clientBundlePaths, freshClientBundle } from "../scripts/client_bundle.ts";
import { launcherPermissionFlags } from "../lib/sandbox/permission_flags.ts";
import { ROOT } from "./harness/ferryd_process.ts";
import { runToEnd } from "./harness/run_process.ts";

/** A copy of what the client is built from, in a new folder. */
async function copyCheckout(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "ferry-bundle-" });
  const copy = await new Deno.Command("cp", {
    args: [
      "-a",
      `${ROOT}/client.ts`,
      `${ROOT}/deno.json`,
      `${ROOT}/deno.lock`,
      `${ROOT}/lib`,
      root,
    ],
  }).output();
  assert.ok(copy.success, new TextDecoder().decode(copy.stderr));
  return root;
}

/** `deno run ENTRY --version`: what it printed. */
async function versionOf(entry: string): Promise<string> {
  const run = await runToEnd(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-env", entry, "--version"],
      stdout: "piped",
      stderr: "piped",
    }),
  );
  assert.equal(run.code, 0, run.stderr);
  return run.stderr.trim();
}

/** The bundle's modification time. */
function builtAt(path: string): number {
  return Deno.statSync(path).mtime?.getTime() ?? 0;
}

Deno.test("client bundle - built once, reused, rebuilt after an edit, given up on a broken source", async () => {
  const root = await copyCheckout();
  try {
    const paths = clientBundlePaths(root);
    const bundle = await freshClientBundle(root);
    assert.equal(bundle, paths.bundle);
    assert.match(await versionOf(paths.bundle), /^ferry \d+\.\d+\.\d+$/);
    const first = builtAt(paths.bundle);

    assert.equal(await freshClientBundle(root), paths.bundle);
    assert.equal(builtAt(paths.bundle), first, "unchanged sources: the bundle is reused");

    const versionFile = `${root}/lib/core/version.ts`;
    const source = await Deno.readTextFile(versionFile);
    const edited = source.replace(/"\d+\.\d+\.\d+"/, '"9.8.7"');
    assert.notEqual(edited, source);
    await Deno.writeTextFile(versionFile, edited);
    assert.equal(await freshClientBundle(root), paths.bundle);
    assert.equal(await versionOf(paths.bundle), "ferry 9.8.7", "an edit is in the new bundle");

    await Deno.remove(paths.bundle);
    assert.equal(await freshClientBundle(root), paths.bundle, "a missing bundle is rebuilt");

    await Deno.writeTextFile(versionFile, `${edited}\nexport const = ;\n`);
    assert.equal(await freshClientBundle(root), undefined, "a broken source: run client.ts");
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(`${root}/.cache`))).map((entry) => entry.name).sort(),
      ["client.js", "client.json"],
      "no temporary files are left",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task client - from another folder, runs the checkout's fresh bundle", async () => {
  const work = await Deno.makeTempDir({ prefix: "ferry-bundle-work-" });
  try {
    const run = await runToEnd(
      new Deno.Command(Deno.execPath(), {
        args: ["task", "--quiet", "--cwd", ROOT, "client", "--version"],
        cwd: work,
        stdout: "piped",
        stderr: "piped",
      }),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^ferry \d+\.\d+\.\d+\n$/);
    const launcher = await runToEnd(
      new Deno.Command(Deno.execPath(), {
        // The task's own line (tests/tasks_test.ts holds it to these flags).
        args: [
          "run",
          ...launcherPermissionFlags("ferry"),
          "scripts/launch.ts",
          "--dry-run",
          "ferry",
          "--version",
        ],
        cwd: ROOT,
        env: { INIT_CWD: work },
        stdout: "piped",
        stderr: "piped",
      }),
    );
    assert.equal(launcher.code, 0, launcher.stderr);
    const line = JSON.parse(launcher.stdout) as { args: string[]; cwd: string };
    assert.equal(line.cwd, work);
    assert.equal(line.args.at(-2), clientBundlePaths(ROOT).bundle);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("client bundle - no module of the client but client.ts looks at its own URL", async () => {
  // In one bundled file every module's import.meta is the bundle's: a
  // Worker or a file found next to a module would be looked for in .cache/.
  const info = await runToEnd(
    new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", `${ROOT}/client.ts`],
      stdout: "piped",
      stderr: "piped",
    }),
  );
  assert.equal(info.code, 0, info.stderr);
  const graph = JSON.parse(info.stdout) as { modules: { specifier: string }[] };
  const files = graph.modules
    .map((module) => module.specifier)
    .filter((specifier) => specifier.startsWith("file://"))
    .map((specifier) => new URL(specifier).pathname);
  assert.ok(files.length > 50, `the client's graph: ${files.length} files`);
  const offending: string[] = [];
  for (const file of files) {
    if (file === `${ROOT}/client.ts`) continue;
    if (/import\.meta|new Worker\(/.test(await Deno.readTextFile(file))) offending.push(file);
  }
  assert.deepEqual(offending, []);
});
