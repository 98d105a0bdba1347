import assert from "node:assert/strict";
import { BufferedFileWriter, FILE_WRITE_BYTES } from "./buffered_file_writer.ts";

/** A file that records the size of every write call it is given (the OS takes all of each). */
function recordingFile(): { file: Deno.FsFile; writes: number[]; bytes: number[] } {
  const writes: number[] = [];
  const bytes: number[] = [];
  const file = {
    write(chunk: Uint8Array): Promise<number> {
      writes.push(chunk.byteLength);
      bytes.push(...chunk.subarray(0, 1));
      return Promise.resolve(chunk.byteLength);
    },
  } as unknown as Deno.FsFile;
  return { file, writes, bytes };
}

Deno.test("BufferedFileWriter - a chunk larger than one write goes out in writes of at most 128 KiB", async () => {
  const { file, writes } = recordingFile();
  const writer = new BufferedFileWriter(file);
  const record = 256 * 1024 - 5; // one DATA message of a full record
  await writer.write(new Uint8Array(record));
  await writer.write(new Uint8Array(record));
  await writer.write(new Uint8Array(100));
  await writer.flush();
  assert.ok(writes.every((size) => size <= FILE_WRITE_BYTES), String(writes));
  assert.deepEqual(writes, [
    FILE_WRITE_BYTES,
    record - FILE_WRITE_BYTES,
    FILE_WRITE_BYTES,
    record - FILE_WRITE_BYTES,
    100,
  ]);
});
