import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { memoryByteSource } from "../core/byte_source.ts";
import { FerryError } from "../core/errors.ts";
import { ChunkCompressor } from "./chunk_compression.ts";
import { decodeJsonBody, decodeMessage, encodeJsonMessage, type Message } from "./codec.ts";
import { MessageQueue } from "./message_queue.ts";
import { MessageType } from "./message_type.ts";
import { parseTransferEnd, receiveData, type ReceivedData } from "./receive_data.ts";
import { MAX_DATA_BYTES, sendData, type SendDataOptions } from "./send_data.ts";

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536));
  return bytes;
}

/**
 * Sends `file` with `sendData` into a real `MessageQueue` (as the reading
 * loop of a connection fills it) and receives it with `receiveData`, both
 * at once: the queue's backpressure paces the sender.
 */
async function transfer(
  source: Uint8Array,
  send: SendDataOptions,
  receive: { offset?: number; size?: number } = {},
): Promise<{ received: Uint8Array; data: ReceivedData; end: Message; types: Set<number> }> {
  const queue = new MessageQueue();
  const types = new Set<number>();
  let end: Message | undefined;
  const sending = sendData(
    async (bytes) => {
      // The sender reuses its buffer: copy, as encryption into a frame would.
      const message = decodeMessage(bytes.slice());
      types.add(message.type);
      if (message.type === MessageType.END) end = message;
      await queue.push(message);
    },
    9,
    memoryByteSource(source),
    send,
  );
  const chunks: Uint8Array[] = [];
  const receiving = receiveData(queue, {
    ...receive,
    write: (bytes) => {
      chunks.push(bytes.slice());
      return Promise.resolve();
    },
    code: "bad_request",
    what: "the test transfer",
  });
  await sending;
  queue.close();
  const data = await receiving;
  const received = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    received.set(chunk, at);
    at += chunk.byteLength;
  }
  return { received, data, end: end as Message, types };
}

Deno.test("sendData/receiveData move a file of several messages byte for byte, with its SHA-256", async () => {
  const file = randomBytes(3 * MAX_DATA_BYTES + 123);
  const { received, data, types } = await transfer(file, {});
  assert.deepEqual(received, file);
  assert.deepEqual(data.end, { size: file.byteLength, sha256: sha256(file) });
  assert.equal(data.wireBytes, file.byteLength);
  assert.deepEqual([...types].sort(), [MessageType.DATA, MessageType.END]);
});

Deno.test("sendData hashes the bytes before the offset without sending them", async () => {
  const file = randomBytes(2 * MAX_DATA_BYTES + 7);
  const offset = MAX_DATA_BYTES + 5; // inside a chunk: the rest of it is sent
  const { received, data } = await transfer(file, { offset }, { offset });
  assert.deepEqual(received, file.subarray(offset));
  assert.deepEqual(data.end, { size: file.byteLength, sha256: sha256(file) });
});

Deno.test("sendData with hash: false sends END with the size only", async () => {
  const file = randomBytes(100_000);
  const { received, data } = await transfer(file, { hash: false });
  assert.deepEqual(received, file);
  assert.deepEqual(data.end, { size: file.byteLength });
});

Deno.test("sendData with a recorded SHA-256 reads from the offset and marks END recorded", async () => {
  const file = randomBytes(100_000);
  const offset = 40_000;
  const recorded = sha256(file);
  // The source starts at the offset: nothing before it is read.
  const { received, data } = await transfer(
    file.subarray(offset),
    { offset, sha256: recorded },
    { offset },
  );
  assert.deepEqual(received, file.subarray(offset));
  assert.deepEqual(data.end, { size: file.byteLength, sha256: recorded, recorded: true });
});

Deno.test("sendData compresses chunks that shrink; receiveData inflates them", async () => {
  const file = new Uint8Array(3 * MAX_DATA_BYTES).fill(0x61);
  const { received, data, types } = await transfer(file, { compressor: new ChunkCompressor() });
  assert.deepEqual(received, file);
  assert.ok(types.has(MessageType.DATA_DEFLATE));
  assert.ok(data.wireBytes < file.byteLength / 10, `${data.wireBytes} wire bytes`);
});

Deno.test("sendData sends no END when beforeEnd throws (a source changed while read)", async () => {
  const sent: Message[] = [];
  const changed = new FerryError("local_io", "changed");
  await assert.rejects(
    sendData(
      (bytes) => {
        sent.push(decodeMessage(bytes.slice()));
        return Promise.resolve();
      },
      1,
      memoryByteSource(randomBytes(10_000)),
      {
        hash: false,
        beforeEnd: () => {
          throw changed;
        },
      },
    ),
    (error) => error === changed,
  );
  assert.ok(sent.length > 0);
  assert.ok(sent.every((message) => message.type === MessageType.DATA));
});

function queueOf(...messages: Message[]): MessageQueue {
  const queue = new MessageQueue(messages.length + 1);
  for (const message of messages) void queue.push(message);
  queue.close();
  return queue;
}

function data(bytes: number): Message {
  return { type: MessageType.DATA, id: 1, body: new Uint8Array(bytes) };
}

function end(value: unknown): Message {
  return decodeMessage(encodeJsonMessage(MessageType.END, 1, value));
}

async function receiveCode(queue: MessageQueue, size?: number): Promise<string> {
  try {
    await receiveData(queue, {
      write: () => Promise.resolve(),
      code: "bad_request",
      what: "the test transfer",
      ...(size === undefined ? {} : { size }),
    });
  } catch (error) {
    assert.ok(error instanceof FerryError, String(error));
    assert.match(error.message, /^Cannot finish the test transfer|^Cannot decode|^boom$/);
    return error.code;
  }
  return "none";
}

Deno.test("receiveData refuses a malformed END with the side's code", async () => {
  const bad = [null, [], { size: -1 }, { size: 1.5 }, { size: 3, sha256: "ABC" }, {
    size: 3,
    sha256: "a".repeat(64),
    extra: 1,
  }, { size: 3, recorded: false }];
  for (const value of bad) {
    assert.equal(await receiveCode(queueOf(data(3), end(value))), "bad_request", String(value));
  }
  const notJson = { type: MessageType.END, id: 1, body: new Uint8Array([0x7b]) } as Message;
  assert.equal(await receiveCode(queueOf(data(3), notJson)), "bad_request");
});

Deno.test("receiveData checks END's size against the announced and the arrived bytes", async () => {
  assert.equal(await receiveCode(queueOf(data(3), end({ size: 3 })), 4), "bad_request");
  assert.equal(await receiveCode(queueOf(data(3), end({ size: 4 })), 4), "integrity");
  assert.equal(await receiveCode(queueOf(data(4), end({ size: 4 })), 4), "none");
});

Deno.test("receiveData ends with cancelled, the peer's error, or a protocol refusal", async () => {
  assert.equal(await receiveCode(queueOf(data(3))), "cancelled");
  const error = decodeMessage(
    encodeJsonMessage(MessageType.ERROR, 1, { code: "quota", message: "boom" }),
  );
  assert.equal(await receiveCode(queueOf(data(3), error)), "quota");
  const page = decodeMessage(encodeJsonMessage(MessageType.PAGE, 1, []));
  assert.equal(await receiveCode(queueOf(page)), "bad_request");
});

Deno.test("parseTransferEnd accepts the fields of protocol 2", () => {
  const hash = "0".repeat(64);
  const full = { size: 5, sha256: hash, recorded: true };
  assert.deepEqual(parseTransferEnd(full, "protocol"), full);
  assert.deepEqual(
    parseTransferEnd(decodeJsonBody(end({ size: 0 })), "protocol"),
    { size: 0 },
  );
  assert.throws(() => parseTransferEnd({ sha256: hash }, "protocol"), { code: "protocol" });
});

Deno.test("sendData() - read buffers no larger than expectedBytes; a source that gives more is still sent whole", async () => {
  const file = randomBytes(10_000);
  const inner = memoryByteSource(file);
  let largest = 0;
  const source = {
    read(view: Uint8Array): Promise<number | null> {
      largest = Math.max(largest, view.byteLength);
      return inner.read(view);
    },
  };
  const sent: Uint8Array[] = [];
  const end = await sendData(
    (bytes) => {
      const message = decodeMessage(bytes.slice());
      if (message.type === MessageType.DATA) sent.push(message.body);
      return Promise.resolve();
    },
    3,
    source,
    { expectedBytes: 4096 },
  );
  assert.equal(largest, 4096, "two 4 KiB buffers, not 256 KiB ones");
  assert.equal(end.size, file.byteLength);
  const joined = new Uint8Array(sent.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of sent) {
    joined.set(chunk, at);
    at += chunk.byteLength;
  }
  assert.deepEqual(joined, file);
  assert.equal(end.sha256, sha256(file));
});
