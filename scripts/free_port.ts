/**
 * A free TCP port, for the servers the scripts and tests start that must be
 * given one (a private sshd, a Ceph monitor, a plain pipe); ferryd itself
 * starts on port 0 and says which port it got. The tests import it from here
 * (tests may import `scripts/`; `tests/harness/` may not).
 *
 * @module
 */

/**
 * Finds a free TCP port. The port is free when asked, not reserved: another
 * process may take it first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { freePort } from "./free_port.ts";
 * const port = freePort();
 * assert.ok(port > 0 && port < 65536);
 * using listener = Deno.listen({ hostname: "127.0.0.1", port });
 * assert.equal((listener.addr as Deno.NetAddr).port, port);
 * ```
 *
 * @param hostname The address to listen on; `127.0.0.1` by default.
 * @returns The port.
 */
export function freePort(hostname = "127.0.0.1"): number {
  using listener = Deno.listen({ hostname, port: 0 });
  return (listener.addr as Deno.NetAddr).port;
}
