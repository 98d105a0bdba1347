/**
 * Throughput of the encrypt and decrypt streams: `deno bench -A lib/file_crypto/`.
 * Each iteration moves 64 MiB, fed in 1 MiB pieces as a file's readable would.
 *
 * @module
 */

import { createDecryptStream, createEncryptStream, createHeader, keyFileKek } from "./mod.ts";

const SIZE = 64 * 1024 * 1024;
const PIECE = crypto.getRandomValues(new Uint8Array(64 * 1024)).slice();
const KEY = crypto.getRandomValues(new Uint8Array(32));
const HEADER = createHeader(keyFileKek(KEY), SIZE);

function source(): ReadableStream<Uint8Array> {
  const piece = new Uint8Array(1024 * 1024);
  for (let at = 0; at < piece.length; at += PIECE.length) piece.set(PIECE, at);
  let sent = 0;
  return new ReadableStream({
    pull(controller): void {
      if (sent === SIZE) {
        controller.close();
        return;
      }
      controller.enqueue(piece);
      sent += piece.length;
    },
  }, { highWaterMark: 0 });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const part of stream) bytes += part.length;
  return bytes;
}

const SEALED: Uint8Array[] = await Array.fromAsync(
  source().pipeThrough(createEncryptStream(HEADER)),
);

Deno.bench("createEncryptStream() 64 MiB", { group: "file_crypto", baseline: true }, async () => {
  await drain(source().pipeThrough(createEncryptStream(HEADER)));
});

Deno.bench("createDecryptStream() 64 MiB", { group: "file_crypto" }, async () => {
  await drain(ReadableStream.from(SEALED).pipeThrough(createDecryptStream({ keyFile: KEY })));
});
