/**
 * `deno test --parallel` runs the test files as workers of one process, and
 * they share its current folder. A test that changes it moves the children
 * every other test starts meanwhile into a folder that may go away ("Failed
 * getting cwd"), and makes their relative paths mean something else. So no
 * test changes it: a test names local paths absolutely, or runs a child
 * process in a folder of its own (`cwd:`).
 */

import assert from "node:assert/strict";
import { ROOT } from "./harness/ferryd_process.ts";

const CHANGES_FOLDER = /\bDeno\s*\.\s*chdir\s*\(|\bprocess\s*\.\s*chdir\s*\(/;

/** Every TypeScript file of the test suite: tests/ and the unit tests in lib/. */
async function testSources(dir: string, all: boolean): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await testSources(path, all));
    else if (entry.name.endsWith(".ts") && (all || entry.name.endsWith("_test.ts"))) {
      found.push(path);
    }
  }
  return found;
}

Deno.test("tests - none changes the current folder the test files share", async () => {
  const files = [
    ...await testSources(`${ROOT}/tests`, true),
    ...await testSources(`${ROOT}/lib`, false),
  ];
  assert.ok(files.length > 100, `found the suite (${files.length} files)`);
  const offenders: string[] = [];
  for (const file of files) {
    if (file.endsWith("/shared_folder_test.ts")) continue;
    const lines = (await Deno.readTextFile(file)).split("\n");
    lines.forEach((line, index) => {
      if (CHANGES_FOLDER.test(line)) offenders.push(`${file.slice(ROOT.length + 1)}:${index + 1}`);
    });
  }
  assert.deepEqual(offenders, [], "use absolute paths or a child process's cwd instead");
});

Deno.test("tests - the check sees a change of folder, in either spelling", () => {
  assert.ok(CHANGES_FOLDER.test("    Deno.chdir(world.work);"));
  assert.ok(CHANGES_FOLDER.test("process.chdir(dir)"));
  assert.ok(!CHANGES_FOLDER.test("// the plan tests used to chdir into folders"));
});
