import assert from "node:assert/strict";
import { type Completer, type EditResult, LineEditor } from "./line_editor.ts";

const encoder = new TextEncoder();

/** Feeds `keys` (as one or several chunks) and returns the result and what was shown. */
async function type(
  chunks: string[],
  options: { history?: string[]; complete?: Completer } = {},
): Promise<{ result: EditResult | undefined; shown: string; editor: LineEditor }> {
  let shown = "";
  const editor = new LineEditor({ write: (text) => shown += text, ...options });
  editor.begin("> ");
  let result: EditResult | undefined;
  for (const chunk of chunks) {
    editor.push(encoder.encode(chunk));
    result = await editor.step();
    if (result) break;
  }
  return { result, shown, editor };
}

Deno.test("line editor - typing, Backspace, Left/Right, Home/End, Delete", async () => {
  assert.deepEqual((await type(["lss\u007f /docs\r"])).result, { line: "ls /docs" });
  // "pt", Left, "u", End, " a" → "put a"
  assert.deepEqual((await type(["pt\u001b[Du\u001b[F a\r"])).result, { line: "put a" });
  // Home, Delete, then Ctrl-E, "!"
  assert.deepEqual((await type(["xls\u0001\u001b[3~\u0005!\r"])).result, { line: "ls!" });
  // Ctrl-W deletes a word, Ctrl-U the start of the line, Ctrl-K the rest.
  assert.deepEqual((await type(["get a b\u0017c\r"])).result, { line: "get a c" });
  assert.deepEqual((await type(["abc def\u001b[D\u001b[D\u0015\r"])).result, { line: "ef" });
  assert.deepEqual((await type(["abc def\u0001\u001b[C\u000b\r"])).result, { line: "a" });
});

Deno.test("line editor - escape sequences split across reads, UTF-8 split across reads", async () => {
  const bytes = encoder.encode("é");
  let shown = "";
  const editor = new LineEditor({ write: (text) => shown += text });
  editor.begin("> ");
  editor.push(encoder.encode("ab\u001b"));
  assert.equal(await editor.step(), undefined);
  editor.push(encoder.encode("["));
  assert.equal(await editor.step(), undefined);
  editor.push(encoder.encode("Dx"));
  editor.push(bytes.subarray(0, 1));
  assert.equal(await editor.step(), undefined);
  editor.push(bytes.subarray(1));
  editor.push(encoder.encode("\r"));
  assert.deepEqual(await editor.step(), { line: "axéb" });
  assert.match(shown, /\r> axéb/);
});

Deno.test("line editor - Up and Down walk the history, the typed line comes back", async () => {
  const history = ["ls", "get a.txt"];
  const up = await type(["\u001b[A\u001b[A\r"], { history });
  assert.deepEqual(up.result, { line: "ls" });
  const back = await type(["pu\u001b[A\u001b[B\u001bOBt\r"], { history: ["ls"] });
  assert.deepEqual(back.result, { line: "put" });
  // An accepted line joins the history (not twice in a row, not empty).
  const { editor } = await type(["pwd\r"], { history: ["ls"] });
  editor.begin("> ");
  editor.push(encoder.encode("pwd\r"));
  await editor.step();
  editor.begin("> ");
  editor.push(encoder.encode("\r"));
  await editor.step();
  assert.deepEqual(editor.history, ["ls", "pwd"]);
});

Deno.test("line editor - Ctrl-C drops the line, Ctrl-D on an empty line ends", async () => {
  const cancelled = await type(["put big\u0003"]);
  assert.deepEqual(cancelled.result, { interrupted: true });
  assert.match(cancelled.shown, /\^C\r\n$/);
  assert.deepEqual((await type(["\u0004"])).result, { end: true });
  // Ctrl-D inside a line deletes under the cursor instead.
  assert.deepEqual((await type(["ab\u001b[D\u0004\r"])).result, { line: "a" });
});

Deno.test("line editor - a pasted block gives one line at a time", async () => {
  const { result, editor } = await type(["ls\rpwd\r"]);
  assert.deepEqual(result, { line: "ls" });
  editor.begin("> ");
  assert.deepEqual(await editor.step(), { line: "pwd" });
});

Deno.test("line editor - Tab completes one candidate, a common prefix, or lists them", async () => {
  const complete: Completer = (line) => {
    const start = line.lastIndexOf(" ") + 1;
    const word = line.slice(start);
    const names = ["report.pdf", "reports/", "photos/", "my\\ file.txt"];
    return Promise.resolve({ start, candidates: names.filter((name) => name.startsWith(word)) });
  };
  assert.deepEqual((await type(["get ph\t\r"], { complete })).result, { line: "get photos/" });
  assert.deepEqual((await type(["get my\t\r"], { complete })).result, {
    line: "get my\\ file.txt ",
  });
  const listed = await type(["get rep\t"], { complete });
  assert.equal(listed.editor.line, "get report", "the common prefix is filled in");
  const choices = await type(["get report\t"], { complete });
  assert.match(choices.shown, /\r\nreport\.pdf {2}reports\/\r\n/, "no progress: the choices");
  assert.equal(choices.editor.line, "get report");
});
