import assert from "node:assert/strict";
import { dataLayout, serverStateDir } from "./defaults.ts";

Deno.test("dataLayout: files and state below the data folder, trailing slashes dropped", () => {
  assert.deepEqual(dataLayout("./data"), { files: "./data/files", state: "./data/state" });
  assert.deepEqual(dataLayout("/srv/ferry//"), {
    files: "/srv/ferry/files",
    state: "/srv/ferry/state",
  });
  assert.equal(serverStateDir("/srv/ferry"), dataLayout("/srv/ferry").state);
});
