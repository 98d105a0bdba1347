import assert from "node:assert/strict";
import { FerryError } from "../core/errors.ts";
import { explainRefusal, recordClientSandbox } from "./refusal.ts";

const SANDBOX = { workDir: "/home/ann/work", stateDir: "/home/ann/.config/ferry", server: "h:1" };

function refusal(message: string): Deno.errors.NotCapable {
  return new Deno.errors.NotCapable(message);
}

Deno.test("explainRefusal() - names the folder rule for reads and writes", () => {
  recordClientSandbox(SANDBOX);
  try {
    const read = explainRefusal(
      refusal('Requires read access to "/etc/passwd", run again with the --allow-read flag'),
    );
    assert.ok(read instanceof FerryError);
    assert.equal(read.code, "local_io");
    assert.equal(
      read.message,
      'Cannot read "/etc/passwd": ferry may only read and write files in its working folder ' +
        '"/home/ann/work" and its state folder "/home/ann/.config/ferry"',
    );
    const write = explainRefusal(refusal('Requires write access to "/tmp/x"'), "x");
    assert.match(write?.message ?? "", /^Cannot write "x": ferry may only/);
  } finally {
    recordClientSandbox(undefined);
  }
});

Deno.test("explainRefusal() - finds a refusal in the cause chain; names the server rule", () => {
  recordClientSandbox(SANDBOX);
  try {
    const wrapped = new FerryError("local_io", "Cannot read identity", {
      cause: refusal('Requires read access to "/id"'),
    });
    assert.match(explainRefusal(wrapped)?.message ?? "", /^Cannot read "\/id": /);
    const net = explainRefusal(refusal('Requires net access to "evil:1"'));
    assert.equal(
      net?.message,
      'Cannot connect to "evil:1": ferry may only connect to its server "h:1"',
    );
    assert.equal(net?.code, "usage");
  } finally {
    recordClientSandbox(undefined);
  }
});

Deno.test("explainRefusal() - other errors are not refusals; without a record it still explains", () => {
  assert.equal(explainRefusal(new Deno.errors.NotFound("x")), undefined);
  assert.equal(explainRefusal("text"), undefined);
  assert.equal(
    explainRefusal(refusal('Requires env access to "PATH"'))?.message,
    'Cannot use env "PATH": ferry\'s sandbox does not allow it',
  );
  assert.match(
    explainRefusal(refusal('Requires read access to "/x"'))?.message ?? "",
    /^Cannot read "\/x": ferry's sandbox does not allow it$/,
  );
});
