/**
 * Polling helpers for tests that act at a moment (kill at 60%).
 *
 * @module
 */

/** Polls `condition` every 10 ms until it holds; fails after `ms`. */
export async function waitFor(
  condition: () => Promise<boolean>,
  ms: number,
  what = "condition",
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!await condition()) {
    if (performance.now() > deadline) {
      throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The size of a file, 0 when it does not exist. */
export async function sizeOf(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

/** Total size of the partial uploads of a data folder. */
export async function partialBytes(dataDir: string): Promise<number> {
  let total = 0;
  try {
    for await (const entry of Deno.readDir(`${dataDir}/state/partial`)) {
      if (entry.name.endsWith(".part")) {
        total += await sizeOf(`${dataDir}/state/partial/${entry.name}`);
      }
    }
  } catch {
    return 0;
  }
  return total;
}
