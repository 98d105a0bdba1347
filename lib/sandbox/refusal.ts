/**
 * The client's sandbox rule in words. When Deno refuses an operation
 * (`Deno.errors.NotCapable`), ferry says which rule was broken, instead of
 * Deno's "run again with the --allow-read flag" (advice a compiled binary
 * cannot take) or a stack trace.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import type { ClientSandboxConfig } from "./permission_flags.ts";

/*
 * Deno's grant belongs to the whole process, so its description does too:
 * the command line records it once at start, and every layer that touches a
 * local file can explain a refusal without carrying the folders around.
 */
let current: ClientSandboxConfig | undefined;

/**
 * Records the client's sandbox, for {@linkcode explainRefusal}.
 *
 * @param config The grant the client checked at start, or `undefined` to forget it.
 */
export function recordClientSandbox(config: ClientSandboxConfig | undefined): void {
  current = config;
}

function findRefusal(error: unknown): Deno.errors.NotCapable | undefined {
  let seen = error;
  for (let depth = 0; seen instanceof Error && depth < 4; depth++) {
    if (seen instanceof Deno.errors.NotCapable) return seen;
    seen = seen.cause;
  }
  return undefined;
}

/**
 * The rule for local files, as a sentence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { folderRule } from "./refusal.ts";
 * const rule = folderRule({ workDir: "/w", stateDir: "/s", server: "h:1" });
 * assert.ok(rule.includes('working folder "/w"'));
 * ```
 */
export function folderRule(config: ClientSandboxConfig): string {
  return `ferry may only read and write files in its working folder "${config.workDir}" ` +
    `and its state folder "${config.stateDir}"`;
}

/**
 * Explains a refusal by Deno's sandbox as the client's rule.
 *
 * @param error Anything caught; its `cause` chain is searched too.
 * @param path The local path of the operation, when the caller knows it
 *   (else the one in Deno's message).
 * @returns A {@linkcode FerryError} naming the rule (exit code 1), or
 *   `undefined` when `error` is no refusal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explainRefusal, recordClientSandbox } from "./refusal.ts";
 * recordClientSandbox({ workDir: "/w", stateDir: "/s", server: "h:1" });
 * const error = new Deno.errors.NotCapable('Requires read access to "/etc/passwd"');
 * assert.match(explainRefusal(error)?.message ?? "", /^Cannot read "\/etc\/passwd": /);
 * ```
 */
export function explainRefusal(error: unknown, path?: string): FerryError | undefined {
  const refusal = findRefusal(error);
  if (refusal === undefined) return undefined;
  const match = /^Requires (\w+) access(?: to "(.*)")?/.exec(refusal.message);
  const kind = match?.[1] ?? "a permission";
  const target = path ?? match?.[2];
  const what = target === undefined ? "" : ` "${target}"`;
  const options = { cause: refusal };
  if (kind === "read" || kind === "write") {
    const rule = current ? folderRule(current) : "ferry's sandbox does not allow it";
    return new FerryError("local_io", `Cannot ${kind}${what}: ${rule}`, options);
  }
  if (kind === "net") {
    const rule = current
      ? `ferry may only connect to its server "${current.server}"`
      : "ferry's sandbox does not allow it";
    return new FerryError("usage", `Cannot connect to${what}: ${rule}`, options);
  }
  return new FerryError(
    "usage",
    `Cannot use ${kind}${what}: ferry's sandbox does not allow it`,
    options,
  );
}
