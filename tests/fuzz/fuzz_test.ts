/**
 * The session fuzzer against a real ferryd. `deno task test` runs a short,
 * fixed-seed run; `deno task fuzz --actions 20000 --seed 7` a long one
 * (`--seed` defaults to a random one, printed, so a failure can be re-run).
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { openWorld } from "../harness/fixture.ts";
import { runFuzz } from "./fuzz_run.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    actions: { type: "string" },
    seed: { type: "string" },
    minutes: { type: "string" },
  },
});
const long = values.actions !== undefined || values.seed !== undefined;
const seeds = values.seed !== undefined
  ? [Number(values.seed)]
  : long
  ? [Math.floor(Math.random() * 2 ** 31)]
  : [1, 2, 3];
const actions = Number(values.actions ?? (long ? 5000 : 120));
const maxMs = Number(values.minutes ?? (long ? 60 : 1)) * 60_000;

/**
 * ferryd's resident memory must stay below this while the fuzzer pushes
 * (docs/OPERATIONS.md, "Memory"): idle it holds about 70 MiB.
 */
const RSS_BOUND_MIB = 160;

for (const seed of seeds) {
  Deno.test(`fuzz - seed ${seed}: ${actions} hostile actions after login break nothing`, async () => {
    await using world = await openWorld();
    const report = await runFuzz({
      port: world.server.port,
      dataDir: world.server.dataDir,
      server: world.server.process,
      seed,
      actions,
      maxMs,
      rssBoundMiB: RSS_BOUND_MIB,
    });
    const summary = `seed ${seed}: ${report.actions} actions in ${report.sessions} sessions, ` +
      `${report.closesWithError} closed by the server with an ERROR, peak ${
        report.peakRssMiB.toFixed(0)
      } MiB`;
    const detail = long ? `\n${JSON.stringify(report.byName, null, 2)}` : "";
    Deno.stderr.writeSync(new TextEncoder().encode(`${summary}${detail}\n`));
    if (report.violations.length > 0) {
      const log = await Deno.makeTempFile({ prefix: `ferryd-fuzz-${seed}-`, suffix: ".log" });
      await Deno.writeTextFile(log, world.server.log());
      assert.deepEqual(report.violations, [], `${summary}; ferryd's log: ${log}`);
    }
    assert.ok(report.actions > 0);
  });
}
