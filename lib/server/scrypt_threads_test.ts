import assert from "node:assert/strict";
import { deriveKey } from "./password_hash.ts";
import { ScryptThreads } from "./scrypt_threads.ts";

const COST = { n: 1024, r: 8, p: 1 };

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("ScryptThreads - derive the same keys as scrypt, at most `size` threads, retired when quiet", async () => {
  const threads = new ScryptThreads(2, 100);
  try {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const keys = await Promise.all(
      ["a", "b", "c", "\u00e9"].map((password) => threads.derive(password, salt, COST)),
    );
    assert.ok(threads.threads <= 2);
    for (const [i, password] of ["a", "b", "c", "e\u0301"].entries()) {
      // NFC: "e" + combining acute is the same password as "é".
      assert.deepEqual(keys[i], await deriveKey(password, salt, COST), password);
    }
    await until(() => threads.threads === 0, 5000, "the threads to retire");
    // A check after that starts a thread again.
    assert.deepEqual(await threads.derive("a", salt, COST), keys[0]);
    assert.equal(threads.threads, 1);
  } finally {
    threads.close();
  }
});
