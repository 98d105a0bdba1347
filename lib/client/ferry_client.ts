/**
 * The programmatic ferry client: one connection, many requests in flight.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { clientHandshake } from "../channel/handshake.ts";
import type { SecureChannel } from "../channel/secure_channel.ts";
import { FerryError } from "../errors.ts";
import { generateKeyPair, type KeyPair } from "../noise/mod.ts";
import {
  decodeJsonBody,
  decodeMessage,
  encodeJsonMessage,
  encodeMessage,
  type Message,
} from "../protocol/codec.ts";
import { ChunkCompressor } from "../protocol/chunk_compression.ts";
import { receivedBytes, sendDataStream, type TransferEnd } from "../protocol/data_stream.ts";
import type { Entry } from "../protocol/entry.ts";
import { MessageQueue } from "../protocol/message_queue.ts";
import { MessageType } from "../protocol/message_type.ts";
import type { Request } from "../protocol/requests.ts";
import { fromWireError } from "../protocol/wire_error.ts";
import { FrameReader } from "../wire/frame_reader.ts";
import { FrameWriter } from "../wire/frame_writer.ts";

/** Options of {@linkcode FerryClient.connect}. */
export interface ConnectOptions {
  /** Server host name or address. */
  hostname: string;
  /** Server port. */
  port: number;
  /** User name. */
  user: string;
  /** Password; without it the client logs in with its `identity` key. */
  password?: string;
  /** The client's static key (its identity for key login). */
  identity?: KeyPair;
  /** Decides whether to trust the server's key; throws to refuse. */
  verifyServerKey(serverKey: Uint8Array): Promise<void>;
}

/** Options of {@linkcode FerryClient.download}. */
export interface DownloadOptions {
  /** Bytes the caller already has; `hash` must hold their SHA-256 state. */
  offset?: number;
  /** A SHA-256 already fed with the first `offset` bytes. */
  hash?: Hash;
  /** Called with the bytes done so far (offset included). */
  onProgress?: (done: number, total: number) => void;
  /** Ask the server to compress chunks that shrink. */
  compress?: boolean;
}

/** Options of {@linkcode FerryClient.upload}. */
export interface UploadOptions {
  /** The file's size. */
  size: number;
  /** Replace an existing file. */
  force?: boolean;
  /** Continue a partial upload the server keeps. */
  resume?: boolean;
  /** Keep both: when the name is taken, the server picks `name (n).ext`. */
  rename?: boolean;
  /** Compress chunks that shrink. */
  compress?: boolean;
  /** Modification time to keep (ms since the epoch). */
  mtime?: number;
  /** Called with the bytes done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** The outcome of a finished transfer. */
export interface TransferResult {
  /** The file as the server has it. */
  entry: Entry;
  /** The remote path (for a keep-both upload, the name the server chose). */
  path: string;
  /** File bytes that crossed the wire (after compression, from `offset`). */
  wireBytes: number;
  /** Hex SHA-256 of the whole file, verified. */
  sha256: string;
  /** Where this transfer started (0 unless resumed). */
  offset: number;
}

/**
 * A logged-in connection to a ferry server.
 *
 * @example
 * ```ts ignore
 * const client = await FerryClient.connect({ hostname: "127.0.0.1", port: 7878, user: "alice",
 *   password: "secret", verifyServerKey: async () => {} });
 * console.log(await client.list(""));
 * await client.close();
 * ```
 */
export class FerryClient {
  /** The server's static key, as accepted. */
  readonly serverKey: Uint8Array;
  #conn: Deno.Conn;
  #channel: SecureChannel;
  #queues = new Map<number, MessageQueue>();
  #nextId = 1;
  #pumping: Promise<void>;
  #closed = false;

  private constructor(conn: Deno.Conn, channel: SecureChannel, serverKey: Uint8Array) {
    this.#conn = conn;
    this.#channel = channel;
    this.serverKey = serverKey;
    this.#queues.set(0, new MessageQueue());
    this.#pumping = this.#pump();
  }

  /**
   * Connects, checks the server key, and logs in.
   *
   * @throws {FerryError} `network`, `host_key_*`, `auth_failed`, `protocol`.
   */
  static async connect(options: ConnectOptions): Promise<FerryClient> {
    const address = `${options.hostname}:${options.port}`;
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: options.hostname, port: options.port });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new FerryError("network", `Cannot connect to "${address}": ${reason}`, { cause });
    }
    try {
      conn.setNoDelay(true);
      const credentials = options.password === undefined
        ? { method: "key", user: options.user }
        : { method: "password", user: options.user, password: options.password };
      const { channel, serverKey } = await clientHandshake(
        new FrameReader(conn.readable),
        new FrameWriter(conn.writable),
        {
          staticKey: options.identity ?? await generateKeyPair(),
          verifyServerKey: options.verifyServerKey,
          credentials,
        },
      );
      const client = new FerryClient(conn, channel, serverKey);
      await client.#finalReply(0);
      return client;
    } catch (error) {
      try {
        conn.close();
      } catch {
        // already closed
      }
      throw error;
    }
  }

  async #pump(): Promise<void> {
    let failure: unknown;
    try {
      for (let plaintext = await this.#channel.receive(); plaintext;) {
        const message = decodeMessage(plaintext);
        await this.#queues.get(message.id)?.push(message);
        plaintext = await this.#channel.receive();
      }
    } catch (error) {
      failure = this.#closed ? undefined : error;
    }
    failure ??= new FerryError("network", "The server closed the connection");
    if (failure instanceof Error && !(failure instanceof FerryError)) {
      failure = new FerryError("network", `Connection lost: ${failure.message}`, {
        cause: failure,
      });
    }
    for (const queue of this.#queues.values()) queue.close(failure);
  }

  #start(request: Request): { id: number; queue: MessageQueue } {
    if (this.#closed) throw new FerryError("network", "Cannot send request: the client is closed");
    const id = this.#nextId++;
    const queue = new MessageQueue();
    this.#queues.set(id, queue);
    void this.#channel.send(encodeJsonMessage(MessageType.REQUEST, id, request)).catch((error) =>
      queue.close(new FerryError("network", `Cannot send request: ${String(error)}`))
    );
    return { id, queue };
  }

  /** Waits for the reply that ends request `id`, and forgets the request. */
  async #finalReply(id: number): Promise<unknown> {
    try {
      return await this.#expectReply(id);
    } finally {
      this.#queues.delete(id);
    }
  }

  /** The next message of `id` must be a `REPLY`; an `ERROR` is thrown. */
  async #expectReply(id: number): Promise<unknown> {
    const queue = this.#queues.get(id) as MessageQueue;
    const message = await queue.next();
    if (message.type === MessageType.ERROR) throw fromWireError(decodeJsonBody(message));
    if (message.type !== MessageType.REPLY) {
      throw new FerryError(
        "protocol",
        `Expected a reply to request ${id}, got type ${message.type}`,
      );
    }
    return decodeJsonBody(message);
  }

  /** Tells the server to give up on request `id` (best effort). */
  #cancel(id: number): void {
    void this.#channel.send(encodeMessage(MessageType.CANCEL, id, new Uint8Array(0))).catch(
      () => {},
    );
  }

  async #simple(request: Request): Promise<unknown> {
    return await this.#finalReply(this.#start(request).id);
  }

  /** Lists the server's commands. */
  async help(): Promise<{ name: string; summary: string }[]> {
    return ((await this.#simple({ op: "help" })) as {
      commands: { name: string; summary: string }[];
    })
      .commands;
  }

  /** Describes a remote path. */
  async stat(path: string): Promise<Entry> {
    return ((await this.#simple({ op: "stat", path })) as { entry: Entry }).entry;
  }

  /** Describes a remote path, with the SHA-256 when it is a file (the server reads it). */
  async statWithHash(path: string): Promise<{ entry: Entry; sha256?: string }> {
    return (await this.#simple({ op: "stat", path, hash: true })) as {
      entry: Entry;
      sha256?: string;
    };
  }

  /** Streams a remote folder's entries, page by page. */
  async *listPages(path: string): AsyncGenerator<Entry[]> {
    const { id, queue } = this.#start({ op: "list", path });
    try {
      for (;;) {
        const message: Message = await queue.next();
        if (message.type === MessageType.PAGE) {
          yield decodeJsonBody(message) as Entry[];
          continue;
        }
        if (message.type === MessageType.ERROR) throw fromWireError(decodeJsonBody(message));
        return;
      }
    } finally {
      this.#queues.delete(id);
    }
  }

  /** Lists a remote folder, sorted by name. */
  async list(path: string): Promise<Entry[]> {
    const entries: Entry[] = [];
    for await (const page of this.listPages(path)) entries.push(...page);
    return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  /** Removes a remote file. */
  async remove(path: string): Promise<void> {
    await this.#simple({ op: "delete", path });
  }

  /** Makes a remote folder. */
  async mkdir(path: string): Promise<void> {
    await this.#simple({ op: "mkdir", path });
  }

  /** Removes a remote folder. */
  async rmdir(path: string, recursive = false): Promise<void> {
    await this.#simple({ op: "rmdir", path, recursive });
  }

  /** Moves a remote file or folder. */
  async rename(from: string, to: string, force = false): Promise<void> {
    await this.#simple({ op: "rename", from, to, force });
  }

  /**
   * Downloads a file, handing each chunk to `write` (awaited: backpressure),
   * and verifies the SHA-256 of the whole file at the end.
   *
   * @throws {FerryError} `integrity` when the hash or size does not match;
   *   whatever was written must then be discarded.
   */
  async download(
    path: string,
    write: (chunk: Uint8Array) => Promise<void>,
    options: DownloadOptions = {},
  ): Promise<TransferResult> {
    const offset = options.offset ?? 0;
    const hash = options.hash ?? createHash("sha256");
    const { id, queue } = this.#start({
      op: "get",
      path,
      offset,
      ...(options.compress ? { compress: true } : {}),
    });
    try {
      const { entry } = await this.#expectReply(id) as { entry: Entry };
      let done = offset;
      let wireBytes = 0;
      for (;;) {
        const message = await queue.next();
        if (message.type === MessageType.DATA || message.type === MessageType.DATA_DEFLATE) {
          const bytes = await receivedBytes(message);
          wireBytes += message.body.byteLength;
          hash.update(bytes);
          await write(bytes);
          done += bytes.byteLength;
          options.onProgress?.(done, entry.size);
        } else if (message.type === MessageType.END) {
          const end = decodeJsonBody(message) as TransferEnd;
          const sha256 = hash.digest("hex");
          if (end.sha256 !== sha256 || end.size !== done) {
            throw new FerryError(
              "integrity",
              `Cannot accept "${path}": SHA-256 or size differs from what the server sent`,
            );
          }
          return { entry: { ...entry, size: done }, path, sha256, offset, wireBytes };
        } else if (message.type === MessageType.ERROR) {
          throw fromWireError(decodeJsonBody(message));
        } else {
          throw new FerryError("protocol", `Unexpected message type ${message.type} in a download`);
        }
      }
    } catch (error) {
      this.#cancel(id);
      throw error;
    } finally {
      this.#queues.delete(id);
    }
  }

  /**
   * Uploads a file. `readable` must yield the whole file from byte 0: when
   * the server resumes a partial upload, the bytes before its offset are
   * hashed but not sent.
   *
   * @param readable The file's bytes (a BYOB-capable byte stream).
   * @param path The remote path.
   * @param options Size and policy.
   */
  async upload(
    readable: ReadableStream<Uint8Array>,
    path: string,
    options: UploadOptions,
  ): Promise<TransferResult> {
    const { id } = this.#start({
      op: "put",
      path,
      size: options.size,
      force: options.force ?? false,
      resume: options.resume ?? false,
      ...(options.rename ? { rename: true } : {}),
      ...(options.compress ? { compress: true } : {}),
      ...(options.mtime === undefined ? {} : { mtime: Math.max(0, Math.round(options.mtime)) }),
    });
    try {
      let offset: number;
      try {
        ({ offset } = await this.#expectReply(id) as { offset: number });
      } catch (error) {
        await readable.cancel().catch(() => {});
        throw error;
      }
      const stop = new AbortController();
      const sent = sendDataStream((message) => this.#channel.send(message), id, readable, {
        offset,
        signal: stop.signal,
        onProgress: (done) => options.onProgress?.(done, options.size),
        ...(options.compress ? { compressor: new ChunkCompressor() } : {}),
      });
      const replied = this.#expectReply(id);
      replied.catch((error) => stop.abort(error));
      try {
        const [end, reply] = await Promise.all([sent, replied]);
        const done = reply as { entry: Entry; path?: string };
        return {
          entry: done.entry,
          path: done.path ?? path,
          sha256: end.sha256,
          offset,
          wireBytes: end.wireBytes,
        };
      } catch (error) {
        this.#cancel(id);
        await Promise.allSettled([sent, replied]);
        throw error;
      }
    } finally {
      this.#queues.delete(id);
    }
  }

  /** Says `BYE`, waits for the answer, and closes the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        this.#simple({ op: "bye" }),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 2000);
        }),
      ]);
    } catch {
      // the server may already be gone
    } finally {
      clearTimeout(timer);
    }
    this.#closed = true;
    await this.#channel.close();
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    await this.#pumping;
  }
}
