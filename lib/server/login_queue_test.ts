import assert from "node:assert/strict";
import { isFerryError } from "../core/errors.ts";
import { LoginQueue } from "./login_queue.ts";

const busy = (error: unknown): boolean => isFerryError(error, "busy");

Deno.test("LoginQueue - runs at most maxRunning checks, the others in arrival order", async () => {
  const queue = new LoginQueue({ maxRunning: 2, maxWaitMs: 60_000 });
  const gates = Array.from({ length: 5 }, () => Promise.withResolvers<void>());
  const started: number[] = [];
  const runs = gates.map((gate, i) =>
    queue.run(async () => {
      started.push(i);
      await gate.promise;
      return i;
    })
  );
  await Promise.resolve();
  assert.deepEqual(started, [0, 1]);
  assert.equal(queue.running, 2);
  assert.equal(queue.waiting, 3);
  gates[1]?.resolve();
  assert.equal(await runs[1], 1);
  assert.deepEqual(started, [0, 1, 2]);
  for (const gate of gates) gate.resolve();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4]);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(queue.running, 0);
});

Deno.test("LoginQueue - a check whose turn cannot come in time is busy at once, and never runs", async () => {
  // First guess 80 ms a check, one at a time, 100 ms of wait allowed: one may wait, not two.
  const queue = new LoginQueue({ maxRunning: 1, maxWaitMs: 100 });
  const gate = Promise.withResolvers<void>();
  const first = queue.run(() => gate.promise);
  const second = queue.run(() => Promise.resolve("second"));
  let ran = false;
  await assert.rejects(
    queue.run(() => {
      ran = true;
      return Promise.resolve();
    }),
    busy,
  );
  assert.equal(ran, false);
  gate.resolve();
  await first;
  assert.equal(await second, "second");
});

Deno.test("LoginQueue - a check still waiting when its wait runs out is busy and leaves the queue", async () => {
  // First guess 80 ms a check: a wait of 100 ms is expected to do, but the first check hangs.
  const queue = new LoginQueue({ maxRunning: 1, maxWaitMs: 100 });
  const gate = Promise.withResolvers<void>();
  const first = queue.run(() => gate.promise);
  const second = queue.run(() => Promise.resolve());
  assert.equal(queue.waiting, 1);
  await assert.rejects(second, busy);
  assert.equal(queue.waiting, 0);
  gate.resolve();
  await first;
  assert.equal(await queue.run(() => Promise.resolve(7)), 7);
});
