/**
 * The encrypted transport after the handshake: one Noise transport message
 * per frame, in each direction its own cipher state.
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
    return this.#writer.writeInPlace(
      this.#sendCipher.encryptWithAd(EMPTY, plaintext, FRAME_HEADER_BYTES),
    );
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
