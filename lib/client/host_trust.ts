/**
 * Trust on first use, in SSH's words: ask on a new server key, refuse a
 * changed one loudly, always before any credential is sent.
 *
 * @module
 */

import { fingerprint } from "../channel/fingerprint.ts";
import { FerryError } from "../core/errors.ts";
import type { KnownHosts } from "./known_hosts.ts";

/** How to treat a key not yet in `known_hosts` (like `StrictHostKeyChecking`). */
export type TrustMode = "ask" | "accept-new" | "strict";

/** Options of {@linkcode verifyHostKey}. */
export interface VerifyHostKeyOptions {
  /** The `known_hosts` file. */
  knownHosts: KnownHosts;
  /** The server as `[host]:port`. */
  host: string;
  /** What to do with a new key. */
  mode: TrustMode;
  /**
   * Shows a question and returns the answer line; `null` when nobody can
   * answer (no terminal).
   */
  ask(question: string): Promise<string | null>;
  /** Shows a notice (stderr). */
  notify(text: string): void;
}

/**
 * Decides whether to trust `key` for `options.host`, asking the user and
 * recording the key when accepted.
 *
 * @throws {FerryError} `host_key_changed` or `host_key_unknown`.
 */
export async function verifyHostKey(key: Uint8Array, options: VerifyHostKeyOptions): Promise<void> {
  const { host, knownHosts } = options;
  const print = fingerprint(key);
  const found = await knownHosts.check(host, key);
  if (found.status === "known") return;
  if (found.status === "changed") {
    throw new FerryError(
      "host_key_changed",
      [
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
        "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @",
        "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
        "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!",
        "Someone could be eavesdropping on you right now (man-in-the-middle attack)!",
        "It is also possible that a host key has just been changed.",
        `The fingerprint for the key sent by the remote host is\n${print}.`,
        "Please contact your system administrator.",
        `Offending key in ${knownHosts.path}:${found.line}`,
        `Remove line ${found.line} of ${knownHosts.path} once you know the new key is right.`,
        options.mode === "strict"
          ? `Host key for ${host} has changed and you have requested strict checking.`
          : `Host key for ${host} has changed.`,
        "Host key verification failed.",
      ].join("\n"),
    );
  }
  if (options.mode === "strict") {
    throw new FerryError(
      "host_key_unknown",
      `No host key is known for ${host} and you have requested strict checking.\nHost key verification failed.`,
    );
  }
  if (options.mode === "ask") {
    let answer = await options.ask(
      `The authenticity of host '${host}' can't be established.\n` +
        `X25519 key fingerprint is: ${print}\n` +
        "This key is not known by any other names.\n" +
        "Are you sure you want to continue connecting (yes/no/[fingerprint])? ",
    );
    for (;;) {
      const reply = answer?.trim();
      if (reply === "yes" || reply === print) break;
      if (reply === undefined || reply === "no") {
        throw new FerryError(
          "host_key_unknown",
          answer === null
            ? `Cannot ask whether to trust ${host} (${print}): not a terminal. ` +
              "Pass --accept-new-host-key to trust it on first use.\nHost key verification failed."
            : "Host key verification failed.",
        );
      }
      answer = await options.ask("Please type 'yes', 'no' or the fingerprint: ");
    }
  }
  await knownHosts.add(host, key);
  options.notify(`Warning: Permanently added '${host}' (X25519) to the list of known hosts.\n`);
}
