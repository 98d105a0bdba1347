/**
 * The parts of the S3 back end that need no object store: configuration,
 * keys, XML, error mapping and the savable hash.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { FerryError } from "../../lib/core/errors.ts";
import { escapeXml, unescapeXml, xmlElements, xmlText } from "../../lib/storage/s3/_xml.ts";
import { KeyMap } from "../../lib/storage/s3/key_map.ts";
import { partSizeFor, resolveS3Config } from "../../lib/storage/s3/s3_config.ts";
import { s3Error, S3RequestError } from "../../lib/storage/s3/s3_errors.ts";
import { encodeKey } from "../../lib/storage/s3/s3_http.ts";
import { SavableSha256 } from "../../lib/storage/s3/sha256_state.ts";

const MIB = 1024 * 1024;
const BASE = {
  endpoint: "http://127.0.0.1:8000",
  bucket: "ferry",
  region: "default",
  accessKeyId: "AK",
  secretAccessKey: "SK",
};

Deno.test("resolveS3Config() fills defaults and refuses bad values", () => {
  const config = resolveS3Config({ ...BASE, prefix: "team/" }, { pageSize: 10 });
  assert.equal(config.filesPrefix, "team/files/");
  assert.equal(config.statePrefix, "team/state/");
  assert.equal(config.pageSize, 10);
  assert.equal(config.leaseMs, 60_000);
  assert.equal(config.signParts, true);
  assert.throws(() => resolveS3Config({ ...BASE, endpoint: "ftp://x" }), TypeError);
  assert.throws(() => resolveS3Config({ ...BASE, endpoint: "http://x/path" }), TypeError);
  assert.throws(() => resolveS3Config({ ...BASE, bucket: "ab" }), TypeError);
  assert.throws(() => resolveS3Config({ ...BASE, prefix: "/abs/" }), TypeError);
  assert.throws(() => resolveS3Config({ ...BASE, prefix: "noslash" }), TypeError);
  assert.throws(() => resolveS3Config({ ...BASE, secretAccessKey: "" }), TypeError);
  assert.throws(() => resolveS3Config(BASE, { partSize: MIB }), RangeError);
  assert.throws(() => resolveS3Config(BASE, { pageSize: 1001 }), RangeError);
});

Deno.test("partSizeFor() keeps every file within 10,000 parts", () => {
  assert.equal(partSizeFor(1, 8 * MIB), 8 * MIB);
  assert.equal(partSizeFor(200 * 1024 * MIB, 8 * MIB), 21 * MIB);
  const huge = 5 * 1024 * 1024 * MIB;
  assert.ok(Math.ceil(huge / partSizeFor(huge, 8 * MIB)) <= 10_000);
});

Deno.test("KeyMap maps paths, folders, leases and uploads to keys", () => {
  const keys = new KeyMap("p/files/", "p/state/");
  assert.equal(keys.file("a/b.txt"), "p/files/a/b.txt");
  assert.equal(keys.folder("a"), "p/files/a/");
  assert.equal(keys.folder(""), "p/files/");
  assert.equal(keys.pathOf("p/files/a/b/"), "a/b");
  assert.equal(keys.lock("a/b"), "p/state/locks/a/b");
  assert.equal(keys.lockedPath("p/state/locks/a/b"), "a/b");
  assert.match(keys.upload("a").state, /^p\/state\/uploads\/[0-9a-f]{64}\.json$/);
  assert.throws(
    () => keys.file("é".repeat(600)),
    (error: unknown) => error instanceof FerryError && error.code === "invalid_path",
  );
});

Deno.test("encodeKey() encodes each segment the way SigV4 signs it", () => {
  assert.equal(encodeKey("a b/c+d!'()*é"), "a%20b/c%2Bd%21%27%28%29%2A%C3%A9");
});

Deno.test("the XML helpers read S3 answers", () => {
  const xml = "<R><Contents><Key>a&amp;b</Key></Contents><Contents><Key>&#x41;&#66;</Key>" +
    "</Contents><IsTruncated>false</IsTruncated></R>";
  assert.deepEqual(xmlElements(xml, "Contents").map((b) => xmlText(b, "Key")), ["a&b", "AB"]);
  assert.equal(xmlText(xml, "Missing"), undefined);
  assert.equal(unescapeXml(escapeXml(`<a href="x">'&'</a>`)), `<a href="x">'&'</a>`);
});

Deno.test("s3Error() maps store failures to protocol codes without the endpoint", () => {
  const cases: [number, string, string][] = [
    [404, "NoSuchKey", "not_found"],
    [404, "NoSuchBucket", "internal"],
    [403, "AccessDenied", "denied"],
    [403, "QuotaExceeded", "quota"],
    [400, "KeyTooLongError", "invalid_path"],
    [503, "SlowDown", "internal"],
  ];
  for (const [status, code, expected] of cases) {
    const error = s3Error(new S3RequestError("GET", "http://secret:8000/b/k", status, code), "X");
    assert.equal(error.code, expected);
    assert.ok(!error.message.includes("secret"));
  }
  assert.equal(
    s3Error(new TypeError("fetch failed"), "X").message,
    "X: the object store cannot be reached",
  );
});

Deno.test("SavableSha256 continues from a saved state, as another server would", async () => {
  const bytes = new Uint8Array(3 * MIB + 17).map((_, i) => i * 7);
  const first = await SavableSha256.create();
  first.update(bytes.subarray(0, 2 * MIB));
  const second = await SavableSha256.create(first.save());
  second.update(bytes.subarray(2 * MIB));
  assert.equal(second.digestHex(), createHash("sha256").update(bytes).digest("hex"));
  await assert.rejects(SavableSha256.create("bm90IGEgc3RhdGU="));
});
