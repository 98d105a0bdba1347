import assert from "node:assert/strict";
import { FerryError } from "../core/errors.ts";
import { localError, PARTIAL_SUFFIX } from "./local_files.ts";

Deno.test("localError - a download's partial file is named as the file the user asked for", () => {
  const partial = `report.pdf${PARTIAL_SUFFIX}`;
  const cases = [
    new Deno.errors.PermissionDenied(`Permission denied (os error 13): open '${partial}'`),
    new Error(`No space left on device (os error 28): write '${partial}'`),
    new Deno.errors.NotCapable(
      `Requires write access to "${partial}", run again with --allow-write`,
    ),
    new Deno.errors.NotFound(`No such file or directory (os error 2): open '${partial}'`),
  ];
  for (const error of cases) {
    const explained = localError(error, partial);
    assert.ok(explained instanceof FerryError, String(explained));
    assert.equal(explained.code, "local_io");
    assert.match(explained.message, /"report\.pdf"/);
    assert.doesNotMatch(explained.message, /ferry-part/, explained.message);
  }
  assert.match(
    (localError(cases[1], partial) as FerryError).message,
    /^Cannot write "report\.pdf": No space left on device \(os error 28\)$/,
  );
});

Deno.test("localError - a path through a file is said in words, not as the OS error", () => {
  const error = new Deno.errors.NotADirectory("Not a directory (os error 20): stat 'afile/x.txt'");
  const explained = localError(error, "afile/x.txt");
  assert.ok(explained instanceof FerryError, String(explained));
  assert.equal(explained.code, "local_io");
  assert.equal(explained.message, 'Cannot open "afile/x.txt": a part of the path is a file');
});
