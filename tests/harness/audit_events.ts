/**
 * Reads a server's audit log for assertions.
 *
 * @module
 */

/** Every event of `DATA/state/audit.log`; fails if a line is not JSON. */
export async function auditEvents(dataDir: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(`${dataDir}/state/audit.log`);
  return text.trim().split("\n").map((line) => JSON.parse(line));
}
