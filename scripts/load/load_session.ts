/**
 * One session of the load tool: login, put, get verified, list; and what
 * became of it.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { FerryClient } from "../../lib/client/ferry_client.ts";
import { FerryError } from "../../lib/core/errors.ts";
import { memoryByteSource } from "../../lib/core/byte_source.ts";

/**
 * How a session ended: `ok`, `busy` (the server said so), `silent` (the
 * connection ended with no answer: what must never happen) or `error`
 * (any other answer).
 */
export type Outcome = "ok" | "busy" | "silent" | "error";

/** The record of one session. */
export interface SessionResult {
  /** How it ended. */
  outcome: Outcome;
  /** Milliseconds from connect to logged in (`NaN` when the login failed). */
  loginMs: number;
  /** Milliseconds from connect to the end of the last step (or the failure). */
  totalMs: number;
  /** The step that failed and why, when it did. */
  reason?: string;
}

/** Where and as whom a session connects. */
export interface SessionTarget {
  /** Host of the server (or of a relay in front of it). */
  hostname: string;
  /** Its port. */
  port: number;
  /** User name. */
  user: string;
  /** Password. */
  password: string;
}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof FerryError) {
    if (error.code === "busy") return "busy";
    if (error.code === "network" || error.code === "protocol") return "silent";
    return "error";
  }
  return error instanceof Deno.errors.ConnectionReset ||
      error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.UnexpectedEof
    ? "silent"
    : "error";
}

/** Connects to `target`, accepting any host key (the tool started the server itself). */
export function connectTo(target: SessionTarget): Promise<FerryClient> {
  return FerryClient.connect({ ...target, verifyServerKey: async () => {} });
}

/**
 * Runs one session: login, put `name` with `bytes`, get it back and compare,
 * list the root and find it there.
 */
export async function runLoadSession(
  target: SessionTarget,
  name: string,
  bytes: Uint8Array,
): Promise<SessionResult> {
  const started = performance.now();
  let loginMs = NaN;
  let step = "login";
  let client: FerryClient | undefined;
  try {
    client = await connectTo(target);
    loginMs = performance.now() - started;
    step = "put";
    await client.upload(memoryByteSource(bytes), name, { size: bytes.byteLength, force: true });
    step = "get";
    const hash = createHash("sha256");
    const result = await client.download(name, (chunk) => {
      hash.update(chunk);
      return Promise.resolve();
    });
    if (result.sha256 !== createHash("sha256").update(bytes).digest("hex")) {
      throw new FerryError("integrity", `Cannot verify "${name}": it came back different`);
    }
    step = "list";
    const entries = await client.list("");
    if (!entries.some((entry) => entry.name === name)) {
      throw new FerryError("not_found", `Cannot find "${name}" in the listing`);
    }
    step = "bye";
    await client.close();
    client = undefined;
    return { outcome: "ok", loginMs, totalMs: performance.now() - started };
  } catch (error) {
    await client?.close().catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    return {
      outcome: outcomeOf(error),
      loginMs,
      totalMs: performance.now() - started,
      reason: `${step}: ${message}`,
    };
  }
}
