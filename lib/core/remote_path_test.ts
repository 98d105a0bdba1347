import assert from "node:assert/strict";
import { isFerryError } from "./errors.ts";
import {
  baseName,
  isSameOrInside,
  isValidSegment,
  joinRemote,
  joinRemotePath,
  normalizeRemotePath,
  parentOf,
  quotePath,
  resolveRemote,
} from "./remote_path.ts";

const GOOD: [string, string][] = [
  ["", ""],
  [".", ""],
  ["./", ""],
  ["./.", ""],
  ["a", "a"],
  ["a/b.txt", "a/b.txt"],
  ["a//b/", "a/b"],
  ["./a", "a"],
  ["a/./b/.", "a/b"],
  ["...", "..."],
  ["..a/a..", "..a/a.."],
  ["C:x", "C:x"],
  [" spaced name ", " spaced name "],
  ["ünï/cödé 名前.txt", "ünï/cödé 名前.txt"],
  ["x".repeat(255), "x".repeat(255)],
  ["é".repeat(127), "é".repeat(127)],
];

const HOSTILE: [string, string][] = [
  ["/", 'the root written as an absolute path (the root is "")'],
  ["..", "dot-dot alone"],
  ["../x", "dot-dot first"],
  ["a/../../x", "climbing out"],
  ["a/../b", "dot-dot that would stay inside"],
  ["a/..", "trailing dot-dot"],
  ["a\u0000b", "NUL"],
  ["a\nb", "newline"],
  ["a\rb", "carriage return"],
  ["\u001b[31mred", "escape sequence"],
  ["a\u007fb", "DEL"],
  ["a\u0085b", "C1 next line"],
  ["a\u009bb", "C1 CSI"],
  ["/etc/passwd", "absolute path"],
  ["//", "double slash"],
  ["/a/b", "absolute path below root"],
  ["C:\\x", "Windows drive path"],
  ["a\\b", "backslash"],
  ["\\\\server\\share", "UNC path"],
  ["x".repeat(256), "segment over 255 bytes"],
  ["é".repeat(128), "multi-byte segment over 255 bytes"],
  [`${"a/".repeat(2048)}b`, "path of 4097 bytes"],
  ["x".repeat(1_000_000), "one-megabyte path"],
  ["a\ud800b", "lone surrogate"],
];

Deno.test("normalizeRemotePath() accepts and normalises good paths", () => {
  for (const [input, expected] of GOOD) {
    assert.equal(normalizeRemotePath(input), expected, JSON.stringify(input));
  }
});

Deno.test("normalizeRemotePath() refuses hostile paths with invalid_path", () => {
  for (const [input, why] of HOSTILE) {
    assert.throws(
      () => normalizeRemotePath(input),
      (error: unknown) => isFerryError(error, "invalid_path"),
      why,
    );
  }
});

Deno.test("normalizeRemotePath() accepts exactly 4096 bytes", () => {
  const path = `${"a/".repeat(2047)}bc`;
  assert.equal(new TextEncoder().encode(path).byteLength, 4096);
  assert.equal(normalizeRemotePath(path), path);
});

Deno.test("normalizeRemotePath() error messages escape control characters and stay short", () => {
  assert.throws(() => normalizeRemotePath("a\u001b[2Jb"), (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.equal(error.message, 'Cannot use path "a\\u001b[2Jb": it contains a control character');
    return true;
  });
  assert.throws(() => normalizeRemotePath("x".repeat(1_000_000)), (error: unknown) => {
    assert.ok(error instanceof Error && error.message.length < 200);
    return true;
  });
  assert.throws(
    () => normalizeRemotePath("a/../b"),
    { message: 'Cannot use path "a/../b": it contains a ".." segment' },
  );
});

Deno.test("quotePath() escapes C0, DEL and C1 controls", () => {
  assert.equal(quotePath("a\u0000\u007f\u009fb"), '"a\\u0000\\u007f\\u009fb"');
});

Deno.test("parentOf() and baseName() split paths", () => {
  assert.equal(parentOf("a/b/c.txt"), "a/b");
  assert.equal(parentOf("a"), "");
  assert.equal(parentOf(""), "");
  assert.equal(baseName("a/b/c.txt"), "c.txt");
  assert.equal(baseName("a"), "a");
  assert.equal(baseName(""), "");
});

Deno.test("baseName() ignores trailing slashes, as a command line writes folders", () => {
  assert.equal(baseName("a/b/"), "b");
  assert.equal(baseName("a/b//"), "b");
  assert.equal(baseName("b/"), "b");
  assert.equal(baseName("/b"), "b");
  assert.equal(baseName("/"), "");
  assert.equal(baseName("//"), "");
  assert.equal(baseName("../x/.."), "..");
});

Deno.test("joinRemotePath() joins folders and relative paths, leaving out empty pieces", () => {
  assert.equal(joinRemotePath(), "");
  assert.equal(joinRemotePath("", ""), "");
  assert.equal(joinRemotePath("a", ""), "a");
  assert.equal(joinRemotePath("", "b/c"), "b/c");
  assert.equal(joinRemotePath("a/b", "c", "d.txt"), "a/b/c/d.txt");
});

Deno.test("resolveRemote() resolves . and .. against the current folder", () => {
  const cases: [string, string, string][] = [
    ["", "", ""],
    ["a/b", "", "a/b"],
    ["a/b", ".", "a/b"],
    ["a/b", "c", "a/b/c"],
    ["a/b", "./c//d/", "a/b/c/d"],
    ["a/b", "..", "a"],
    ["a/b", "../..", ""],
    ["a/b", "../c", "a/c"],
    ["a/b", "/", ""],
    ["a/b", "/x/./y", "x/y"],
    ["a/b", "/x/../y", "y"],
    ["/a//b/", "c", "a/b/c"],
  ];
  for (const [cwd, path, expected] of cases) {
    assert.equal(resolveRemote(cwd, path), expected, `${cwd} + ${path}`);
  }
});

Deno.test("resolveRemote() refuses .. above the root with invalid_path", () => {
  for (const [cwd, path] of [["", ".."], ["a", "../.."], ["a/b", "/.."], ["a", "../../b"]]) {
    assert.throws(
      () => resolveRemote(cwd as string, path as string),
      (error) =>
        isFerryError(error, "invalid_path") &&
        error.message === `Cannot use "${path}": ".." leads above the root folder`,
    );
  }
});

Deno.test("joinRemote() joins one valid segment", () => {
  assert.equal(joinRemote("", "a"), "a");
  assert.equal(joinRemote("a/b", "c.txt"), "a/b/c.txt");
  for (const bad of ["", ".", "..", "a/b", "a\u0000", "a\\b", "x".repeat(256)]) {
    assert.throws(
      () => joinRemote("a", bad),
      (error: unknown) => isFerryError(error, "invalid_path"),
      JSON.stringify(bad),
    );
  }
  assert.throws(() => joinRemote("x".repeat(4000), "y".repeat(100)), {
    name: "FerryError",
  });
});

Deno.test("isValidSegment() tells names a client could send", () => {
  assert.equal(isValidSegment("a.txt"), true);
  assert.equal(isValidSegment("..."), true);
  assert.equal(isValidSegment(".."), false);
  assert.equal(isValidSegment("a\nb"), false);
  assert.equal(isValidSegment("bad\ufffd"), true);
});

Deno.test("isSameOrInside() compares whole segments", () => {
  assert.equal(isSameOrInside("a/b", "a"), true);
  assert.equal(isSameOrInside("a", "a"), true);
  assert.equal(isSameOrInside("ab", "a"), false);
  assert.equal(isSameOrInside("a", "a/b"), false);
  assert.equal(isSameOrInside("anything", ""), true);
});
