import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { BufferedFileWriter, FILE_WRITE_BYTES } from "./buffered_file_writer.ts";
import { ASYNC_HOLD_MS, DirectIo, SLOW_DIRECT_CALL_MS } from "./direct_io.ts";
import { fileByteSource } from "./file_byte_source.ts";

/** A DirectIo on a clock the test moves. */
function manualClock(): { io: DirectIo; advance: (ms: number) => void } {
  let clock = 1_000;
  return { io: new DirectIo({ now: () => clock }), advance: (ms) => (clock += ms) };
}

Deno.test("DirectIo allows direct calls until one is slow, then not for ASYNC_HOLD_MS", async () => {
  const { io, advance } = manualClock();
  assert.equal(io.allowed, true);
  const ran = io.run(() => (advance(SLOW_DIRECT_CALL_MS), 42));
  assert.equal(await ran, 42, "resolves with what the call returned");
  assert.equal(io.allowed, true, "a call of exactly the limit is not slow");
  await io.run(() => advance(SLOW_DIRECT_CALL_MS + 1));
  assert.equal(io.allowed, false);
  advance(ASYNC_HOLD_MS - 1);
  assert.equal(io.allowed, false);
  advance(1);
  assert.equal(io.allowed, true);
});

Deno.test("DirectIo times a call that throws, and rejects with its error", async () => {
  const { io, advance } = manualClock();
  await assert.rejects(
    io.run(() => {
      advance(100);
      throw new Error("disk gone");
    }),
    /disk gone/,
  );
  assert.equal(io.allowed, false);
});

Deno.test("DirectIo runs the call at once and settles on a later turn of the event loop", async () => {
  const io = new DirectIo();
  const order: string[] = [];
  const queued = new Promise<void>((resolve) =>
    setImmediate(() => {
      order.push("task queued before");
      resolve();
    })
  );
  const ran = io.run(() => order.push("call"));
  assert.deepEqual(order, ["call"], "the direct call ran before run() returned");
  await ran;
  order.push("settled");
  await queued;
  // Settling right away (a resolved promise) would come before the queued task.
  assert.deepEqual(order, ["call", "task queued before", "settled"]);
});

Deno.test("BufferedFileWriter and fileByteSource move the same bytes with direct calls on or off", async () => {
  const path = await Deno.makeTempFile({ prefix: "ferry_direct_io_" });
  const bytes = new Uint8Array(3 * FILE_WRITE_BYTES + 17).map((_, i) => (i * 13) % 251);
  try {
    for (const on of [true, false]) {
      const { io, advance } = manualClock();
      if (!on) await io.run(() => advance(SLOW_DIRECT_CALL_MS + 1));
      assert.equal(io.allowed, on);
      {
        using file = await Deno.open(path, { write: true, truncate: true });
        const writer = new BufferedFileWriter(file, { direct: io });
        for (let at = 0; at < bytes.byteLength; at += 65_514) {
          await writer.write(bytes.subarray(at, at + 65_514));
        }
        await writer.flush();
      }
      assert.deepEqual(await Deno.readFile(path), bytes);
      const source = fileByteSource(await Deno.open(path), { direct: io });
      const view = new Uint8Array(65_536);
      const first = source.read(view);
      // A direct read has filled the buffer by the time read() returns.
      if (on) assert.deepEqual(view.subarray(0, 4), bytes.subarray(0, 4));
      const read: number[] = [];
      for (let n = await first; n !== null; n = await source.read(view)) {
        read.push(...view.subarray(0, n));
      }
      assert.deepEqual(new Uint8Array(read), bytes);
    }
  } finally {
    await Deno.remove(path);
  }
});
