/**
 * What the fuzzer sends: each action is a short sequence of plaintext
 * messages that a hostile client could send after login, drawn from the
 * classes the hardening issue names (malformed and mutated requests,
 * foreign message types, uploads that lie about their size or hash, that
 * stop, that are cancelled and then go on, decompression bombs, stray and
 * reused request ids, downloads never read) and from random mutation of
 * valid messages.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { encodeMessage } from "../../lib/protocol/codec.ts";
import { MessageType } from "../../lib/protocol/message_type.ts";
import type { Prng } from "./prng.ts";

const encoder = new TextEncoder();

/** The folder the fuzzer works in, below the user's root. */
export const FUZZ_DIR = "fz";

/** One thing a hostile client does. */
export interface HostileAction {
  /** Which class it comes from, for the report. */
  name: string;
  /** The plaintext messages, header included, in order. */
  messages: Uint8Array[];
  /**
   * The SHA-256 of a file this action may legitimately commit (all its
   * bytes and a true `END` were sent), if any. Any file in the fuzz folder
   * must have one of these hashes: anything else is a partial, or bytes the
   * server should have refused, made visible.
   */
  commits?: string;
  /** Paths this action may lock (for the check that locks come back). */
  paths: string[];
  /** Request ids this action starts (cancelled at the end of the session). */
  ids: number[];
  /** How long to stop reading the server's replies after sending (ms). */
  stopReadingMs?: number;
}

/** What an action generator needs to know of the session. */
export interface ActionContext {
  /** Draws the choices. */
  rng: Prng;
  /** A fresh request id. */
  freshId(): number;
  /** An id already used in this session (or a fresh one when none). */
  usedId(): number;
  /** A file known to exist in the fuzz folder, if any. */
  existingFile(): string | undefined;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function message(type: number, id: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encodeMessage(type as MessageType, id, body);
}

function json(type: number, id: number, value: unknown): Uint8Array {
  return message(type, id, encoder.encode(JSON.stringify(value)));
}

const DATA_BYTES = 65514;

let bombCache: Uint8Array | undefined;

/** 60 MiB of zeros, deflated into one `DATA_DEFLATE` body (about 60 KiB). */
function bomb(): Uint8Array {
  bombCache ??= new Uint8Array(deflateRawSync(new Uint8Array(60 * 1024 * 1024), { level: 9 }));
  return bombCache;
}

function fuzzPath(rng: Prng): string {
  return `${FUZZ_DIR}/${rng.pick(["a", "b", "c", "d", "e"])}${rng.pick(["", ".txt", ".bin"])}`;
}

/** A valid request of each kind, for mutation and as it is. */
function validRequest(ctx: ActionContext): Record<string, unknown> {
  const { rng } = ctx;
  const path = ctx.existingFile() ?? fuzzPath(rng);
  switch (rng.below(9)) {
    case 0:
      return { op: "help" };
    case 1:
      return { op: "list", path: FUZZ_DIR };
    case 2:
      return { op: "stat", path, hash: rng.chance(0.5) };
    case 3:
      return { op: "get", path, offset: rng.pick([0, 1, 100, 1 << 30]) };
    case 4:
      return { op: "mkdir", path: `${FUZZ_DIR}/d${rng.below(3)}` };
    case 5:
      return { op: "rmdir", path: `${FUZZ_DIR}/d${rng.below(3)}`, recursive: rng.chance(0.3) };
    case 6:
      return { op: "rename", from: path, to: fuzzPath(rng), force: rng.chance(0.5) };
    case 7:
      return { op: "delete", path };
    default:
      return { op: "put", path: fuzzPath(rng), size: 10, force: true, resume: false };
  }
}

const ODD_VALUES: unknown[] = [
  null,
  -1,
  1.5,
  2 ** 53,
  Number.MAX_VALUE,
  "",
  "/",
  "..",
  "a/../../etc/passwd",
  "a\u0000b",
  "x".repeat(9000),
  "\u00e9".repeat(5000),
  [],
  {},
  { nested: { deeper: [1, 2, 3] } },
  true,
];

/** A valid request with one thing wrong with it. */
function mutatedRequest(ctx: ActionContext): HostileAction {
  const { rng } = ctx;
  const request = validRequest(ctx);
  const keys = Object.keys(request);
  const id = rng.chance(0.1) ? ctx.usedId() : ctx.freshId();
  let body: Uint8Array;
  switch (rng.below(8)) {
    case 0:
      delete request[rng.pick(keys)];
      body = encoder.encode(JSON.stringify(request));
      break;
    case 1:
      request[rng.pick(keys)] = rng.pick(ODD_VALUES);
      body = encoder.encode(JSON.stringify(request));
      break;
    case 2:
      request[`extra${rng.below(3)}`] = rng.pick(ODD_VALUES);
      body = encoder.encode(JSON.stringify(request));
      break;
    case 3:
      request.op = rng.pick(["", "PUT", "__proto__", "constructor", "toString", "x".repeat(500)]);
      body = encoder.encode(JSON.stringify(request));
      break;
    case 4: {
      const text = encoder.encode(JSON.stringify(request));
      body = text.subarray(0, rng.below(text.byteLength));
      break;
    }
    case 5: {
      body = encoder.encode(JSON.stringify(request));
      for (let flips = 1 + rng.below(3); flips > 0; flips--) {
        const at = rng.below(body.byteLength);
        body[at] = (body[at] as number) ^ (1 << rng.below(8));
      }
      break;
    }
    case 6:
      body = rng.pick([
        new Uint8Array([0xff, 0xfe, 0x00]),
        encoder.encode("[".repeat(5000)),
        encoder.encode(`${"[".repeat(20000)}${"]".repeat(20000)}`),
        encoder.encode('"just a string"'),
        encoder.encode("12345"),
        new Uint8Array(0),
      ]);
      break;
    default:
      body = rng.bytes(rng.below(300));
  }
  return {
    name: "mutated request",
    messages: [message(MessageType.REQUEST, id, body)],
    paths: [],
    ids: [id],
  };
}

/** A message of a type a client may not send, or with a short header. */
function foreignMessage(ctx: ActionContext): HostileAction {
  const { rng } = ctx;
  const id = rng.pick([0, ctx.freshId(), ctx.usedId(), 0xffffffff]);
  if (rng.chance(0.2)) {
    return { name: "short message", messages: [rng.bytes(rng.below(5))], paths: [], ids: [] };
  }
  const type = rng.pick([0, MessageType.REPLY, MessageType.ERROR, MessageType.PAGE, 9, 255]);
  return {
    name: `message of type ${type}`,
    messages: [message(type, id, rng.bytes(rng.below(64)))],
    paths: [],
    ids: [],
  };
}

/** `DATA`, `DATA_DEFLATE`, `END` or `CANCEL` for a request that is not a live upload. */
function strayMessage(ctx: ActionContext): HostileAction {
  const { rng } = ctx;
  const id = rng.pick([0, ctx.freshId(), ctx.usedId()]);
  const type = rng.pick([
    MessageType.DATA,
    MessageType.DATA_DEFLATE,
    MessageType.END,
    MessageType.CANCEL,
  ]);
  const body = type === MessageType.END
    ? encoder.encode(JSON.stringify({ size: 1, sha256: "0".repeat(64) }))
    : type === MessageType.DATA_DEFLATE && rng.chance(0.5)
    ? bomb()
    : rng.bytes(rng.below(200));
  return { name: "stray message", messages: [message(type, id, body)], paths: [], ids: [] };
}

/** How an upload goes wrong (or right). */
const UPLOAD_FATES = [
  "complete",
  "complete-deflated",
  "complete-eager",
  "one-byte-short",
  "end-size-lies",
  "end-hash-lies",
  "more-than-announced",
  "no-end",
  "cancel-then-finish",
  "bomb",
  "garbage-deflate",
  "malformed-end",
  "duplicate-id",
] as const;

/** An upload that follows the protocol, or breaks it one way. */
function upload(ctx: ActionContext): HostileAction {
  const { rng } = ctx;
  const fate = rng.pick(UPLOAD_FATES);
  const path = fuzzPath(rng);
  const eager = fate === "complete-eager";
  const size = eager ? 1 + rng.below(DATA_BYTES) : 1 + rng.below(3 * DATA_BYTES);
  const content = rng.bytes(size);
  const id = ctx.freshId();
  const request = {
    op: "put",
    path,
    size,
    force: true,
    resume: rng.chance(0.3),
    ...(eager ? { eager: true } : {}),
  };
  const messages = [json(MessageType.REQUEST, id, request)];
  const chunks = (bytes: Uint8Array): void => {
    for (let at = 0; at < bytes.byteLength; at += DATA_BYTES) {
      messages.push(message(MessageType.DATA, id, bytes.subarray(at, at + DATA_BYTES)));
    }
  };
  const end = (value: unknown): void => {
    messages.push(json(MessageType.END, id, value));
  };
  const trueEnd = { size, sha256: sha256(content) };
  let commits: string | undefined;
  switch (fate) {
    case "complete":
    case "complete-eager":
      chunks(content);
      end(trueEnd);
      commits = trueEnd.sha256;
      break;
    case "complete-deflated":
      for (let at = 0; at < size; at += DATA_BYTES) {
        const piece = content.subarray(at, at + DATA_BYTES);
        messages.push(message(MessageType.DATA_DEFLATE, id, deflateRawSync(piece)));
      }
      end(trueEnd);
      commits = trueEnd.sha256;
      break;
    case "one-byte-short": {
      const short = content.subarray(0, size - 1);
      chunks(short);
      end({ size: size - 1, sha256: sha256(short) });
      break;
    }
    case "end-size-lies":
      chunks(content);
      end({ size: size + 1, sha256: trueEnd.sha256 });
      break;
    case "end-hash-lies":
      chunks(content);
      end({ size, sha256: sha256(rng.bytes(8)) });
      break;
    case "more-than-announced":
      chunks(content);
      chunks(rng.bytes(1 + rng.below(100)));
      end(trueEnd);
      break;
    case "no-end":
      chunks(content.subarray(0, rng.below(size)));
      break;
    case "cancel-then-finish": {
      const cut = rng.below(size);
      chunks(content.subarray(0, cut));
      messages.push(message(MessageType.CANCEL, id));
      chunks(content.subarray(cut));
      end(trueEnd);
      break;
    }
    case "bomb":
      messages.push(message(MessageType.DATA_DEFLATE, id, bomb()));
      end(trueEnd);
      break;
    case "garbage-deflate":
      messages.push(message(MessageType.DATA_DEFLATE, id, rng.bytes(1 + rng.below(1000))));
      end(trueEnd);
      break;
    case "malformed-end":
      chunks(content);
      messages.push(message(MessageType.END, id, rng.bytes(rng.below(80))));
      break;
    case "duplicate-id":
      chunks(content.subarray(0, Math.min(size, DATA_BYTES)));
      messages.push(json(MessageType.REQUEST, id, { ...request, path: fuzzPath(rng) }));
      break;
  }
  return {
    name: `put, ${fate}`,
    messages,
    ...(commits === undefined ? {} : { commits }),
    paths: [path],
    ids: [id],
  };
}

/** Many downloads whose data the client does not read for a while. */
function unreadDownloads(ctx: ActionContext): HostileAction {
  const path = ctx.existingFile();
  const ids: number[] = [];
  const messages: Uint8Array[] = [];
  for (let n = 100 + ctx.rng.below(200); n > 0; n--) {
    const id = ctx.freshId();
    ids.push(id);
    messages.push(json(MessageType.REQUEST, id, {
      op: path === undefined ? "list" : "get",
      path: path ?? FUZZ_DIR,
      ...(path === undefined ? {} : { offset: 0 }),
    }));
  }
  return { name: "downloads not read", messages, paths: [], ids, stopReadingMs: 1500 };
}

/** A valid request, as it is. */
function plainRequest(ctx: ActionContext): HostileAction {
  const id = ctx.freshId();
  const request = validRequest(ctx);
  return {
    name: `valid ${request.op}`,
    messages: [json(MessageType.REQUEST, id, request)],
    paths: request.op === "put" ? [request.path as string] : [],
    ids: [id],
  };
}

/** Draws the next hostile action. */
export function hostileAction(ctx: ActionContext): HostileAction {
  const roll = ctx.rng.next();
  if (roll < 0.30) return upload(ctx);
  if (roll < 0.55) return mutatedRequest(ctx);
  if (roll < 0.65) return foreignMessage(ctx);
  if (roll < 0.78) return strayMessage(ctx);
  if (roll < 0.82) return unreadDownloads(ctx);
  return plainRequest(ctx);
}
