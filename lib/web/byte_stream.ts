/**
 * A storage read as a web stream for an HTTP body: at most `length` bytes,
 * pulled as the connection takes them (backpressure), the source released
 * when the browser goes away.
 *
 * @module
 */

import { type ByteInput, ViewReader } from "../core/byte_source.ts";

/** Bytes read per pull: 256 KiB. */
export const PULL_BYTES = 256 * 1024;

/**
 * Streams `length` bytes of `input`, then calls `onEnd` with the bytes sent
 * and whether all were (`false` when the reader cancelled or the source ended early).
 */
export function limitedStream(
  input: ByteInput,
  length: number,
  onEnd: (sent: number, complete: boolean) => void,
): ReadableStream<Uint8Array> {
  const reader = new ViewReader(input);
  let sent = 0;
  let ended = false;
  const end = (complete: boolean): void => {
    if (ended) return;
    ended = true;
    onEnd(sent, complete);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      const want = Math.min(PULL_BYTES, length - sent);
      if (want <= 0) {
        await reader.cancel().catch(() => {});
        controller.close();
        end(true);
        return;
      }
      try {
        const chunk = await reader.read(new Uint8Array(want));
        if (chunk === null) {
          controller.close();
          end(false);
          return;
        }
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      } catch (error) {
        controller.error(error);
        end(false);
      }
    },
    async cancel(): Promise<void> {
      end(false);
      await reader.cancel().catch(() => {});
    },
  }, { highWaterMark: 0 });
}
