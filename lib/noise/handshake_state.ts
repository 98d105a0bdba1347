/**
 * The Noise HandshakeState object: runs a handshake pattern token by token.
 *
 * Spec: https://noiseprotocol.org/noise.html (section 5.3 "The HandshakeState object").
 *
 * The protocol name is `Noise_<pattern>_25519_<cipher>_SHA256`. Every failure
 * a peer can cause is a `FerryError` with code `"protocol"` whose message
 * names the handshake message and step, e.g. `Handshake message 2 failed at
 * token "s": ...`. After such a failure the state refuses further use.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import {
  type HandshakeKeys,
  readTokens,
  type TokenContext,
  writeTokens,
} from "./_handshake_tokens.ts";
import type { CipherFunctions } from "./cipher_functions.ts";
import type { CipherState } from "./cipher_state.ts";
import type { KeyPair } from "./dh.ts";
import {
  HANDSHAKE_PATTERNS,
  type HandshakePattern,
  type HandshakePatternName,
  minMessageLength,
  type Token,
  usesLocalStatic,
} from "./handshake_patterns.ts";
import { SymmetricState } from "./symmetric_state.ts";

/** The largest Noise message, handshake or transport, in bytes. */
export const MAX_MESSAGE_LEN = 65535;

/** Options of {@linkcode HandshakeState.initialize}. */
export interface HandshakeStateOptions {
  /** The handshake pattern. */
  pattern: HandshakePatternName;
  /** `true` for the initiator, `false` for the responder. */
  initiator: boolean;
  /** Data both sides must agree on, mixed into `h` before the first message. */
  prologue: Uint8Array;
  /** The local static key pair; required when the pattern sends or uses it (XX). */
  s?: KeyPair;
  /** A fixed ephemeral key pair, for test vectors only. @default {a fresh key pair per handshake} */
  e?: KeyPair;
  /** The cipher functions: `CHACHA_POLY` for ferry, `AES_GCM` for vectors. */
  cipher: CipherFunctions;
}

/**
 * A HandshakeState for one side of a handshake.
 *
 * @example An NN handshake
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHACHA_POLY } from "./cipher_functions.ts";
 * import { HandshakeState } from "./handshake_state.ts";
 * const options = { pattern: "NN", prologue: new Uint8Array(), cipher: CHACHA_POLY } as const;
 * const alice = new HandshakeState({ ...options, initiator: true });
 * const bob = new HandshakeState();
 * bob.initialize({ ...options, initiator: false });
 * await bob.readMessage(await alice.writeMessage(new Uint8Array()));
 * await alice.readMessage(await bob.writeMessage(new Uint8Array()));
 * assert.deepEqual(alice.getHandshakeHash(), bob.getHandshakeHash());
 * ```
 */
export class HandshakeState {
  #symmetricState: SymmetricState | undefined;
  #pattern: HandshakePattern = HANDSHAKE_PATTERNS.NN;
  #initiator = false;
  #keys: HandshakeKeys = { s: undefined, e: undefined, rs: undefined, re: undefined };
  #messageIndex = 0;
  #failed = false;
  #cipherStates: [CipherState, CipherState] | undefined;

  /**
   * @param options When given, {@linkcode HandshakeState.initialize} is called with them.
   */
  constructor(options?: HandshakeStateOptions) {
    if (options !== undefined) this.initialize(options);
  }

  /**
   * Initialize(handshake_pattern, initiator, prologue, s, e): starts a new
   * handshake, discarding any previous one.
   *
   * @param options The pattern, role, prologue, keys and cipher.
   * @throws {TypeError} When the pattern is unknown or `s` is missing but needed.
   */
  initialize(options: HandshakeStateOptions): void {
    const pattern = HANDSHAKE_PATTERNS[options.pattern];
    if (pattern === undefined) {
      throw new TypeError(`Cannot initialize handshake: unknown pattern "${options.pattern}"`);
    }
    if (options.s === undefined && usesLocalStatic(pattern, options.initiator)) {
      throw new TypeError(`Cannot initialize handshake ${pattern.name}: "s" is required`);
    }
    const symmetricState = new SymmetricState(options.cipher);
    symmetricState.initializeSymmetric(`Noise_${pattern.name}_25519_${options.cipher.name}_SHA256`);
    symmetricState.mixHash(options.prologue);
    this.#symmetricState = symmetricState;
    this.#pattern = pattern;
    this.#initiator = options.initiator;
    this.#keys = { s: options.s, e: options.e, rs: undefined, re: undefined };
    this.#cipherStates = undefined;
    this.#messageIndex = 0;
    this.#failed = false;
  }

  /**
   * WriteMessage(payload, message_buffer).
   *
   * @param payload The payload to send with this message.
   * @returns The message to send.
   * @throws {FerryError} With code `"protocol"` when it is not our turn or a step fails.
   * @throws {RangeError} When the message would exceed {@linkcode MAX_MESSAGE_LEN}.
   */
  async writeMessage(payload: Uint8Array): Promise<Uint8Array> {
    const [state, tokens, n] = this.#begin(true);
    const length = minMessageLength(tokens, state.hasKey()) + payload.length;
    if (length > MAX_MESSAGE_LEN) {
      throw new RangeError(`Cannot write handshake message ${n} of ${length} bytes: too long`);
    }
    const context = this.#context(state);
    try {
      const message = new Uint8Array(length);
      const offset = await writeTokens(context, tokens, message);
      message.set(state.encryptAndHash(payload), offset);
      this.#advance(state);
      return message;
    } catch (error) {
      throw this.#fail(n, context.step, error);
    }
  }

  /**
   * ReadMessage(message, payload_buffer).
   *
   * @param message The message received.
   * @returns The payload it carried.
   * @throws {FerryError} With code `"protocol"` when it is not our turn, the
   * message has the wrong length, or a step (DH, decryption) fails.
   */
  async readMessage(message: Uint8Array): Promise<Uint8Array> {
    const [state, tokens, n] = this.#begin(false);
    const minLength = minMessageLength(tokens, state.hasKey());
    if (message.length < minLength || message.length > MAX_MESSAGE_LEN) {
      this.#failed = true;
      throw new FerryError(
        "protocol",
        `Handshake message ${n} has ${message.length} bytes: expected ${minLength} to ${MAX_MESSAGE_LEN}`,
      );
    }
    const context = this.#context(state);
    try {
      const offset = await readTokens(context, tokens, message);
      const payload = state.decryptAndHash(message.slice(offset));
      this.#advance(state);
      return payload;
    } catch (error) {
      throw this.#fail(n, context.step, error);
    }
  }

  /**
   * Tells whether every handshake message has been written or read.
   *
   * @returns `true` once {@linkcode HandshakeState.split} may be called.
   */
  isComplete(): boolean {
    return this.#cipherStates !== undefined;
  }

  /**
   * Split(): the transport CipherStates, available once the handshake is complete.
   * Both sides get the same pair; each call returns the same objects.
   *
   * @returns `[c1, c2]`: c1 encrypts initiator to responder, c2 responder to initiator.
   * @throws {FerryError} With code `"protocol"` when the handshake is not complete.
   */
  split(): [CipherState, CipherState] {
    if (this.#cipherStates === undefined) {
      const total = this.#pattern.messagePatterns.length;
      throw new FerryError(
        "protocol",
        `Cannot split: the handshake is not complete (${this.#messageIndex} of ${total} messages)`,
      );
    }
    return this.#cipherStates;
  }

  /**
   * The remote party's static public key `rs`, once a message carried it.
   *
   * @returns A copy of `rs`, or `undefined` before it was received.
   */
  remoteStaticPublicKey(): Uint8Array | undefined {
    const rs = this.#keys.rs;
    return rs === undefined ? undefined : new Uint8Array(rs);
  }

  /**
   * GetHandshakeHash(): `h`, final and equal on both sides once the handshake
   * is complete; meant for channel binding.
   *
   * @returns A copy of `h`.
   * @throws {TypeError} When the state was never initialized.
   */
  getHandshakeHash(): Uint8Array {
    return this.#state().getHandshakeHash();
  }

  #state(): SymmetricState {
    if (this.#symmetricState === undefined) {
      throw new TypeError("Cannot use handshake state: initialize() was not called");
    }
    return this.#symmetricState;
  }

  #begin(write: boolean): [SymmetricState, readonly Token[], number] {
    const state = this.#state();
    const n = this.#messageIndex + 1;
    const action = `Handshake message ${n} cannot be ${write ? "written" : "read"}`;
    const tokens = this.#pattern.messagePatterns[this.#messageIndex];
    if (this.#failed) throw new FerryError("protocol", `${action}: an earlier step failed`);
    if (tokens === undefined) throw new FerryError("protocol", `${action}: handshake is complete`);
    const ours = (this.#messageIndex % 2 === 0) === this.#initiator;
    if (ours !== write) {
      const role = this.#initiator ? "initiator" : "responder";
      const verb = ours ? "write" : "read";
      throw new FerryError("protocol", `${action} by the ${role}: the ${role} must ${verb} it`);
    }
    return [state, tokens, n];
  }

  #context(symmetricState: SymmetricState): TokenContext {
    return { symmetricState, initiator: this.#initiator, keys: this.#keys, step: "payload" };
  }

  #advance(state: SymmetricState): void {
    this.#messageIndex++;
    if (this.#messageIndex < this.#pattern.messagePatterns.length) return;
    this.#cipherStates = state.split();
    this.#keys.e = undefined; // The ephemeral private key is no longer needed.
  }

  #fail(n: number, step: string, error: unknown): FerryError {
    this.#failed = true;
    const detail = error instanceof Error ? error.message : String(error);
    const lowered = detail.charAt(0).toLowerCase() + detail.slice(1);
    return new FerryError("protocol", `Handshake message ${n} failed at ${step}: ${lowered}`, {
      cause: error,
    });
  }
}
