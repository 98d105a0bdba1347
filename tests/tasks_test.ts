import assert from "node:assert/strict";
import { CLIENT_ENV_VARS, serverPermissionFlags } from "../lib/sandbox/permission_flags.ts";
import { ROOT } from "./harness/ferryd_process.ts";

const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
const tasks: Record<string, string> = config.tasks;

function flagsOf(task: string): string[] {
  return task.split(/\s+/).filter((word) => word.startsWith("--"));
}

Deno.test("deno.json - serve and user tasks run with exactly the server sandbox flags", () => {
  const expected = serverPermissionFlags({ dataDir: "./data", hostname: "0.0.0.0", port: 7878 });
  assert.deepEqual(flagsOf(tasks.serve as string), expected);
  assert.deepEqual(flagsOf(tasks.user as string), expected);
});

Deno.test("deno.json - no task runs with -A or --allow-all, and the client reads only FERRY_* and home", () => {
  for (const [name, task] of Object.entries(tasks)) {
    assert.doesNotMatch(task, /(^|\s)(-A|--allow-all)(\s|$)/, `task ${name}`);
  }
  assert.ok((tasks.client as string).includes(`--allow-env=${CLIENT_ENV_VARS.join(",")}`));
});
