/**
 * Every command line of the README's `sh` blocks is run by a test, from a
 * folder of its own, or says why it cannot run here (issue 14). The table
 * below names, for each line, the test that runs it; this file runs the
 * ones no other test does, as written, through `deno task --config
 * ROOT/deno.json` in a folder outside the checkout.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DENO_DIR } from "./harness/deno_dir.ts";
import { runTask } from "./harness/deno_task.ts";
import { ROOT } from "./harness/ferryd_process.ts";
import { ALICE_PASSWORD, openWorld, sha256File, writeRandomFile } from "./harness/fixture.ts";
import { ensureScript, PtySession } from "./harness/pty_session.ts";

/** Runs here, in this file. */
const HERE = "tests/readme_examples_test.ts";

/**
 * Where each README command line runs: a test file that runs it (and a
 * fragment that file must contain, so the claim stays checked), or why it
 * cannot run on a machine without `denort`, a second host or systemd.
 */
const COVERAGE: Record<string, { test: string; holds: string } | { notHere: string }> = {
  "npx -y deno@2 task serve": { test: "tests/tasks_test.ts", holds: '"task", "serve"' },
  "npx -y deno@2 task test": { notHere: ".ci/run runs it: it is the suite itself" },
  "deno task user add alice": { test: HERE, holds: '"user", "add", "alice"' },
  "deno task serve": { test: HERE, holds: '"serve"]' },
  "export FERRY_SERVER=127.0.0.1:7878 FERRY_USER=alice": { test: HERE, holds: "FERRY_SERVER" },
  "deno task client put report.pdf": { test: HERE, holds: '"client", "put", "report.pdf"]' },
  "deno task client ls": { test: "tests/terminal/quick_start_test.ts", holds: '[["ls"]' },
  "deno task client get report.pdf copy.pdf": {
    test: "tests/terminal/quick_start_test.ts",
    holds: '["get", "report.pdf", "copy.pdf"]',
  },
  "deno task client mkdir docs": {
    test: "tests/terminal/quick_start_test.ts",
    holds: '["mkdir", "docs"]',
  },
  "deno task client mv report.pdf docs/report.pdf": {
    test: "tests/terminal/quick_start_test.ts",
    holds: '["mv", "report.pdf", "docs/report.pdf"]',
  },
  "deno task client stat docs/report.pdf": {
    test: "tests/terminal/quick_start_test.ts",
    holds: '["stat", "docs/report.pdf"]',
  },
  "deno task client rm docs/report.pdf": {
    test: "tests/terminal/quick_start_test.ts",
    holds: '["rm", "docs/report.pdf"]',
  },
  "deno task client rmdir docs": {
    test: "tests/terminal/quick_start_test.ts",
    holds: '["rmdir", "docs"]',
  },
  "deno task client help": { test: "tests/terminal/quick_start_test.ts", holds: '[["help"]' },
  "deno task client put -r photos backup": CLI_EXAMPLES(),
  "deno task client put -r photos archive/": CLI_EXAMPLES(),
  "deno task client get '*.txt' notes/": CLI_EXAMPLES(),
  "deno task client rm 'old*' draft.txt": CLI_EXAMPLES(),
  "deno task client mkdir -p 2025/q1": CLI_EXAMPLES(),
  "deno task client mv report.pdf 2025/": CLI_EXAMPLES(),
  "deno task client ls -l 2025": CLI_EXAMPLES(),
  "deno task client put - today.log < today.log": CLI_EXAMPLES(),
  "deno task client df": CLI_EXAMPLES(),
  "deno task client -l 500 get -r backup": CLI_EXAMPLES(),
  "deno task client put --encrypt tax-2025.pdf": { test: HERE, holds: "ENCRYPTION_LINES" },
  "deno task client get tax-2025.pdf": { test: HERE, holds: "ENCRYPTION_LINES" },
  "FERRY_PASSPHRASE=... deno task client put -r --encrypt photos": {
    test: HERE,
    holds: "ENCRYPTION_LINES",
  },
  "deno task client keygen --file-key ~/.config/ferry/files.key": {
    test: HERE,
    holds: "ENCRYPTION_LINES",
  },
  "deno task client put --encrypt --key-file ~/.config/ferry/files.key notes.md": {
    test: HERE,
    holds: "ENCRYPTION_LINES",
  },
  "deno task client keygen": { test: HERE, holds: "KEY_LOGIN_LINES" },
  "deno task user add bob --key <public key>": { test: HERE, holds: "KEY_LOGIN_LINES" },
  "deno task client --user bob ls": { test: HERE, holds: "KEY_LOGIN_LINES" },
  "deno task serve --data /srv/ferry --port 9000": {
    test: "tests/tasks_test.ts",
    holds: '"--port", "9000"',
  },
  "deno task serve --storage s3 --s3-endpoint http://10.0.0.5:8000 --data /srv/ferry": {
    test: "tests/tasks_test.ts",
    holds: "http://10.0.0.5:8000",
  },
  "deno task serve --web 127.0.0.1:8443": WEB_LINES(),
  "deno task serve --web 0.0.0.0:8443 --web-cert /etc/ferry/cert.pem --web-key /etc/ferry/key.pem":
    WEB_LINES(),
  "deno task compile --data /srv/ferry --host 0.0.0.0 --port 7878 --server files.example.com:7878 --work /home/ann/transfer --home /home/ann/.config/ferry":
    { test: HERE, holds: "COMPILE_LINE" },
  "deno task compile --dry-run ...": { test: HERE, holds: '"compile", "--dry-run"' },
  "scp dist/ferryd server:/usr/local/bin/": {
    notHere: "a second host; the binary's arguments are tested in tests/binary_args_test.ts",
  },
  "ferryd user add alice": {
    notHere: "needs the compiled binary (deno compile downloads denort); its baked arguments: " +
      "tests/binary_args_test.ts",
  },
  "ferryd": { notHere: "needs the compiled binary; baked arguments: tests/binary_args_test.ts" },
  "ferryd --log-level debug": {
    notHere: "needs the compiled binary; baked arguments: tests/binary_args_test.ts",
  },
  "cp dist/ferry ~/bin/ && cd /home/ann/transfer": { notHere: "needs the compiled binary" },
  "ferry put report.pdf && ferry ls": {
    notHere: "needs the compiled binary; baked arguments: tests/binary_args_test.ts",
  },
  "DENORT_BIN=/opt/denort deno task compile --data /srv/ferry": {
    test: "tests/compile_test.ts",
    holds: "DENORT_BIN",
  },
  "sudo useradd --system --home /srv/ferry ferry && sudo install -d -o ferry -g ferry /srv/ferry": {
    notHere: "changes the machine's users",
  },
  "sudo -u ferry ferryd user add alice": { notHere: "needs the compiled binary and a system user" },
  "sudo systemctl enable --now ferryd && journalctl -u ferryd": { notHere: "needs systemd" },
};

function WEB_LINES(): { test: string; holds: string } {
  return { test: "tests/web/web_flags_test.ts", holds: "README_WEB_LINES" };
}

function CLI_EXAMPLES(): { test: string; holds: string } {
  return { test: "tests/readme_cli_examples_test.ts", holds: "cli-examples" };
}

/** The command lines of every `sh` block: comments dropped, continuations joined. */
async function readmeCommands(): Promise<string[]> {
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const commands: string[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const joined = (block[1] as string).replace(/\\\n\s*/g, "");
    for (const raw of joined.split("\n")) {
      const line = raw.replace(/\s+#\s.*$/, "").trim();
      if (line !== "" && !line.startsWith("#")) commands.push(line);
    }
  }
  return commands;
}

Deno.test("README - every example command runs in a test, or says why it cannot here", async () => {
  const commands = await readmeCommands();
  const missing = commands.filter((line) => !(line in COVERAGE));
  assert.deepEqual(missing, [], "README lines with no test: add them to COVERAGE and run them");
  const stale = Object.keys(COVERAGE).filter((line) => !commands.includes(line));
  assert.deepEqual(stale, [], "COVERAGE lines no longer in the README");
  for (const [line, where] of Object.entries(COVERAGE)) {
    if ("notHere" in where) continue;
    const text = await Deno.readTextFile(`${ROOT}/${where.test}`);
    assert.ok(text.includes(where.holds), `${where.test} runs "${line}" (has ${where.holds})`);
  }
});

/** The README's "Encrypted files" lines, in order (`FERRY_PASSPHRASE` answers the prompts). */
const ENCRYPTION_LINES = [
  ["client", "put", "--encrypt", "tax-2025.pdf"],
  ["client", "get", "tax-2025.pdf"],
  ["client", "put", "-r", "--encrypt", "photos"],
  ["client", "keygen", "--file-key", "HOME/.config/ferry/files.key"],
  ["client", "put", "--encrypt", "--key-file", "HOME/.config/ferry/files.key", "notes.md"],
];

/** The README's "Key login" lines, in order. */
const KEY_LOGIN_LINES = [
  ["client", "keygen"],
  ["user", "add", "bob", "--key", "PUBLIC_KEY"],
  ["client", "--user", "bob", "ls"],
];

Deno.test("README - the encrypted-file and key-login examples, as written, from a folder of one's own", async () => {
  const folder = await Deno.makeTempDir({ prefix: "ferry-readme-" });
  const home = await Deno.makeTempDir({ prefix: "ferry-readme-home-" });
  try {
    // The server's data is ./data of this folder, so `deno task user add` run here manages it.
    await using world = await openWorld({ dataDir: `${folder}/data` });
    const env = {
      HOME: home,
      FERRY_SERVER: world.server.server,
      FERRY_USER: "alice",
      FERRY_PASSWORD: ALICE_PASSWORD,
      FERRY_PASSPHRASE: "...",
    };
    const trust = await runTask(["client", "--accept-new-host-key", "ls"], { cwd: folder, env });
    assert.equal(trust.code, 0, `trust the server once: ${trust.stderr}`);
    const tax = await writeRandomFile(`${folder}/tax-2025.pdf`, 200_000);
    await Deno.mkdir(`${folder}/photos`);
    await writeRandomFile(`${folder}/photos/sea.jpg`, 70_000);
    await Deno.writeTextFile(`${folder}/notes.md`, "# notes\n");
    for (const words of ENCRYPTION_LINES) {
      const args = words.map((word) => word.replace("HOME", home));
      if (args[1] === "get") await Deno.remove(`${folder}/tax-2025.pdf`);
      const run = await runTask(args, { cwd: folder, env });
      assert.equal(run.code, 0, `${args.join(" ")}\n${run.stderr}`);
    }
    assert.equal(await sha256File(`${folder}/tax-2025.pdf`), tax, "decrypted as it was");
    assert.notEqual(await world.files.sha256("tax-2025.pdf"), tax, "the server holds ciphertext");
    assert.equal((await Deno.stat(`${home}/.config/ferry/files.key`)).mode! & 0o777, 0o600);

    let publicKey = "";
    for (const words of KEY_LOGIN_LINES) {
      const args = words.map((word) => word.replace("PUBLIC_KEY", publicKey));
      // The key login: no password anywhere, the default identity is the key.
      const { FERRY_PASSWORD: _, ...keyOnly } = env;
      const run = await runTask(args, { cwd: folder, env: args[1] === "--user" ? keyOnly : env });
      assert.equal(run.code, 0, `${args.join(" ")}\n${run.stderr}`);
      if (args[1] === "keygen") publicKey = /\S{40,}/.exec(run.stdout)?.[0] ?? "";
      if (args[1] === "--user") assert.match(run.stdout, /tax-2025\.pdf/);
    }
    assert.ok(publicKey.length > 0);
  } finally {
    await Deno.remove(folder, { recursive: true }).catch(() => {});
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
});

const HAS_PTY = await ensureScript();

Deno.test({
  name: `README - the operator's Quick start: user add (typed twice), serve, first put${
    HAS_PTY ? "" : " (skipped: no `script` command)"
  }`,
  ignore: !HAS_PTY,
  async fn(): Promise<void> {
    const folder = await Deno.makeTempDir({ prefix: "ferry-readme-operator-" });
    const home = await Deno.makeTempDir({ prefix: "ferry-readme-operator-home-" });
    const env = { PATH: Deno.env.get("PATH") ?? "", HOME: home, DENO_DIR, NO_COLOR: "1" };
    const taskLine = ["deno", "task", "-q", "--config", `${ROOT}/deno.json`];
    try {
      {
        await using add = new PtySession([...taskLine, "user", "add", "alice"], {
          cwd: folder,
          env,
        });
        await add.expect(/New password: $/);
        await add.type(`${ALICE_PASSWORD}\r`, 300);
        await add.expect(/Retype new password: $/);
        await add.type(`${ALICE_PASSWORD}\r`, 300);
        assert.equal(await add.exitCode(), 0, add.screen);
      }
      await using serve = new PtySession([...taskLine, "serve"], { cwd: folder, env });
      const fingerprint = (await serve.expect(/Host key fingerprint (SHA256:\S+)/))[1];
      // export FERRY_SERVER=127.0.0.1:7878 FERRY_USER=alice
      const client = { ...env, FERRY_SERVER: "127.0.0.1:7878", FERRY_USER: "alice" };
      await writeRandomFile(`${folder}/report.pdf`, 50_000);
      await using put = new PtySession([...taskLine, "client", "put", "report.pdf"], {
        cwd: folder,
        env: client,
      });
      await put.expect(new RegExp(`fingerprint is: ${fingerprint?.replace(/[+/]/g, "\\$&")}`));
      await put.type("yes\r", 300);
      await put.expect(/password: $/);
      await put.type(`${ALICE_PASSWORD}\r`, 300);
      assert.equal(await put.exitCode(), 0, put.screen);
      assert.ok((await Deno.stat(`${folder}/data/files/report.pdf`)).isFile, "in ./data");
    } finally {
      await Deno.remove(folder, { recursive: true }).catch(() => {});
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  },
});

/** The README's build line (with `--dry-run`, its next line: nothing is built, denort not needed). */
const COMPILE_LINE =
  "--data /srv/ferry --host 0.0.0.0 --port 7878 --server files.example.com:7878 --work /home/ann/transfer --home /home/ann/.config/ferry";

Deno.test("README - the build line prints the two deno compile commands with its settings baked in", async () => {
  const folder = await Deno.makeTempDir({ prefix: "ferry-readme-build-" });
  try {
    const run = await runTask(["compile", "--dry-run", ...COMPILE_LINE.split(" ")], {
      cwd: folder,
      env: { HOME: folder },
    });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 2, run.stdout);
    assert.match(
      lines[0] as string,
      /--allow-read=\/srv\/ferry .*--data \/srv\/ferry --host 0\.0\.0\.0 --port 7878/,
    );
    assert.match(lines[1] as string, /--allow-net=files\.example\.com:7878/);
    assert.match(
      lines[1] as string,
      /--work \/home\/ann\/transfer --home \/home\/ann\/\.config\/ferry/,
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
