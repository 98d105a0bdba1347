/**
 * Uploads through a {@linkcode RawSession}, stopped wherever a test says:
 * the way a hostile or crashing client leaves an upload behind.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { MAX_DATA_BYTES } from "../../lib/protocol/send_data.ts";
import { MessageType } from "../../lib/protocol/message_type.ts";
import { openRawSession, type RawSession, type ServerMessage } from "./raw_session.ts";

/** What {@linkcode rawPut} sends. */
export interface RawPut {
  /** The remote path. */
  path: string;
  /** The announced size. */
  size: number;
  /** Where to stop sending (the server's offset is the start): at `size` by default. */
  until?: number;
  /** Ask for a resume. @default {true} */
  resume?: boolean;
  /** The byte the content is made of (the same content every time: resumes match). */
  fill?: number;
}

/** How a raw upload ended. */
export interface RawPutResult {
  /** The server's first answer to the request (`REPLY {offset}` or `ERROR`). */
  start: ServerMessage;
  /** The final answer when `END` was sent (`REPLY` or `ERROR`), else `undefined`. */
  end?: ServerMessage | undefined;
}

/** The `{ code }` of an `ERROR`, or `undefined` for anything else. */
export function errorCode(message: ServerMessage | null | undefined): string | undefined {
  if (message?.type !== MessageType.ERROR) return undefined;
  return (message.json as { code?: string } | undefined)?.code;
}

/**
 * Sends `put` on `session` (request `id`), then bytes of `fill` from the
 * server's offset to `until`, then (when all `size` bytes went) `END`. It stops
 * after the bytes when they are fewer: the caller closes the session to
 * leave the upload cut short.
 */
export async function rawPut(session: RawSession, id: number, put: RawPut): Promise<RawPutResult> {
  await session.request(id, {
    op: "put",
    path: put.path,
    size: put.size,
    force: false,
    resume: put.resume ?? true,
  });
  const start = await session.untilEnd(id, () => true, 30_000);
  if (start === null) throw new Error(`The server closed the session at the put of ${put.path}`);
  if (start.type !== MessageType.REPLY) return { start };
  const offset = (start.json as { offset: number }).offset;
  const chunk = new Uint8Array(MAX_DATA_BYTES).fill(put.fill ?? 0x61);
  const last = Math.min(put.size, put.until ?? put.size);
  let sent = 0;
  for (let at = offset; at < last; sent++) {
    const piece = chunk.subarray(0, Math.min(chunk.byteLength, last - at));
    await session.send(MessageType.DATA, id, piece);
    at += piece.byteLength;
    // A refusal mid-way (a full disk) ends the upload: stop sending for it.
    if (sent % 16 === 15) {
      const early = await session.next(1);
      if (early === null) return { start };
      if (early !== "timeout" && early.id === id && early.type === MessageType.ERROR) {
        return { start, end: early };
      }
    }
  }
  if (last < put.size) return { start };
  const hash = createHash("sha256");
  for (let at = 0; at < put.size;) {
    const piece = chunk.subarray(0, Math.min(chunk.byteLength, put.size - at));
    hash.update(piece);
    at += piece.byteLength;
  }
  await session.sendJson(MessageType.END, id, { size: put.size, sha256: hash.digest("hex") });
  const end = await session.untilEnd(id, () => true, 30_000);
  return { start, end: end ?? undefined };
}

/**
 * Logs in, starts an upload, sends all but `short` of its bytes, and closes
 * the connection: an upload cut short by a client that went away.
 *
 * @returns The server's answer to the put.
 */
export async function abandonedPut(
  port: number,
  login: { user: string; password: string },
  put: RawPut & { short?: number },
): Promise<ServerMessage> {
  const session = await openRawSession({ port, ...login });
  try {
    const short = put.short ?? 1;
    const { start } = await rawPut(session, 1, { ...put, until: put.size - short });
    return start;
  } finally {
    session.close();
  }
}

/** The `.part` files (names) in a data folder's partial-upload folder. */
export async function partFiles(dataDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${dataDir}/state/partial`)) {
    if (entry.name.endsWith(".part")) names.push(entry.name);
  }
  return names;
}
