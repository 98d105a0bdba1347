import assert from "node:assert/strict";
import { isFerryError } from "../core/errors.ts";
import { FERRY_VERSION, PROTOCOL_VERSION } from "../core/version.ts";
import { SERVER_FEATURES } from "./features.ts";
import { serverHello, validateHello } from "./hello.ts";

const good = serverHello({ loginGraceSeconds: 60, loginWaitSeconds: 40 });

Deno.test("serverHello() - names ferryd, its versions and features, and survives JSON", () => {
  assert.deepEqual(good, {
    server: "ferryd",
    version: FERRY_VERSION,
    protocol: PROTOCOL_VERSION,
    features: [...SERVER_FEATURES],
    loginGraceSeconds: 60,
    loginWaitSeconds: 40,
  });
  assert.deepEqual(validateHello(JSON.parse(JSON.stringify(good))), good);
});

Deno.test("validateHello() - ignores fields it does not know (a newer server)", () => {
  assert.deepEqual(validateHello({ ...good, colour: "blue" }), good);
});

Deno.test("validateHello() - a malformed hello is a protocol error naming what is wrong", () => {
  const cases: [unknown, RegExp][] = [
    [null, /it is not an object/],
    [[good], /it is not an object/],
    ["ferryd", /it is not an object/],
    [{ ...good, server: 1 }, /"server" is not a string/],
    [{ ...good, version: undefined }, /"version" is not a string/],
    [{ ...good, protocol: "2" }, /"protocol" is not a version number/],
    [{ ...good, protocol: 1.5 }, /"protocol" is not a version number/],
    [{ ...good, features: "usage" }, /"features" is not a list of names/],
    [{ ...good, features: ["usage", 3] }, /"features" is not a list of names/],
    [{ ...good, loginGraceSeconds: -1 }, /"loginGraceSeconds" is not a number of seconds/],
    [{ ...good, loginWaitSeconds: null }, /"loginWaitSeconds" is not a number of seconds/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => validateHello(value), (error: unknown) => {
      assert.ok(isFerryError(error, "protocol"), String(error));
      assert.match(error.message, /^Cannot read the server's hello: /);
      assert.match(error.message, message);
      return true;
    }, JSON.stringify(value));
  }
});
