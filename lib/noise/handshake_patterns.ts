/**
 * The Noise handshake patterns ferry supports, as tables of tokens.
 *
 * Spec: https://noiseprotocol.org/noise.html (section 7 "Handshake patterns").
 *
 * Only patterns without pre-messages and without `psk` are listed; adding one
 * that has them (IK, NK, ...) needs pre-message support in `HandshakeState`.
 *
 * @module
 */

import { TAG_LEN } from "./cipher_functions.ts";
import { DHLEN } from "./dh.ts";

/** A token of a message pattern (spec section 7.1); `psk` is not supported. */
export type Token = "e" | "s" | "ee" | "es" | "se" | "ss";

/** The name of a supported handshake pattern. */
export type HandshakePatternName = "NN" | "XX";

/** A handshake pattern: the message patterns, alternating from the initiator. */
export interface HandshakePattern {
  /** The pattern name as it appears in the protocol name. */
  readonly name: HandshakePatternName;
  /** One token list per handshake message; even indexes are the initiator's. */
  readonly messagePatterns: readonly (readonly Token[])[];
}

/**
 * The supported patterns (spec section "Interactive handshake patterns (fundamental)").
 *
 * @example Count the messages of XX
 * ```ts
 * import assert from "node:assert/strict";
 * import { HANDSHAKE_PATTERNS } from "./handshake_patterns.ts";
 * assert.equal(HANDSHAKE_PATTERNS.XX.messagePatterns.length, 3);
 * ```
 */
export const HANDSHAKE_PATTERNS: Readonly<Record<HandshakePatternName, HandshakePattern>> = Object
  .freeze({
    // NN:
    //   -> e
    //   <- e, ee
    NN: { name: "NN", messagePatterns: [["e"], ["e", "ee"]] },
    // XX:
    //   -> e
    //   <- e, ee, s, es
    //   -> s, se
    XX: { name: "XX", messagePatterns: [["e"], ["e", "ee", "s", "es"], ["s", "se"]] },
  });

/**
 * The length of a handshake message with an empty payload: 32 bytes per `e`,
 * 32 (+16 once keyed) per `s`, and a 16-byte payload tag once keyed.
 *
 * @example The second XX message
 * ```ts
 * import assert from "node:assert/strict";
 * import { HANDSHAKE_PATTERNS, minMessageLength } from "./handshake_patterns.ts";
 * const [, second = []] = HANDSHAKE_PATTERNS.XX.messagePatterns;
 * assert.equal(minMessageLength(second, false), 32 + 48 + 16);
 * ```
 *
 * @param tokens The message pattern.
 * @param hasKey Whether the CipherState has a key before the message.
 * @returns The length in bytes.
 */
export function minMessageLength(tokens: readonly Token[], hasKey: boolean): number {
  let length = 0;
  let keyed = hasKey;
  for (const token of tokens) {
    if (token === "e") length += DHLEN;
    else if (token === "s") length += DHLEN + (keyed ? TAG_LEN : 0);
    else keyed = true; // Every DH token calls MixKey.
  }
  return length + (keyed ? TAG_LEN : 0);
}

/**
 * Tells whether one side of a pattern needs its static key pair `s`: it sends
 * `s`, or takes part in `ss` or the `es`/`se` that uses its `s`.
 *
 * @example Only XX needs static keys
 * ```ts
 * import assert from "node:assert/strict";
 * import { HANDSHAKE_PATTERNS, usesLocalStatic } from "./handshake_patterns.ts";
 * assert.equal(usesLocalStatic(HANDSHAKE_PATTERNS.XX, true), true);
 * assert.equal(usesLocalStatic(HANDSHAKE_PATTERNS.NN, false), false);
 * ```
 *
 * @param pattern The handshake pattern.
 * @param initiator The side: `true` for the initiator.
 * @returns `true` when that side needs `s`.
 */
export function usesLocalStatic(pattern: HandshakePattern, initiator: boolean): boolean {
  return pattern.messagePatterns.some((tokens, index) =>
    tokens.some((token) =>
      token === "ss" || token === (initiator ? "se" : "es") ||
      (token === "s" && (index % 2 === 0) === initiator)
    )
  );
}
