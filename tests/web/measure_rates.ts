/// <reference lib="dom" />
/// <reference lib="deno.ns" />
/**
 * Measures a file's upload and download rate through the web client in
 * headless chromium against the CLI (`ferry put` / `ferry get`), on one
 * ferryd, interleaved (web up, CLI up, web down, CLI down, per round) so
 * that a loaded machine's swings hit both alike. Not a test: run it by hand.
 *
 * ```
 * deno run -A tests/web/measure_rates.ts [--mib 1024] [--rounds 2]
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import puppeteer from "puppeteer-core";
import { addUser } from "../harness/ferryd_process.ts";
import { runFerry } from "../harness/ferry_process.ts";
import { ensureChromium } from "./_chromium.ts";
import {
  chooseFiles,
  fileSha256,
  login,
  MIB,
  uploadOutcome,
  waitFor,
  writeRandomFile,
} from "./_page.ts";
import { startWebFerryd } from "./_web_ferryd.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { mib: { type: "string", default: "1024" }, rounds: { type: "string", default: "2" } },
});
const size = Number(values.mib) * MIB;
const rounds = Number(values.rounds);
const chromium = await ensureChromium();
const dataDir = await Deno.makeTempDir({ prefix: "ferry-web-rate-" });
const work = await Deno.makeTempDir({ prefix: "ferry-web-rate-work-" });
const downloads = `${work}/downloads`;
await Deno.mkdir(downloads);
const password = "rate-secret";
await addUser(dataDir, "alice", password);
const server = await startWebFerryd(dataDir);
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const rates: Record<string, number[]> = {
  "web put": [],
  "cli put": [],
  "web get": [],
  "cli get": [],
};
const mbps = (ms: number): number => Math.round(size / 1e6 / (ms / 1000));
try {
  const source = `${work}/file.bin`;
  const sha = await writeRandomFile(source, size, 3);
  const page = await browser.newPage();
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  await login(page, server.url, "alice", password);
  await page.waitForSelector("#app:not([hidden])");
  const cli = { server: `127.0.0.1:${server.port}`, cwd: work, user: "alice", password };
  for (let round = 0; round < rounds; round++) {
    await Deno.remove(`${dataDir}/files/file.bin`).catch(() => {});
    let started = performance.now();
    await chooseFiles(page, [source]);
    const outcome = await uploadOutcome(page, "file.bin", 30 * 60_000);
    if (outcome.sha256 !== sha) throw new Error(`web put: ${outcome.status}`);
    rates["web put"]!.push(mbps(performance.now() - started));

    started = performance.now();
    const put = await runFerry(["put", "-f", "file.bin", "cli.bin"], cli);
    if (put.code !== 0) throw new Error(`ferry put: ${put.stderr}`);
    rates["cli put"]!.push(mbps(performance.now() - started));

    await page.reload();
    await page.waitForSelector('#entries tr[data-name="file.bin"] a');
    started = performance.now();
    await page.click('#entries tr[data-name="file.bin"] a');
    const target = `${downloads}/file.bin`;
    await waitFor("the download", async () => {
      const info = await Deno.stat(target).catch(() => undefined);
      const names = (await Array.fromAsync(Deno.readDir(downloads))).map((entry) => entry.name);
      return info?.size === size && !names.some((name) => name.endsWith(".crdownload"))
        ? true
        : undefined;
    }, 30 * 60_000);
    rates["web get"]!.push(mbps(performance.now() - started));
    if (await fileSha256(target) !== sha) throw new Error("web get: the SHA-256 differs");
    await Deno.remove(target);

    started = performance.now();
    const get = await runFerry(["get", "-f", "cli.bin", "back.bin"], cli);
    if (get.code !== 0) throw new Error(`ferry get: ${get.stderr}`);
    rates["cli get"]!.push(mbps(performance.now() - started));
    await Deno.remove(`${work}/back.bin`);
    await Deno.remove(`${dataDir}/files/cli.bin`);
  }
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  // deno-lint-ignore no-console
  console.log(JSON.stringify({ mib: size / MIB, rounds, loadavg: load, mbPerSecond: rates }));
} finally {
  await browser.close();
  await server[Symbol.asyncDispose]();
  await Deno.remove(work, { recursive: true });
  await Deno.remove(dataDir, { recursive: true });
}
