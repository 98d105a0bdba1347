import assert from "node:assert/strict";
import {
  parseDownloadInvitation,
  parseHelpReply,
  parsePage,
  parseStatReply,
  parseUploadDone,
  parseUploadInvitation,
  parseUsageReply,
} from "./replies.ts";

const entry = { name: "a.txt", kind: "file", size: 3, mtime: 1 };
const hash = "ab".repeat(32);

Deno.test("replies: well-formed replies pass through typed", () => {
  assert.equal(parseStatReply({ entry, sha256: hash }).sha256, hash);
  assert.equal(parseDownloadInvitation({ entry, offset: 0 }).entry.size, 3);
  assert.deepEqual(parseUploadInvitation({ offset: 7 }), { offset: 7 });
  assert.equal(
    parseUploadInvitation({ skipped: "identical", entry, sha256: hash }).skipped,
    "identical",
  );
  assert.equal(parseUploadDone({ entry, path: "b.txt", sha256: hash }).path, "b.txt");
  assert.equal(parseUsageReply({ bytes: 1, files: 1, quotaBytes: 9 }).quotaBytes, 9);
  assert.equal(parsePage([entry, { ...entry, kind: "dir", encrypted: true }]).length, 2);
  assert.equal(
    parseHelpReply({ commands: [{ name: "get", summary: "x", allowed: true }] }).length,
    1,
  );
});

Deno.test("replies: a malformed reply is a protocol error that names the request", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => parseStatReply({ entry: { ...entry, size: "3" } }), /"stat": "size" must be a count/],
    [() => parseStatReply(null), /"stat": the reply must be an object/],
    [() => parseDownloadInvitation({ entry, offset: -1 }), /"get": "offset" must be a count/],
    [() => parseUploadInvitation({ skipped: "maybe" }), /"put": "skipped"/],
    [() => parseUploadDone({ entry, sha256: "XYZ" }), /"put": "sha256" must be a lowercase hex/],
    [() => parseUsageReply({ bytes: 1 }), /"usage": "files" must be a count/],
    [() => parsePage({}), /"list": a page must be an array/],
    [() => parsePage([{ ...entry, kind: "link" }]), /"list": "kind" must be "file" or "dir"/],
    [() => parseHelpReply({ commands: [{ name: 1 }] }), /"help": "name" must be a string/],
  ];
  for (const [parse, message] of cases) {
    assert.throws(parse, (error: Error & { code?: string }) => {
      assert.equal(error.code, "protocol");
      assert.match(error.message, /^Cannot read the server's reply to /);
      assert.match(error.message, message);
      return true;
    });
  }
});
