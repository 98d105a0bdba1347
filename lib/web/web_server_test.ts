import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { auditMatching, startTestWebServer, TestBrowser } from "./_test_server.ts";

function bytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** `POST /api/upload`: opens (or reopens) the upload of `size` bytes to `path`. */
function openUpload(
  browser: TestBrowser,
  path: string,
  size: number,
  policy = "refuse",
): Promise<Response> {
  return browser.fetch("/api/upload", { method: "POST", json: { path, size, policy } });
}

/** `PUT /api/upload`: sends `body` as the bytes at `offset` of upload `id`. */
function sendChunk(
  browser: TestBrowser,
  id: string,
  offset: number,
  body: Uint8Array<ArrayBuffer> | string,
): Promise<Response> {
  return browser.fetch(`/api/upload?id=${id}&offset=${offset}`, { method: "PUT", body });
}

async function upload(
  browser: TestBrowser,
  path: string,
  data: Uint8Array,
  policy = "refuse",
): Promise<Response> {
  const start = await openUpload(browser, path, data.byteLength, policy);
  if (!start.ok) return start;
  const { id, offset } = await start.json() as { id: string; offset: number };
  return await sendChunk(browser, id, offset, data.slice(offset));
}

Deno.test("web - the page carries a strict CSP, nosniff and no inline script", async () => {
  await using server = await startTestWebServer();
  const response = await fetch(server.url);
  const html = await response.text();
  const csp = response.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]/);
  assert.match(html, /<script src="\/app.js" defer><\/script>/);
  const js = await fetch(new URL("/app.js", server.url));
  assert.match(js.headers.get("content-type") ?? "", /javascript/);
  assert.doesNotMatch(await js.text(), /innerHTML/);
});

Deno.test("web - login sets an HttpOnly SameSite=Strict cookie; a wrong password is refused", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  const wrong = await browser.login("ann", "nope");
  assert.equal(wrong.status, 401);
  assert.equal(browser.cookie, "");
  const response = await browser.fetch("/api/login", {
    method: "POST",
    json: { user: "ann", password: "ann-secret" },
  });
  assert.equal(response.status, 200);
  const cookie = response.headers.get("set-cookie") ?? "";
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Max-Age=\d+/);
  assert.doesNotMatch(cookie, /Secure/); // plain HTTP on loopback
  await response.body?.cancel();
  await auditMatching(
    server.dataDir,
    /"event":"auth.fail","user":"ann","address":"127.0.0.1","via":"web"/,
  );
  await auditMatching(
    server.dataDir,
    /"event":"auth.ok","user":"ann","address":"127.0.0.1","via":"web"/,
  );
});

Deno.test("web - without a session, or without the CSRF token, or from another origin: refused", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  const anonymous = await browser.fetch("/api/list?path=");
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
  await browser.login("ann", "ann-secret");
  const noToken = await browser.fetch("/api/mkdir", {
    method: "POST",
    json: { path: "x" },
    csrf: false,
  });
  assert.equal(noToken.status, 403);
  assert.match(await noToken.text(), /CSRF/);
  const foreign = await browser.fetch("/api/mkdir", {
    method: "POST",
    json: { path: "x" },
    headers: { origin: "https://evil.example" },
  });
  assert.equal(foreign.status, 403);
  await foreign.body?.cancel();
  const list = await (await browser.fetch("/api/list?path=")).json();
  assert.deepEqual(list.entries, []);
  const ok = await browser.fetch("/api/mkdir", { method: "POST", json: { path: "x" } });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
});

Deno.test("web - upload in chunks, resume from the server's offset, the server's SHA-256", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  await browser.login("ann", "ann-secret");
  const data = bytes(3 * 1024 * 1024 + 17);
  const start = await (await openUpload(browser, "big.bin", data.byteLength)).json();
  assert.equal(start.offset, 0);
  const first = await (await sendChunk(browser, start.id, 0, data.slice(0, 1024 * 1024))).json();
  assert.equal(first.offset, 1024 * 1024);
  // Not there until complete.
  const before = await (await browser.fetch("/api/list?path=")).json();
  assert.deepEqual(before.entries, []);
  // A chunk at the wrong offset is refused.
  const wrong = await sendChunk(browser, start.id, 5, "x");
  assert.equal(wrong.status, 400);
  await wrong.body?.cancel();
  // The page starts again (a reload): the same upload, at the server's offset.
  const again = await (await openUpload(browser, "big.bin", data.byteLength)).json();
  assert.equal(again.offset, 1024 * 1024);
  const done = await (await sendChunk(browser, again.id, again.offset, data.slice(again.offset)))
    .json();
  assert.equal(done.done.sha256, sha256(data));
  assert.equal(done.done.entry.size, data.byteLength);
  const stored = await Deno.readFile(`${server.dataDir}/files/big.bin`);
  assert.equal(sha256(stored), sha256(data));
});

Deno.test("web - an upload left alone ends keeping its partial; a restart of it resumes", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  await browser.login("ann", "ann-secret");
  const data = bytes(2 * 1024 * 1024, 7);
  const start = await (await openUpload(browser, "p.bin", data.byteLength)).json();
  await (await sendChunk(browser, start.id, 0, data.slice(0, 1024 * 1024))).body?.cancel();
  const cancel = await browser.fetch("/api/upload/cancel", {
    method: "POST",
    json: { id: start.id },
  });
  assert.equal(cancel.status, 200);
  await cancel.body?.cancel();
  const again = await (await openUpload(browser, "p.bin", data.byteLength)).json();
  assert.equal(again.offset, 1024 * 1024);
  const done = await (await sendChunk(browser, again.id, again.offset, data.slice(again.offset)))
    .json();
  assert.equal(done.done.sha256, sha256(data));
});

Deno.test("web - overwrite policy: refuse, keep both, replace", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  await browser.login("ann", "ann-secret");
  const first = await upload(browser, "a.txt", new TextEncoder().encode("one"));
  assert.equal(first.status, 200);
  await first.body?.cancel();
  const refused = await upload(browser, "a.txt", new TextEncoder().encode("two"));
  assert.equal(refused.status, 409);
  assert.equal((await refused.json()).error.code, "exists");
  const both = await (await upload(browser, "a.txt", new TextEncoder().encode("two"), "keep-both"))
    .json();
  assert.equal(both.done.path, "a (1).txt");
  const replaced = await upload(browser, "a.txt", new TextEncoder().encode("three"), "replace");
  assert.equal(replaced.status, 200);
  await replaced.body?.cancel();
  assert.equal(await Deno.readTextFile(`${server.dataDir}/files/a.txt`), "three");
  assert.equal(await Deno.readTextFile(`${server.dataDir}/files/a (1).txt`), "two");
});

Deno.test("web - downloads are attachments with a safe name, and honour Range", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  await browser.login("ann", "ann-secret");
  const name = "<img src=x onerror=alert(1)>.html";
  const up = await upload(browser, name, new TextEncoder().encode("<script>alert(1)</script>"));
  assert.equal(up.status, 200);
  await up.body?.cancel();
  const whole = await browser.fetch(`/api/file?path=${encodeURIComponent(name)}`);
  assert.equal(whole.headers.get("content-type"), "application/octet-stream");
  const disposition = whole.headers.get("content-disposition") ?? "";
  assert.match(
    disposition,
    /^attachment; filename="_img src=x onerror=alert\(1\)_.html"; filename\*=UTF-8''/,
  );
  assert.doesNotMatch(disposition.split("filename*=")[1] ?? "", /[<>"\s]/);
  assert.equal(await whole.text(), "<script>alert(1)</script>");
  const part = await browser.fetch(`/api/file?path=${encodeURIComponent(name)}`, {
    headers: { range: "bytes=8-" },
  });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), "bytes 8-24/25");
  assert.equal(await part.text(), "alert(1)</script>");
  const past = await browser.fetch(`/api/file?path=${encodeURIComponent(name)}`, {
    headers: { range: "bytes=99-" },
  });
  assert.equal(past.status, 416);
  await past.body?.cancel();
});

Deno.test("web - a read-only user lists and downloads but cannot upload, delete or mkdir", async () => {
  await using server = await startTestWebServer();
  const ann = new TestBrowser(server.url);
  await ann.login("ann", "ann-secret");
  await (await upload(ann, "f.txt", new TextEncoder().encode("hi"))).body?.cancel();
  const rob = new TestBrowser(server.url);
  const login = await rob.login("rob", "rob-secret");
  assert.deepEqual(login.body.permissions, ["list", "read"]);
  const put = await upload(rob, "g.txt", new TextEncoder().encode("no"));
  assert.equal(put.status, 403);
  await put.body?.cancel();
  const del = await rob.fetch("/api/delete", { method: "POST", json: { path: "f.txt" } });
  assert.equal(del.status, 403);
  await del.body?.cancel();
  const mk = await rob.fetch("/api/mkdir", { method: "POST", json: { path: "d" } });
  assert.equal(mk.status, 403);
  await mk.body?.cancel();
  assert.equal(await (await rob.fetch("/api/file?path=f.txt")).text(), "hi");
  await auditMatching(server.dataDir, /"event":"denied".*"user":"rob".*"via":"web"/);
});

Deno.test("web - the path jail holds: .. and absolute paths stay inside the root", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  await browser.login("ann", "ann-secret");
  const response = await browser.fetch("/api/file?path=../state/users.json");
  assert.notEqual(response.status, 200);
  await response.body?.cancel();
  const up = await upload(browser, "../escape.txt", new TextEncoder().encode("x"));
  assert.notEqual(up.status, 200);
  await up.body?.cancel();
  await assert.rejects(Deno.stat(`${server.dataDir}/escape.txt`));
});

Deno.test("web - a folder downloads as a tar stream", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  await browser.login("ann", "ann-secret");
  await (await browser.fetch("/api/mkdir", { method: "POST", json: { path: "d" } })).body?.cancel();
  await (await upload(browser, "d/one.txt", new TextEncoder().encode("one"))).body?.cancel();
  const response = await browser.fetch("/api/archive?path=d");
  assert.equal(response.headers.get("content-type"), "application/x-tar");
  const tar = new Uint8Array(await response.arrayBuffer());
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/d.tar`, tar);
    const out = await new Deno.Command("tar", { args: ["-xf", "d.tar"], cwd: dir }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(await Deno.readTextFile(`${dir}/d/one.txt`), "one");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("web - oversized headers and bodies are refused before they are read", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  const big = await browser.fetch("/api/login", {
    method: "POST",
    headers: { "x-filler": "a".repeat(20_000) },
    json: { user: "ann", password: "x" },
  });
  assert.equal(big.status, 431);
  await big.body?.cancel();
  const body = await browser.fetch("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "x".repeat(100_000),
  });
  assert.equal(body.status, 413);
  await body.body?.cancel();
});

Deno.test("web - rename with the overwrite policy, and delete of a file and of a folder", async () => {
  await using server = await startTestWebServer();
  const browser = new TestBrowser(server.url);
  await browser.login("ann", "ann-secret");
  for (const [name, text] of [["a.txt", "a"], ["b.txt", "b"]]) {
    await (await upload(browser, name as string, new TextEncoder().encode(text))).body?.cancel();
  }
  const rename = async (policy: string): Promise<Response> =>
    await browser.fetch("/api/rename", {
      method: "POST",
      json: { from: "a.txt", to: "b.txt", policy },
    });
  const refused = await rename("refuse");
  assert.equal(refused.status, 409);
  await refused.body?.cancel();
  const both = await (await rename("keep-both")).json();
  assert.equal(both.path, "b (1).txt");
  assert.equal(await Deno.readTextFile(`${server.dataDir}/files/b (1).txt`), "a");
  const moved = await browser.fetch("/api/rename", {
    method: "POST",
    json: { from: "b (1).txt", to: "b.txt", policy: "replace" },
  });
  assert.equal(moved.status, 200);
  await moved.body?.cancel();
  assert.equal(await Deno.readTextFile(`${server.dataDir}/files/b.txt`), "a");
  await (await browser.fetch("/api/mkdir", { method: "POST", json: { path: "d" } })).body?.cancel();
  await (await upload(browser, "d/x.txt", new TextEncoder().encode("x"))).body?.cancel();
  for (const path of ["b.txt", "d"]) {
    const gone = await browser.fetch("/api/delete", { method: "POST", json: { path } });
    assert.equal(gone.status, 200);
    await gone.body?.cancel();
  }
  const left = await (await browser.fetch("/api/list?path=")).json();
  assert.deepEqual(left.entries, []);
  await auditMatching(server.dataDir, /"event":"rename".*"to":"b \(1\).txt".*"via":"web"/);
  await auditMatching(server.dataDir, /"event":"rmdir","path":"d".*"via":"web"/);
});
