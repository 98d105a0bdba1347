/// <reference lib="dom" />
/// <reference lib="deno.ns" />
/**
 * Helpers of the browser tests and the rate measurement: test files, and
 * the page driven through puppeteer (login, choosing files, an upload's
 * outcome).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { Page } from "puppeteer-core";

/** One MiB. */
export const MIB = 1024 * 1024;

/** Writes `size` pseudo-random bytes to `path` in 1 MiB pieces; returns their SHA-256. */
export async function writeRandomFile(path: string, size: number, seed: number): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const block = new Uint8Array(MIB);
  let x = seed >>> 0;
  for (let done = 0; done < size; done += block.byteLength) {
    const piece = block.subarray(0, Math.min(block.byteLength, size - done));
    for (let i = 0; i < piece.length; i++) {
      x = (x * 1664525 + 1013904223) >>> 0;
      piece[i] = x >>> 24;
    }
    hash.update(piece);
    for (let at = 0; at < piece.byteLength;) at += await file.write(piece.subarray(at));
  }
  return hash.digest("hex");
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function login(
  page: Page,
  url: string,
  user: string,
  password: string,
): Promise<void> {
  await page.goto(url);
  await page.waitForSelector("#login:not([hidden])");
  await page.type("#login-user", user);
  await page.type("#login-password", password);
  await page.click("#login-submit");
}

export async function listed(page: Page): Promise<string[]> {
  return await page.$$eval(
    "#entries tr",
    (rows) => rows.map((row) => (row as HTMLElement).dataset.name ?? ""),
  );
}

export async function chooseFiles(page: Page, paths: string[]): Promise<void> {
  const input = await page.$("#upload-input");
  assert.ok(input);
  await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(
    ...paths,
  );
}

/** The state and status text of the upload row of `name` once it is no longer running. */
export async function uploadOutcome(
  page: Page,
  name: string,
  ms = 60_000,
): Promise<{ state: string; status: string; sha256: string }> {
  return await waitFor(`the upload of ${name}`, () =>
    page.evaluate((name) => {
      const rows = Array.from(document.querySelectorAll<HTMLElement>("#upload-list li"))
        .filter((row) => row.dataset.name === name);
      const row = rows[rows.length - 1];
      if (
        !row || row.dataset.state === "running" || row.dataset.state === undefined
      ) return undefined;
      return {
        state: row.dataset.state,
        status: row.querySelector(".status")?.textContent ?? "",
        sha256: row.dataset.sha256 ?? "",
      };
    }, name), ms);
}
