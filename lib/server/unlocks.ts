/**
 * Ending a login lock-out without a restart. The throttle lives in
 * ferryd's memory, so `user unlock NAME` (or `--address ADDRESS`) writes
 * the unlock to `unlocks.json` in the server state (`DATA/state`, or the
 * bucket with `--storage s3`, where every ferryd on it sees it), and a
 * server looks at that file when a login is throttled (only then: an
 * unthrottled login costs nothing) and forgets the failures recorded
 * before the unlock:
 *
 * ```json
 * { "version": 1, "unlocks": { "user \"alice\"": 1764752400000, "address 203.0.113.7": 1764752460000 } }
 * ```
 *
 * Keys are the throttle's (`user "NAME"`, `address ADDRESS`), values the
 * time of the unlock in ms since the epoch. Unlocks older than a lock-out
 * can end nothing and are dropped when the next one is written.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import type { StateStore } from "../storage/state_store.ts";
import type { LoginThrottle } from "./login_throttle.ts";

export { addressKey, userKey } from "./login_throttle.ts";

/** The name of the unlocks file in the server state. */
export const UNLOCKS_FILE = "unlocks.json";

type Unlocks = Record<string, number>;

function parseUnlocks(bytes: Uint8Array | undefined): Unlocks {
  if (bytes === undefined) return {};
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes));
    const unlocks = parsed?.version === 1 ? parsed.unlocks : undefined;
    if (typeof unlocks !== "object" || unlocks === null) return {};
    return Object.fromEntries(
      Object.entries(unlocks).filter(([, at]) => typeof at === "number"),
    ) as Unlocks;
  } catch {
    return {}; // a damaged file unlocks nothing
  }
}

/**
 * Records an unlock of `key` now (the operator's side).
 *
 * @param store The server state.
 * @param key From `userKey` or `addressKey`.
 * @param keepMs Unlocks older than this are dropped (the lock-out length).
 * @throws {FerryError} `busy` when other writers kept changing the file.
 */
export async function recordUnlock(store: StateStore, key: string, keepMs: number): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const stored = await store.read(UNLOCKS_FILE);
    const now = Date.now();
    const kept = Object.entries(parseUnlocks(stored?.bytes)).filter(([, at]) => now - at < keepMs);
    const unlocks = { ...Object.fromEntries(kept), [key]: now };
    const bytes = new TextEncoder().encode(
      JSON.stringify({ version: 1, unlocks }, null, 2) + "\n",
    );
    if (await store.replace(UNLOCKS_FILE, bytes, stored?.version)) return;
  }
  throw new FerryError("busy", `Cannot change "${store.describe(UNLOCKS_FILE)}": it kept changing`);
}

/** The server's side: applies the unlocks file to the throttle. */
export class UnlockWatcher {
  #store: StateStore;
  #version: string | undefined;
  #unlocks: Unlocks = {};

  /** @param store The server state. */
  constructor(store: StateStore) {
    this.#store = store;
  }

  /**
   * Reads the file if it changed, and makes `throttle` forget the failures
   * of `keys` recorded before their unlock.
   *
   * @returns Whether anything was forgotten.
   */
  async apply(throttle: LoginThrottle, keys: string[]): Promise<boolean> {
    try {
      const stored = this.#version === undefined
        ? await this.#store.read(UNLOCKS_FILE)
        : await this.#store.readIfChanged(UNLOCKS_FILE, this.#version);
      if (stored !== "unchanged") {
        this.#unlocks = parseUnlocks(stored?.bytes);
        this.#version = stored?.version;
      }
    } catch {
      // The state cannot be read now: the throttle stands, as without unlocks.
    }
    let forgot = false;
    for (const key of keys) {
      const at = this.#unlocks[key];
      if (at !== undefined && throttle.forgetBefore(key, at)) forgot = true;
    }
    return forgot;
  }
}
