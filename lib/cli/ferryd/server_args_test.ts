import assert from "node:assert/strict";
import { FerryError } from "../../core/errors.ts";
import {
  parsePort,
  parseStorageKind,
  resolveServerArgs,
  serverSandboxConfig,
} from "./server_args.ts";

const BAKED = ["--data", "/srv/f", "--host", "127.0.0.1", "--port", "9000"];

Deno.test("resolveServerArgs() - baked options alone mean serve with them", () => {
  assert.deepEqual(resolveServerArgs(BAKED), ["serve", ...BAKED]);
});

Deno.test("resolveServerArgs() - options given at run time come later and win", () => {
  const args = resolveServerArgs([...BAKED, "--port", "9999", "--log-level", "debug"]);
  assert.deepEqual(args, ["serve", ...BAKED, "--port", "9999", "--log-level", "debug"]);
  assert.equal(serverSandboxConfig([...BAKED, "--port", "9999"]).port, 9999);
  assert.deepEqual(resolveServerArgs([...BAKED, "serve", "--port", "1"]), [
    "serve",
    ...BAKED,
    "--port",
    "1",
  ]);
});

Deno.test("resolveServerArgs() - other commands take only the data folder", () => {
  assert.deepEqual(resolveServerArgs([...BAKED, "config", "show"]), [
    "config",
    "--data",
    "/srv/f",
    "show",
  ]);
  assert.deepEqual(resolveServerArgs([...BAKED, "user", "add", "alice", "--read-only"]), [
    "user",
    "--data",
    "/srv/f",
    "add",
    "alice",
    "--read-only",
  ]);
  assert.deepEqual(resolveServerArgs(["--data=/d", "user", "list"]), [
    "user",
    "--data",
    "/d",
    "list",
  ]);
});

Deno.test("resolveServerArgs() - help and version still work; plain commands are unchanged", () => {
  assert.deepEqual(resolveServerArgs([...BAKED, "--help"]), ["--help"]);
  assert.deepEqual(resolveServerArgs([...BAKED, "--version"]), ["--version"]);
  assert.deepEqual(resolveServerArgs([...BAKED, "help"]), ["help"]);
  assert.deepEqual(resolveServerArgs(["serve", "--port", "1"]), ["serve", "--port", "1"]);
  assert.deepEqual(resolveServerArgs([]), []);
  assert.throws(() => resolveServerArgs(["--data"]), FerryError);
});

Deno.test("serverSandboxConfig() - reads the folder, address and port as the server will", () => {
  assert.deepEqual(serverSandboxConfig(["serve"]), {
    dataDir: "./data",
    hostname: "0.0.0.0",
    port: 7878,
  });
  assert.deepEqual(serverSandboxConfig(["serve", "--data=/x", "--host", "::", "--port=1"]), {
    dataDir: "/x",
    hostname: "::",
    port: 1,
  });
  assert.deepEqual(serverSandboxConfig([...BAKED, "user", "list"]), {
    dataDir: "/srv/f",
    hostname: "127.0.0.1",
    port: 9000,
  });
});

Deno.test("resolveServerArgs() - a baked --storage reaches serve, user, config and log", () => {
  const s3 = [...BAKED, "--storage", "s3"];
  assert.deepEqual(resolveServerArgs(s3), ["serve", ...s3]);
  assert.deepEqual(resolveServerArgs([...s3, "user", "list"]), [
    "user",
    "--data",
    "/srv/f",
    "--storage",
    "s3",
    "list",
  ]);
  assert.equal(serverSandboxConfig([...s3, "serve"]).storage, "s3");
  assert.equal(serverSandboxConfig(["serve"]).storage, undefined);
  assert.throws(
    () => serverSandboxConfig(["serve", "--storage", "nfs"]),
    /Cannot use storage "nfs"/,
  );
  assert.equal(parseStorageKind("local"), "local");
});

Deno.test("parsePort() - accepts 0 to 65535 only", () => {
  assert.equal(parsePort("65535"), 65535);
  assert.equal(parsePort("0"), 0);
  for (const bad of ["65536", "0x10", "1.5", "", "-1"]) {
    assert.throws(() => parsePort(bad), /Cannot use port/);
  }
});
