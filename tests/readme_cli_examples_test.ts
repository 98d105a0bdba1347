/**
 * Runs every line of the README's `cli-examples` block, in order, as
 * written (`deno task client ARGS`, `< FILE` for stdin), against a real
 * ferryd from a working folder of its own (issue 14: README examples are run).
 *
 * @module
 */

import assert from "node:assert/strict";
import { splitWords } from "../lib/cli/ferry/shell_words.ts";
import { ROOT } from "./harness/ferryd_process.ts";
import { openWorld } from "./harness/fixture.ts";

/** The command lines of the README block after the `cli-examples` marker. */
async function exampleLines(): Promise<string[]> {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const block = /<!-- cli-examples[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, "the README has the cli-examples block");
  return (block[1] as string).split("\n").filter((line) => line.trim() !== "");
}

Deno.test("README cli-examples - every line runs and succeeds", async () => {
  await using world = await openWorld();
  await Deno.mkdir(`${world.work}/photos/2024`, { recursive: true });
  await Deno.writeTextFile(`${world.work}/photos/2024/sea.jpg`, "sea");
  await Deno.writeTextFile(`${world.work}/today.log`, "a log line\n");
  for (const name of ["a.txt", "b.txt", "old1", "old2", "draft.txt", "report.pdf"]) {
    await world.files.writeText(name, name);
  }
  const lines = await exampleLines();
  assert.ok(lines.length >= 8, `${lines.length} lines`);
  for (const line of lines) {
    const words = splitWords(line);
    assert.deepEqual(words.slice(0, 3), ["deno", "task", "client"], line);
    let args = words.slice(3);
    let stdin: string | undefined;
    const redirect = args.indexOf("<");
    if (redirect !== -1) {
      stdin = await Deno.readTextFile(`${world.work}/${args[redirect + 1]}`);
      args = args.slice(0, redirect);
    }
    const run = await world.ferry(args, stdin === undefined ? {} : { stdin });
    assert.equal(run.code, 0, `${line}\n${run.stderr}`);
  }
  const tree = await world.files.tree();
  for (
    const path of [
      "backup/2024/sea.jpg",
      "archive/photos/2024/sea.jpg",
      "2025/q1",
      "2025/report.pdf",
      "today.log",
    ]
  ) {
    assert.ok(tree.includes(path), `${path} in ${tree.join(" ")}`);
  }
  assert.ok(!tree.includes("old1") && !tree.includes("draft.txt"));
  assert.equal(await Deno.readTextFile(`${world.work}/notes/b.txt`), "b.txt");
  assert.equal(await Deno.readTextFile(`${world.work}/backup/2024/sea.jpg`), "sea");
});
