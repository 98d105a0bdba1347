/**
 * The layering of the code, checked from its imports: every `.ts` file under
 * `lib/`, `scripts/` and `tests/harness/`, and `server.ts` and `client.ts`,
 * is read, its `import`/`export ... from` specifiers and dynamic
 * `import("...")` calls are taken out (comments, strings and regular
 * expressions are skipped by a small lexer, so an example in a JSDoc comment
 * is no import), and each edge to a file of the repository is held against
 * the rules of docs/ARCHITECTURE.md. A forbidden edge fails the test,
 * naming the file, the import and the rule.
 *
 * It also prints how many edges there are and how many cross from one
 * folder to another, the measure of how tangled the layout is.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, relative, resolve } from "node:path";
import { ROOT } from "./harness/ferryd_process.ts";

/** One import of one file. */
interface ImportEdge {
  /** The importing file, relative to the repository root. */
  from: string;
  /** The imported file, relative to the repository root. */
  to: string;
  /** The specifier as written. */
  specifier: string;
}

type Token = { kind: "word" | "string" | "punct"; value: string };

const WORD = /[A-Za-z0-9_$]/;
/** After these words a `/` starts a regular expression, not a division. */
const BEFORE_EXPRESSION = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
  "instanceof",
]);

/** Skips a quoted string at `at` (the quote); returns its text and the index after it. */
function readQuoted(source: string, at: number): { text: string; end: number } {
  const quote = source[at];
  let text = "";
  let i = at + 1;
  while (i < source.length && source[i] !== quote) {
    if (source[i] === "\\") i++;
    text += source[i] ?? "";
    i++;
  }
  return { text, end: i + 1 };
}

/** Skips a regular expression literal at `at` (the slash); returns the index after it. */
function skipRegExp(source: string, at: number): number {
  let i = at + 1;
  let inClass = false;
  while (i < source.length && source[i] !== "\n") {
    const char = source[i];
    if (char === "\\") i++;
    else if (char === "[") inClass = true;
    else if (char === "]") inClass = false;
    else if (char === "/" && !inClass) break;
    i++;
  }
  i++;
  while (i < source.length && WORD.test(source[i] as string)) i++;
  return i;
}

/**
 * The tokens of a TypeScript source that matter for imports: words, string
 * literals and punctuation, without comments, regular expressions or the
 * text of template literals (their `${...}` parts are read as code).
 */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // One entry per open `${` of a template literal: the brace depth inside it.
  const templates: number[] = [];
  let i = 0;
  const readTemplate = (): void => {
    // At the character after "`" or after the "}" closing a `${...}`.
    while (i < source.length) {
      const char = source[i];
      if (char === "\\") {
        i += 2;
      } else if (char === "`") {
        i++;
        tokens.push({ kind: "string", value: "" });
        return;
      } else if (char === "$" && source[i + 1] === "{") {
        i += 2;
        templates.push(0);
        return;
      } else {
        i++;
      }
    }
  };
  while (i < source.length) {
    const char = source[i] as string;
    const next = source[i + 1];
    if (/\s/.test(char)) {
      i++;
    } else if (char === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (char === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end === -1 ? source.length : end + 2;
    } else if (char === '"' || char === "'") {
      const { text, end } = readQuoted(source, i);
      tokens.push({ kind: "string", value: text });
      i = end;
    } else if (char === "`") {
      i++;
      readTemplate();
    } else if (char === "/") {
      const last = tokens.at(-1);
      const regExp = last === undefined ||
        (last.kind === "punct" && !")]}".includes(last.value)) ||
        (last.kind === "word" && BEFORE_EXPRESSION.has(last.value));
      if (regExp) {
        i = skipRegExp(source, i);
      } else {
        tokens.push({ kind: "punct", value: "/" });
        i++;
      }
    } else if (WORD.test(char)) {
      let end = i;
      while (end < source.length && WORD.test(source[end] as string)) end++;
      tokens.push({ kind: "word", value: source.slice(i, end) });
      i = end;
    } else if (char === "{" && templates.length > 0) {
      templates[templates.length - 1]!++;
      tokens.push({ kind: "punct", value: char });
      i++;
    } else if (char === "}" && templates.length > 0 && templates.at(-1) === 0) {
      templates.pop();
      i++;
      readTemplate();
    } else {
      if (char === "}" && templates.length > 0) templates[templates.length - 1]!--;
      tokens.push({ kind: "punct", value: char });
      i++;
    }
  }
  return tokens;
}

/**
 * The module specifiers a source imports: static imports and re-exports
 * (`import ... from`, `import "x"`, `import type`, `export ... from`) and
 * dynamic `import("x")` with a literal argument.
 */
function importSpecifiers(source: string): string[] {
  const tokens = tokenize(source);
  const found: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind !== "word" || (token.value !== "import" && token.value !== "export")) continue;
    const previous = tokens[i - 1];
    if (previous?.kind === "punct" && previous.value === ".") continue; // x.import
    const next = tokens[i + 1];
    if (token.value === "import" && next?.kind === "punct" && next.value === "(") {
      const argument = tokens[i + 2];
      const close = tokens[i + 3];
      if (argument?.kind === "string" && close?.kind === "punct" && close.value === ")") {
        found.push(argument.value);
      }
      continue;
    }
    if (token.value === "import" && next?.kind === "string") {
      found.push(next.value);
      continue;
    }
    if (token.value === "import" && next?.kind === "punct" && next.value === ".") continue;
    if (token.value === "export") {
      // Only `export {...} from`, `export * from`, `export type {...} from`.
      const first = next?.kind === "word" && next.value === "type" ? tokens[i + 2] : next;
      if (first?.kind !== "punct" || (first.value !== "{" && first.value !== "*")) continue;
    }
    for (let j = i + 1; j < tokens.length; j++) {
      const word = tokens[j] as Token;
      if (word.kind === "punct" && word.value === ";") break;
      if (word.kind === "word" && word.value === "from" && tokens[j + 1]?.kind === "string") {
        found.push((tokens[j + 1] as Token).value);
        break;
      }
    }
  }
  return found;
}

/** The `.ts` files of the folders the rules speak of, relative to the root, sorted. */
async function sourceFiles(): Promise<string[]> {
  const files = ["server.ts", "client.ts"];
  const walk = async (folder: string): Promise<void> => {
    for await (const entry of Deno.readDir(`${ROOT}/${folder}`)) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
    }
  };
  for (const folder of ["lib", "scripts", "tests/harness"]) await walk(folder);
  return files.sort();
}

/** Every import edge between files of the repository (not `node:`, `npm:` or bare names). */
async function importEdges(): Promise<ImportEdge[]> {
  const edges: ImportEdge[] = [];
  for (const from of await sourceFiles()) {
    const source = await Deno.readTextFile(`${ROOT}/${from}`);
    for (const specifier of importSpecifiers(source)) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
      const to = relative(ROOT, resolve(ROOT, dirname(from), specifier));
      edges.push({ from, to, specifier });
    }
  }
  return edges;
}

/**
 * The layer of a file: `lib/NAME` (with `lib/storage/s3` in storage and
 * `lib/server/commands` in server), `lib/cli/ferry`, `lib/cli/ferryd`,
 * `lib/cli/shared`, `scripts`, `tests/harness`, `tests`, or `entry` for
 * `server.ts` and `client.ts`.
 */
function layerOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "lib") {
    if (parts[1] === "cli" && parts.length > 3) return `lib/cli/${parts[2]}`;
    return parts.length > 2 ? `lib/${parts[1]}` : "lib";
  }
  if (parts[0] === "tests") return parts[1] === "harness" ? "tests/harness" : "tests";
  if (parts[0] === "scripts") return "scripts";
  return "entry";
}

/** One rule: a layer, and what it may not import (as a test on the target path). */
interface Rule {
  /** The rule as the report prints it. */
  text: string;
  /** Whether the rule speaks of files in this layer. */
  applies(fromLayer: string): boolean;
  /** Whether an edge from such a file to `to` breaks the rule. */
  forbids(to: string, toLayer: string): boolean;
}

const inLib = (layer: string): boolean => layer.startsWith("lib/");
const onlyLib = (...allowed: string[]) => (to: string, toLayer: string): boolean =>
  inLib(toLayer) && !allowed.includes(toLayer) && !allowed.includes(to);
const anyOf = (...layers: string[]) => (_to: string, toLayer: string): boolean =>
  layers.includes(toLayer);

/** The rules, as docs/ARCHITECTURE.md states them. */
const RULES: Rule[] = [
  {
    text: "lib/core imports nothing else in lib",
    applies: (layer) => layer === "lib/core",
    forbids: onlyLib("lib/core"),
  },
  {
    text: "lib/local_fs imports only lib/core",
    applies: (layer) => layer === "lib/local_fs",
    forbids: onlyLib("lib/local_fs", "lib/core"),
  },
  {
    text: "lib/wire knows no messages: no protocol, storage, server or client",
    applies: (layer) => layer === "lib/wire",
    forbids: anyOf("lib/protocol", "lib/storage", "lib/server", "lib/client"),
  },
  {
    text: "lib/noise imports only lib/core",
    applies: (layer) => layer === "lib/noise",
    forbids: onlyLib("lib/noise", "lib/core"),
  },
  {
    text: "lib/channel imports only core, wire, noise (and the typed hello, protocol/hello.ts)",
    applies: (layer) => layer === "lib/channel",
    forbids: onlyLib("lib/channel", "lib/core", "lib/wire", "lib/noise", "lib/protocol/hello.ts"),
  },
  {
    text: "lib/storage knows no connection: no channel, protocol, server, client or cli",
    applies: (layer) => layer === "lib/storage",
    forbids: (_to, toLayer) =>
      ["lib/channel", "lib/protocol", "lib/server", "lib/client"].includes(toLayer) ||
      toLayer.startsWith("lib/cli"),
  },
  {
    text: "lib/client never imports lib/server",
    applies: (layer) => layer === "lib/client",
    forbids: anyOf("lib/server"),
  },
  {
    text: "lib/server never imports lib/client",
    applies: (layer) => layer === "lib/server",
    forbids: anyOf("lib/client"),
  },
  {
    text: "lib/cli/ferry never imports lib/server, lib/storage or lib/web",
    applies: (layer) => layer === "lib/cli/ferry",
    forbids: anyOf("lib/server", "lib/storage", "lib/web"),
  },
  {
    text: "lib/web (a second front end to the server core) never imports lib/client or lib/cli",
    applies: (layer) => layer === "lib/web",
    forbids: (_to, toLayer) => toLayer === "lib/client" || toLayer.startsWith("lib/cli"),
  },
  {
    text: "lib/cli/ferryd never imports lib/client",
    applies: (layer) => layer === "lib/cli/ferryd",
    forbids: anyOf("lib/client"),
  },
  {
    text: "nothing in lib imports tests, scripts, server.ts or client.ts",
    applies: inLib,
    forbids: (_to, toLayer) => !inLib(toLayer),
  },
  {
    text: "scripts never import tests/harness (it is for the tests only)",
    applies: (layer) => layer === "scripts",
    forbids: anyOf("tests/harness", "tests"),
  },
  {
    text: "tests/harness never imports scripts",
    applies: (layer) => layer === "tests/harness",
    forbids: anyOf("scripts"),
  },
];

/** The edges that break a rule, each with the rule it breaks. */
function violations(edges: ImportEdge[]): { edge: ImportEdge; rule: string }[] {
  const found: { edge: ImportEdge; rule: string }[] = [];
  for (const edge of edges) {
    const fromLayer = layerOf(edge.from);
    const toLayer = layerOf(edge.to);
    for (const rule of RULES) {
      if (rule.applies(fromLayer) && rule.forbids(edge.to, toLayer)) {
        found.push({ edge, rule: rule.text });
      }
    }
  }
  return found;
}

Deno.test("layering - the import reader finds every kind of import and nothing in comments or strings", () => {
  const source = [
    'import assert from "node:assert/strict";',
    'import type { A } from "./a.ts";',
    "import {",
    "  b,",
    "  type C,",
    '} from "../b.ts";',
    'import "./side_effect.ts";',
    'export { d } from "./d.ts";',
    'export type { E } from "./e.ts";',
    'export * from "./f.ts";',
    "export function from(): void {}",
    "const g = await import('./g.ts');",
    "const h = import.meta.url;",
    "/** @example",
    ' * import { no } from "./no_comment.ts";',
    " */",
    '// import "./no_line.ts";',
    'const text = "import x from \\"./no_string.ts\\"";',
    'const template = `import y from "./no_template.ts" ${"./z.ts".length}`;',
    'const pattern = /import "\\.\\/no_regexp.ts"/;',
    'const ratio = 1 / 2; import("./i.ts");',
  ].join("\n");
  assert.deepEqual(importSpecifiers(source), [
    "node:assert/strict",
    "./a.ts",
    "../b.ts",
    "./side_effect.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
    "./g.ts",
    "./i.ts",
  ]);
});

Deno.test("layering - a forbidden edge is found, with its rule", () => {
  const edges: ImportEdge[] = [
    { from: "lib/wire/frame_reader.ts", to: "lib/protocol/codec.ts", specifier: "" },
    { from: "lib/client/ferry_client.ts", to: "lib/server/session.ts", specifier: "" },
    { from: "lib/storage/s3/s3_upload.ts", to: "lib/channel/x.ts", specifier: "" },
    { from: "lib/cli/ferry/client_cli.ts", to: "lib/storage/local_storage.ts", specifier: "" },
    { from: "lib/channel/handshake.ts", to: "lib/protocol/hello.ts", specifier: "" },
    { from: "lib/channel/handshake.ts", to: "lib/protocol/version.ts", specifier: "" },
    { from: "scripts/load.ts", to: "tests/harness/fixture.ts", specifier: "" },
    { from: "tests/harness/fixture.ts", to: "scripts/bench/fixtures.ts", specifier: "" },
    { from: "lib/core/errors.ts", to: "lib/core/serial_queue.ts", specifier: "" },
  ];
  assert.deepEqual(violations(edges).map(({ edge }) => edge.from), [
    "lib/wire/frame_reader.ts",
    "lib/client/ferry_client.ts",
    "lib/storage/s3/s3_upload.ts",
    "lib/cli/ferry/client_cli.ts",
    "lib/channel/handshake.ts",
    "scripts/load.ts",
    "tests/harness/fixture.ts",
  ]);
  assert.equal(violations(edges)[4]?.edge.to, "lib/protocol/version.ts");
});

Deno.test("layering - no import breaks the layers of docs/ARCHITECTURE.md", async () => {
  const edges = await importEdges();
  const crossFolder = edges.filter(({ from, to }) => dirname(from) !== dirname(to)).length;
  const crossLayer = edges.filter(({ from, to }) => layerOf(from) !== layerOf(to)).length;
  // deno-lint-ignore no-console
  console.log(
    `layering: ${edges.length} import edges between files, ${crossFolder} to another folder, ` +
      `${crossLayer} to another layer`,
  );
  assert.deepEqual(
    violations(edges).map(({ edge, rule }) => `${edge.from} imports "${edge.specifier}": ${rule}`),
    [],
  );
});
