/**
 * Encrypts then decrypts a generated stream of `MiB` mebibytes and prints, as
 * JSON, how much the process's RSS grew: a child process of
 * `decrypt_stream_test.ts`, because `deno test --parallel` runs every test
 * module in one process (one worker each), whose RSS they all share.
 *
 * What is measured is the memory the stream keeps, not the garbage it
 * leaves: with `--v8-flags=--expose-gc` each reading follows a full
 * collection, so how far behind a loaded machine's collector runs does not
 * change it (without the flag the readings include garbage).
 *
 * Usage: `deno run --v8-flags=--expose-gc lib/file_crypto/_memory_probe.ts MiB`
 *
 * @module
 */

import { createHash } from "node:crypto";
import { createDecryptStream, createEncryptStream, createHeader, keyFileKek } from "./mod.ts";

/** What the probe prints. */
export interface MemoryProbeResult {
  /** Plaintext bytes that came out. */
  bytes: number;
  /** Whether they hash the same as what went in. */
  identical: boolean;
  /** RSS when the stream started, MiB. */
  startMiB: number;
  /** Highest RSS seen while it ran, MiB. */
  peakMiB: number;
}

/**
 * Runs the probe.
 *
 * @param size Plaintext bytes, a multiple of 1 MiB.
 * @returns The measurement.
 */
export async function probe(size: number): Promise<MemoryProbeResult> {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const piece = new Uint8Array(1024 * 1024);
  const header = createHeader(keyFileKek(key), size);
  const sourceHash = createHash("sha256");
  let made = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller): void {
      if (made === size) {
        controller.close();
        return;
      }
      new DataView(piece.buffer).setUint32(made % 4096, made); // vary the data
      sourceHash.update(piece);
      controller.enqueue(piece.slice());
      made += piece.length;
    },
  }, { highWaterMark: 0 });
  const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const rss = (): number => {
    collect();
    return Deno.memoryUsage().rss;
  };
  const start = rss();
  let peak = start;
  let bytes = 0;
  const outputHash = createHash("sha256");
  const opened = source.pipeThrough(createEncryptStream(header)).pipeThrough(
    createDecryptStream({ keyFile: key }),
  );
  for await (const part of opened) {
    outputHash.update(part);
    bytes += part.length;
    if (bytes % (8 * 1024 * 1024) === 0) peak = Math.max(peak, rss());
  }
  const identical = outputHash.digest("hex") === sourceHash.digest("hex");
  return { bytes, identical, startMiB: start / 2 ** 20, peakMiB: peak / 2 ** 20 };
}

if (import.meta.main) {
  const result = await probe(Number(Deno.args[0] ?? 256) * 1024 * 1024);
  await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(result) + "\n"));
}
