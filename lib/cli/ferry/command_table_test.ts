import assert from "node:assert/strict";
import { CLIENT_COMMANDS, clientCommand, SHELL_WORDS } from "./command_table.ts";
import { CLIENT_USAGE, SHELL_USAGE } from "./usage_text.ts";

/** The lines of a help text that start a command's entry (`  usage   text`). */
function listed(text: string, usage: string): boolean {
  return text.split("\n").some((line) => line.startsWith(`  ${usage}  `));
}

Deno.test("command table - each help lists exactly the commands the table puts in it", () => {
  for (const command of CLIENT_COMMANDS) {
    assert.equal(listed(CLIENT_USAGE, command.usage), command.listed !== "shell", command.name);
    assert.equal(
      listed(SHELL_USAGE, command.usage),
      command.listed !== "command line",
      command.name,
    );
    for (const [usage] of command.moreUsage ?? []) assert.ok(listed(CLIENT_USAGE, usage), usage);
  }
});

Deno.test("command table - names are unique; the shell completes every shell command and df", () => {
  const names = CLIENT_COMMANDS.map((command) => command.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of ["df", "cd", "lls", "quit", "bye", "exit", "help"]) {
    assert.ok(SHELL_WORDS.includes(name), name);
  }
  assert.ok(!SHELL_WORDS.includes("keygen"), "keygen runs before connecting: not in the shell");
  assert.deepEqual([...SHELL_WORDS], [...SHELL_WORDS].sort());
});

Deno.test("command table - the synopsis counts the arguments it allows", () => {
  assert.deepEqual(clientCommand("ls")?.args, [0, 1]);
  assert.deepEqual(clientCommand("mv")?.args, [2, Infinity]);
  assert.equal(clientCommand("exit")?.run, undefined, "the shell answers exit itself");
  assert.equal(clientCommand("keygen")?.run, undefined, "keygen runs before connecting");
  assert.equal(clientCommand("nope"), undefined);
});

Deno.test("command table - README's Client block shows every command-line synopsis", async () => {
  const readme = await Deno.readTextFile(new URL("../../../README.md", import.meta.url));
  const block = /## Client\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, "README has the Client block");
  for (const command of CLIENT_COMMANDS.filter((command) => command.listed !== "shell")) {
    for (const usage of [command.usage, ...(command.moreUsage ?? []).map(([usage]) => usage)]) {
      assert.ok(listed(block, usage), `README's Client block lacks "${usage}"`);
    }
  }
});
