/// <reference lib="dom" />
/// <reference lib="deno.ns" />
/**
 * The web client in a real browser: Debian's chromium, headless, driven by
 * puppeteer-core, against a real ferryd started with `--web` in its
 * sandbox. Installed by the setup when missing; when it cannot be, the
 * suite is ignored under a name that says so, and fails under `CI=true`
 * (or `FERRY_WEB_REQUIRED=1`).
 *
 * The listing's screenshot is saved to `FERRY_WEB_SCREENSHOT` (default: a
 * file in the temp folder); the test prints its path.
 *
 * @module
 */

import assert from "node:assert/strict";
import puppeteer, { type Browser } from "puppeteer-core";
import { addUser } from "../harness/ferryd_process.ts";
import { ChromiumUnavailableError, ensureChromium } from "./_chromium.ts";
import { startWebFerryd, type WebFerryd } from "./_web_ferryd.ts";
import {
  chooseFiles,
  fileSha256,
  listed,
  login,
  MIB,
  uploadOutcome,
  waitFor,
  writeRandomFile,
} from "./_page.ts";

const REQUIRED = Deno.env.get("CI") === "true" || Deno.env.get("FERRY_WEB_REQUIRED") === "1";
const HOSTILE = "<img src=x onerror=alert(1)>.txt";

let chromium: string | undefined;
let unavailable: string | undefined;
try {
  chromium = await ensureChromium();
} catch (error) {
  if (!(error instanceof ChromiumUnavailableError)) throw error;
  unavailable = error.message;
}

if (unavailable !== undefined && !REQUIRED) {
  Deno.test({
    name: `web client in chromium - !!! NOT RUN: ${unavailable} (CI=true fails instead)`,
    ignore: true,
    fn(): void {},
  });
} else {
  Deno.test("web client in chromium", async (t) => {
    if (unavailable !== undefined) throw new Error(`The browser suite is required: ${unavailable}`);
    const dataDir = await Deno.makeTempDir({ prefix: "ferry-web-browser-" });
    const work = await Deno.makeTempDir({ prefix: "ferry-web-work-" });
    const downloads = `${work}/downloads`;
    await Deno.mkdir(downloads);
    await addUser(dataDir, "ann", "ann-secret");
    await addUser(dataDir, "rob", "rob-secret", ["--read-only"]);
    await using server: WebFerryd = await startWebFerryd(dataDir, [
      "--login-base-delay-ms",
      "400",
      "--lockout-failures",
      "3",
    ]);
    assert.match(server.output(), /Web client on http:\/\/127\.0\.0\.1:\d+\/ \(plain HTTP/);
    const browser: Browser = await puppeteer.launch({
      executablePath: chromium as string,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    const dialogs: string[] = [];
    try {
      const page = await browser.newPage();
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const cdp = await page.createCDPSession();
      await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });

      await t.step("log in and see the (empty) root", async () => {
        await login(page, server.url, "ann", "ann-secret");
        await page.waitForSelector("#app:not([hidden])");
        assert.equal(await page.$eval("#who", (node) => node.textContent), "ann");
        assert.deepEqual(await listed(page), []);
      });

      const big = `${work}/big.bin`;
      const bigSha = await writeRandomFile(big, 50 * MIB, 1);
      await t.step(
        "upload 50 MiB with the progress bar moving; the server's SHA-256 shown",
        async () => {
          const seen = new Set<number>();
          await chooseFiles(page, [big]);
          const watching = (async () => {
            for (;;) {
              const value = await page.$eval(
                "#upload-list li progress",
                (bar) => (bar as HTMLProgressElement).value,
              )
                .catch(() => -1);
              if (value >= 0) seen.add(value);
              if (value >= 50 * MIB) return;
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
          })();
          const outcome = await uploadOutcome(page, "big.bin");
          await watching;
          assert.equal(outcome.state, "done", outcome.status);
          assert.equal(outcome.sha256, bigSha);
          assert.match(outcome.status, new RegExp(`SHA-256 ${bigSha}`));
          const between = [...seen].filter((value) => value > 0 && value < 50 * MIB);
          assert.ok(between.length >= 2, `the bar should move: saw ${[...seen].join(", ")}`);
          const stored = await fileSha256(`${dataDir}/files/big.bin`);
          assert.equal(stored, bigSha);
        },
      );

      await t.step("download it and compare SHA-256", async () => {
        await page.waitForSelector('#entries tr[data-name="big.bin"] a');
        await page.click('#entries tr[data-name="big.bin"] a');
        const path = `${downloads}/big.bin`;
        await waitFor("the download", async () => {
          const info = await Deno.stat(path).catch(() => undefined);
          const names = (await Array.fromAsync(Deno.readDir(downloads))).map((entry) => entry.name);
          return info?.size === 50 * MIB && !names.some((name) => name.endsWith(".crdownload"))
            ? true
            : undefined;
        });
        assert.equal(await fileSha256(path), bigSha);
      });

      await t.step("interrupt an upload and resume it", async () => {
        const file = `${work}/resume.bin`;
        const sha = await writeRandomFile(file, 40 * MIB, 2);
        await cdp.send("Network.enable");
        await cdp.send("Network.emulateNetworkConditions", {
          offline: false,
          latency: 0,
          downloadThroughput: -1,
          uploadThroughput: 4 * MIB,
        });
        await chooseFiles(page, [file]);
        await waitFor(
          "the first chunk",
          () =>
            page.$eval(
              '#upload-list li[data-name="resume.bin"] progress',
              (bar) => (bar as HTMLProgressElement).value > 10 * 1024 * 1024 ? true : undefined,
            ).catch(() => undefined),
        );
        await cdp.send("Network.emulateNetworkConditions", {
          offline: true,
          latency: 0,
          downloadThroughput: -1,
          uploadThroughput: -1,
        });
        const cut = await uploadOutcome(page, "resume.bin");
        assert.equal(cut.state, "interrupted", cut.status);
        await cdp.send("Network.emulateNetworkConditions", {
          offline: false,
          latency: 0,
          downloadThroughput: -1,
          uploadThroughput: -1,
        });
        await page.click('#upload-list li[data-name="resume.bin"] button.resume');
        const outcome = await uploadOutcome(page, "resume.bin");
        assert.equal(outcome.state, "done", outcome.status);
        assert.equal(outcome.sha256, sha);
        assert.equal(await fileSha256(`${dataDir}/files/resume.bin`), sha);
        // The page asked the server where to go on: it did not start again from 0.
        const resumedAt = await page.$eval(
          '#upload-list li[data-name="resume.bin"]',
          (row) => Number((row as HTMLElement).dataset.resumedAt),
        );
        assert.ok(resumedAt > 10 * MIB && resumedAt < 40 * MIB, `resumed at ${resumedAt}`);
        // The audit log's writes are queued: wait for the event.
        const audit = await waitFor("the put in the audit log", async () => {
          const text = await Deno.readTextFile(`${dataDir}/state/audit.log`);
          return text.includes('"event":"put","path":"resume.bin"') ? text : undefined;
        });
        const puts = audit.split("\n").filter(Boolean).map((line) => JSON.parse(line)).filter((
          event,
        ) => event.event === "put" && event.path === "resume.bin");
        // One put through the interruption, each byte received once.
        assert.equal(puts.length, 1);
        assert.equal(puts[0].bytes, 40 * MIB);
        assert.equal(puts[0].via, "web");
      });

      await t.step("the hostile name is shown as text and runs nothing", async () => {
        const path = `${work}/${HOSTILE}`;
        await Deno.writeTextFile(path, "hostile\n");
        await chooseFiles(page, [path]);
        assert.equal((await uploadOutcome(page, HOSTILE)).state, "done");
        await waitFor(
          "the listing",
          async () => (await listed(page)).includes(HOSTILE) ? true : undefined,
        );
        const cell = await page.$$eval(
          "#entries td.name a",
          (links) => links.map((link) => link.textContent),
        );
        assert.ok(cell.includes(HOSTILE));
        assert.equal(await page.$$eval("#app img", (images) => images.length), 0);
        assert.deepEqual(dialogs, []);
      });

      await t.step("overwrite refusal, then keep both", async () => {
        const path = `${work}/${HOSTILE}`;
        await page.select("#policy", "refuse");
        await chooseFiles(page, [path]);
        const refused = await uploadOutcome(page, HOSTILE);
        assert.equal(refused.state, "failed");
        assert.match(refused.status, /already exists/);
        await page.select("#policy", "keep-both");
        await chooseFiles(page, [path]);
        const kept = await uploadOutcome(page, HOSTILE);
        assert.equal(kept.state, "done", kept.status);
        await waitFor(
          "both in the listing",
          async () =>
            (await listed(page)).includes("<img src=x onerror=alert(1)> (1).txt")
              ? true
              : undefined,
        );
        await page.select("#policy", "refuse");
      });

      await t.step("a screenshot of the listing", async () => {
        const shot = Deno.env.get("FERRY_WEB_SCREENSHOT") ??
          `${await Deno.makeTempDir()}/ferry-web-listing.png`;
        await page.setViewport({ width: 1100, height: 700 });
        await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
        assert.ok((await Deno.stat(shot)).size > 1000);
        // deno-lint-ignore no-console
        console.log(`Screenshot of the listing: ${shot}`);
      });

      await t.step("a CSRF attempt from another origin is refused", async () => {
        const evil = Deno.serve(
          { hostname: "127.0.0.1", port: 0, onListen: () => {} },
          () =>
            new Response(
              `<!doctype html><form id="f" method="POST" action="${server.url}api/mkdir" enctype="text/plain">` +
                `<input name='{"path":"pwned-form","x":"' value='"}'></form>` +
                `<script>fetch("${server.url}api/mkdir", {method: "POST", mode: "no-cors", credentials: "include",` +
                ` headers: {"content-type": "text/plain"}, body: JSON.stringify({path: "pwned-fetch"})})` +
                `.finally(() => document.getElementById("f").submit());</script>`,
              { headers: { "content-type": "text/html" } },
            ),
        );
        try {
          const other = await browser.newPage();
          await other.goto(`http://127.0.0.1:${evil.addr.port}/`);
          await waitFor(
            "the forged form to land",
            () => Promise.resolve(other.url().includes("/api/mkdir") ? true : undefined),
          );
          const body = await other.evaluate(() => document.body.textContent ?? "");
          assert.match(body, /another site|CSRF/);
          await other.close();
        } finally {
          await evil.shutdown();
        }
        const names = (await Array.fromAsync(Deno.readDir(`${dataDir}/files`))).map((entry) =>
          entry.name
        );
        assert.ok(!names.some((name) => name.startsWith("pwned")), names.join(", "));
      });

      await t.step(
        "a read-only user sees no upload or delete controls; the server refuses anyway",
        async () => {
          const context = await browser.createBrowserContext();
          try {
            const robPage = await context.newPage();
            await login(robPage, server.url, "rob", "rob-secret");
            await robPage.waitForSelector("#app:not([hidden])");
            await waitFor(
              "rob's listing",
              async () => (await listed(robPage)).length > 0 ? true : undefined,
            );
            assert.equal(
              await robPage.$eval("#upload-button", (node) => (node as HTMLElement).offsetParent),
              null,
            );
            assert.equal(
              await robPage.$$eval("#entries button.delete", (nodes) => nodes.length),
              0,
            );
            const status = await robPage.evaluate(async () => {
              const session = await (await fetch("/api/session")).json();
              const response = await fetch("/api/delete", {
                method: "POST",
                headers: { "content-type": "application/json", "x-ferry-csrf": session.csrf },
                body: JSON.stringify({ path: "big.bin" }),
              });
              return response.status;
            });
            assert.equal(status, 403);
            assert.ok((await Deno.stat(`${dataDir}/files/big.bin`)).isFile);
          } finally {
            await context.close();
          }
        },
      );

      await t.step("a wrong password, the back-off, then the lock-out", async () => {
        const context = await browser.createBrowserContext();
        try {
          const guess = await context.newPage();
          const messages: string[] = [];
          let firstTry = 0;
          for (let attempt = 0; attempt < 4; attempt++) {
            if (attempt === 0) firstTry = Date.now();
            await login(guess, server.url, "ann", `wrong-${attempt}`);
            const message = await waitFor(
              "the refusal",
              () => guess.$eval("#login-error", (node) => node.textContent || undefined),
            );
            messages.push(message);
            // The first failure came after firstTry; the second answer waits out its back-off
            // (400 ms from that failure), so it cannot come sooner than 400 ms after firstTry.
            if (attempt === 1) {
              const ms = Date.now() - firstTry;
              assert.ok(ms >= 400, `the second refusal came ${ms} ms after the first try`);
            }
          }
          assert.match(messages[0] as string, /wrong user name or credentials/);
          assert.match(messages[3] as string, /locked out/);
          assert.match(server.output(), /Failed login for "ann" from 127\.0\.0\.1/);
        } finally {
          await context.close();
        }
      });
    } finally {
      await browser.close();
      await Deno.remove(work, { recursive: true });
    }
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  });
}
