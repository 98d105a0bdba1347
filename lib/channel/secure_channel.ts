/**
 * The encrypted transport after the handshake: ferry's record layer
 * (protocol 2). One record per frame, sealed as a Noise transport message
 * with the handshake's split cipher states (same keys, same counter nonces,
 * empty associated data), but up to 256 KiB of plaintext instead of Noise's
 * 64 KiB: fewer, larger records cost less per byte (docs/PROTOCOL.md "Records").
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import type { CipherState } from "../noise/mod.ts";
import type { FrameReader } from "../wire/frame_reader.ts";
import type { FrameWriter } from "../wire/frame_writer.ts";
import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from "../wire/limits.ts";

/** Bytes of the AEAD tag on every transport message. */
export const TAG_BYTES = 16;

/**
 * Records of at least this many plaintext bytes are sealed into a reused
 * frame buffer (bulk `DATA`); smaller ones (requests, replies) into a new
 * array of their own size.
 */
export const POOLED_RECORD_MIN_BYTES = 16 * 1024;

/** Spare frame buffers a channel keeps: the one being written and the one being sealed. */
const POOLED_FRAMES = 2;

/** The largest frame body after the handshake: one sealed record. */
export const MAX_RECORD_BYTES = MAX_FRAME_BYTES;

/** The largest plaintext one record carries. */
export const MAX_PLAINTEXT_BYTES = MAX_RECORD_BYTES - TAG_BYTES;

const EMPTY = new Uint8Array(0);

/**
 * An authenticated, encrypted, ordered message channel.
 *
 * A bad tag, a replayed, reordered or dropped frame all fail decryption and
 * end the channel: there is no way to skip a message.
 */
export class SecureChannel {
  #reader: FrameReader;
  #writer: FrameWriter;
  #sendCipher: CipherState;
  #receiveCipher: CipherState;
  /** Full-size frame buffers free for the next large record. */
  #spareFrames: Uint8Array[] = [];

  /**
   * @param reader Frames from the peer.
   * @param writer Frames to the peer.
   * @param sendCipher The cipher state for what this side sends.
   * @param receiveCipher The cipher state for what the peer sends.
   */
  constructor(
    reader: FrameReader,
    writer: FrameWriter,
    sendCipher: CipherState,
    receiveCipher: CipherState,
  ) {
    this.#reader = reader;
    this.#writer = writer;
    this.#sendCipher = sendCipher;
    this.#receiveCipher = receiveCipher;
  }

  /**
   * Encrypts and queues one message. Encryption happens synchronously, before
   * the frame is queued, so concurrent callers keep nonce order on the wire.
   *
   * @param plaintext At most {@linkcode MAX_PLAINTEXT_BYTES}.
   * @returns A promise that settles when the frame was handed to the socket.
   */
  send(plaintext: Uint8Array): Promise<void> {
    if (plaintext.byteLength > MAX_PLAINTEXT_BYTES) {
      throw new RangeError(
        `Cannot send message of ${plaintext.byteLength} bytes: the limit is ${MAX_PLAINTEXT_BYTES}`,
      );
    }
    if (plaintext.byteLength < POOLED_RECORD_MIN_BYTES) {
      return this.#writer.writeInPlace(
        this.#sendCipher.encryptWithAd(EMPTY, plaintext, FRAME_HEADER_BYTES),
      );
    }
    const buffer = this.#spareFrames.pop() ?? new Uint8Array(FRAME_HEADER_BYTES + MAX_RECORD_BYTES);
    const frame = this.#sendCipher.encryptWithAd(EMPTY, plaintext, FRAME_HEADER_BYTES, buffer);
    const written = this.#writer.writeInPlace(frame);
    // The sink has taken the frame once `written` settles: the buffer is free again.
    written.then(() => {
      if (this.#spareFrames.length < POOLED_FRAMES) this.#spareFrames.push(buffer);
    }, () => {});
    return written;
  }

  /**
   * Receives and decrypts the next message.
   *
   * @returns The plaintext (a new array), or `null` when the peer closed.
   * @throws {FerryError} `protocol` when a frame fails authentication.
   */
  async receive(): Promise<Uint8Array | null> {
    const frame = await this.#reader.read();
    if (frame === null) return null;
    if (frame.byteLength < TAG_BYTES) {
      throw new FerryError("protocol", `Cannot decrypt frame of ${frame.byteLength} bytes`);
    }
    return this.#receiveCipher.decryptWithAd(EMPTY, frame);
  }

  /**
   * Resolves once at most `bytes` of frames wait to be taken by the socket
   * (see {@linkcode FrameWriter.backlogBelow}): a reader that waits for it
   * before reading on stops a peer that sends without reading.
   */
  sendBacklogBelow(bytes: number): Promise<void> {
    return this.#writer.backlogBelow(bytes);
  }

  /** Flushes what was queued and closes the sending side. */
  async close(): Promise<void> {
    await this.#writer.close();
  }
}
