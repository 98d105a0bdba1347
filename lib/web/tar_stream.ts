/**
 * A folder as a streamed tar archive (POSIX ustar, with pax headers for
 * long or non-ASCII names and huge sizes): entries are listed and files read
 * one after the other as the connection takes the bytes, never held whole.
 *
 * @module
 */

import { type ByteInput, ViewReader } from "../core/byte_source.ts";
import type { Entry, Storage } from "../storage/storage.ts";

const BLOCK = 512;
const encoder = new TextEncoder();

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, mtime: number, type: "0" | "5" | "x"): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (text: string, at: number, width: number): void => {
    block.set(encoder.encode(text).subarray(0, width), at);
  };
  put(name, 0, 100);
  put(octal(type === "5" ? 0o755 : 0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size < 8 ** 11 ? size : 0, 12), 124, 12);
  put(octal(Math.max(0, Math.floor(mtime / 1000)), 12), 136, 12);
  put("        ", 148, 8);
  put(type, 156, 1);
  put("ustar\x0000", 257, 8);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(octal(sum, 7) + " ", 148, 8);
  return block;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const base = encoder.encode(body).byteLength;
  let length = base + 1;
  while (String(length).length + base !== length) length = String(length).length + base;
  return `${length}${body}`;
}

function padding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The headers of one entry (a pax header first when the plain one cannot hold it). */
function entryHeaders(name: string, size: number, mtime: number, dir: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  const plain = encoder.encode(name).byteLength < 100 && /^[\x20-\x7e]*$/.test(name);
  if (!plain || size >= 8 ** 11) {
    const records = (plain ? "" : paxRecord("path", name)) +
      (size >= 8 ** 11 ? paxRecord("size", String(size)) : "");
    const body = encoder.encode(records);
    out.push(header("././@PaxHeader", body.byteLength, mtime, "x"), body, padding(body.byteLength));
  }
  out.push(
    header(
      plain ? name : name.slice(0, 90).replace(/[^\x20-\x7e]/g, "_"),
      dir ? 0 : size,
      mtime,
      dir ? "5" : "0",
    ),
  );
  return out;
}

/** What the archive stream reports at its end. */
export interface ArchiveEnd {
  /** Files written. */
  files: number;
  /** File bytes written. */
  bytes: number;
  /** Whether the archive was complete (the browser took it all). */
  complete: boolean;
}

/**
 * Streams folder `root` of `storage` as a tar archive whose entries start
 * with `prefix/` (the folder's name).
 */
export function tarStream(
  storage: Storage,
  root: string,
  prefix: string,
  onEnd: (end: ArchiveEnd) => void,
): ReadableStream<Uint8Array> {
  const result = { files: 0, bytes: 0, complete: false };
  let current: ViewReader | undefined;
  async function* blocks(): AsyncGenerator<Uint8Array> {
    const walk = async function* (folder: string, name: string): AsyncGenerator<Uint8Array> {
      yield* entryHeaders(`${name}/`, 0, 0, true);
      const entries: Entry[] = [];
      for await (const entry of storage.list(folder)) entries.push(entry);
      entries.sort((a, b) => a.name < b.name ? -1 : 1);
      for (const entry of entries) {
        const path = folder === "" ? entry.name : `${folder}/${entry.name}`;
        if (entry.kind === "dir") {
          yield* walk(path, `${name}/${entry.name}`);
          continue;
        }
        const source = await storage.openRead(path, 0);
        const size = source.entry.size;
        yield* entryHeaders(`${name}/${entry.name}`, size, source.entry.mtime, false);
        yield* fileBytes(source.bytes, size);
        yield padding(size);
        result.files++;
      }
    };
    yield* walk(root, prefix);
    yield new Uint8Array(2 * BLOCK);
  }
  async function* fileBytes(input: ByteInput, size: number): AsyncGenerator<Uint8Array> {
    current = new ViewReader(input);
    let done = 0;
    while (done < size) {
      const chunk = await current.read(new Uint8Array(Math.min(256 * 1024, size - done)));
      if (chunk === null) break;
      done += chunk.byteLength;
      result.bytes += chunk.byteLength;
      yield chunk;
    }
    await current.cancel().catch(() => {});
    current = undefined;
    // A file that shrank while it was read: the archive stays well formed.
    if (done < size) yield new Uint8Array(size - done);
  }
  const iterator = blocks();
  return new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      try {
        let next = await iterator.next();
        while (!next.done && next.value.byteLength === 0) next = await iterator.next();
        if (next.done) {
          result.complete = true;
          controller.close();
          onEnd(result);
        } else controller.enqueue(next.value);
      } catch (error) {
        controller.error(error);
        onEnd(result);
      }
    },
    async cancel(): Promise<void> {
      await current?.cancel().catch(() => {});
      await iterator.return(undefined);
      onEnd(result);
    },
  }, { highWaterMark: 0 });
}
