/**
 * The client's `known_hosts` file: the server keys it has accepted, one per
 * line, in OpenSSH's layout: `[host]:port ferry-x25519 <base64 key>`.
 * Blank lines and `#` comments are kept and ignored.
 *
 * @module
 */

import { Buffer } from "node:buffer";

/** The key type written in the second column. */
export const KEY_TYPE = "ferry-x25519";

/** What the file says about a host's key. */
export type HostKeyStatus =
  | { status: "known" }
  | { status: "unknown" }
  | { status: "changed"; line: number };

/**
 * Names a server the way the file does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostId } from "./known_hosts.ts";
 * assert.equal(hostId("127.0.0.1", 7878), "[127.0.0.1]:7878");
 * ```
 */
export function hostId(hostname: string, port: number): string {
  return `[${hostname}]:${port}`;
}

/** One `known_hosts` file. */
export class KnownHosts {
  /** The file's path. */
  readonly path: string;

  /** @param path The file; it need not exist yet. */
  constructor(path: string) {
    this.path = path;
  }

  async #lines(): Promise<string[]> {
    try {
      return (await Deno.readTextFile(this.path)).split("\n");
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
  }

  /**
   * Looks a host's key up. A host is known when any of its lines has the
   * key; it has changed when it has lines and none has the key.
   *
   * @param host A {@linkcode hostId}.
   * @param key The raw public key the server presented.
   */
  async check(host: string, key: Uint8Array): Promise<HostKeyStatus> {
    const wanted = Buffer.from(key).toString("base64");
    let firstOther = 0;
    const lines = await this.#lines();
    for (const [index, line] of lines.entries()) {
      const [names, type, value] = line.trim().split(/\s+/);
      if (!names || names.startsWith("#") || type !== KEY_TYPE) continue;
      if (!names.split(",").includes(host)) continue;
      if (value === wanted) return { status: "known" };
      firstOther ||= index + 1;
    }
    return firstOther ? { status: "changed", line: firstOther } : { status: "unknown" };
  }

  /** Appends a host's key, creating the file (mode 0600) and its folder. */
  async add(host: string, key: Uint8Array): Promise<void> {
    const folder = this.path.slice(0, this.path.lastIndexOf("/"));
    if (folder) await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
    const line = `${host} ${KEY_TYPE} ${Buffer.from(key).toString("base64")}\n`;
    await Deno.writeTextFile(this.path, line, { append: true, mode: 0o600 });
  }
}
