/**
 * Loads a real ferryd with many sessions at once and reports what became of
 * them: successes, busy answers, silent failures (must be 0), logins/s,
 * latencies, the worst `stat` of a session logged in before the storm, and
 * ferryd's peak and idle resident memory. A tool, not a timed test; CI runs
 * `--quick`. See docs/PERFORMANCE.md.
 *
 * Usage: deno task load [--sessions N] [--quick] [--json] [-- SERVE-ARGS...]
 *
 * Sessions come from 127.0.0.2, 127.0.0.3, ... (16 per address, under the
 * per-address limit) through relays (`Deno.connect` cannot choose its
 * source address).
 *
 * @module
 */

import { type AddressRelay, startAddressRelay } from "./address_relay.ts";
import { addUser, startFerryd } from "./ferryd.ts";
import { removeQuietly } from "./bench/fixtures.ts";
import { capture, cpuTimes, RssSampler } from "./bench/proc_stats.ts";
import { runLoadSession, type SessionResult, type SessionTarget } from "./load/load_session.ts";
import { parseLoadOptions, USAGE } from "./load/options.ts";
import { type LoadReport, spreadOf, tally, toText } from "./load/report.ts";
import type { ProbeReport } from "./load/stat_probe.ts";

const USER = "load";
const PASSWORD = "load-password";
const SESSIONS_PER_ADDRESS = 16;
const encoder = new TextEncoder();

function note(line: string): void {
  Deno.stderr.writeSync(encoder.encode(`load: ${line}\n`));
}

async function residentMiB(pid: number): Promise<number> {
  const status = await capture("cat", [`/proc/${pid}/status`]);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

/** Starts the probe worker and waits until its session is logged in. */
async function startProbe(target: SessionTarget): Promise<() => Promise<ProbeReport>> {
  const worker = new Worker(new URL("./load/stat_probe.ts", import.meta.url).href, {
    type: "module",
  });
  const messages: PromiseWithResolvers<unknown>[] = [
    Promise.withResolvers(),
    Promise.withResolvers(),
  ];
  let received = 0;
  worker.onmessage = (event: MessageEvent): void => messages[received++]?.resolve(event.data);
  worker.postMessage({ start: target });
  const first = await messages[0]?.promise as { failed?: string };
  if (first.failed !== undefined) {
    worker.terminate();
    throw new Error(`Cannot log in the probe session: ${first.failed}`);
  }
  return async (): Promise<ProbeReport> => {
    worker.postMessage({ stop: true });
    const report = await messages[1]?.promise as ProbeReport;
    worker.terminate();
    return report;
  };
}

async function main(): Promise<number> {
  const opts = parseLoadOptions(Deno.args);
  if (opts.help) {
    await Deno.stdout.write(encoder.encode(USAGE));
    return 0;
  }
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-load-" });
  const relays: AddressRelay[] = [];
  try {
    await addUser(dataDir, USER, PASSWORD);
    const serveArgs = [
      "--log-level",
      "warn",
      "--max-sessions-per-user",
      String(opts.sessions + 8),
      ...opts.serveArgs,
    ];
    await using server = await startFerryd({ dataDir, args: serveArgs });
    const pid = server.process.pid;
    const addresses = Math.min(250, Math.ceil(opts.sessions / SESSIONS_PER_ADDRESS));
    for (let i = 0; i < addresses; i++) {
      relays.push(await startAddressRelay(server.port, `127.0.0.${i + 2}`));
    }
    const direct = { hostname: "127.0.0.1", port: server.port, user: USER, password: PASSWORD };
    const stopProbe = await startProbe(direct);
    const before = await residentMiB(pid);
    note(`${opts.sessions} sessions from ${addresses} addresses`);
    const sampler = RssSampler.start(pid);
    const cpuBefore = (await cpuTimes(pid)).self;
    const started = performance.now();
    const results: SessionResult[] = await Promise.all(
      Array.from({ length: opts.sessions }, (_, i) => {
        const relay = relays[i % addresses] as AddressRelay;
        const port = Number(relay.server.split(":")[1]);
        const bytes = crypto.getRandomValues(new Uint8Array(opts.fileBytes));
        return runLoadSession({ ...direct, port }, `s${i}.bin`, bytes);
      }),
    );
    const stormSeconds = (performance.now() - started) / 1000;
    const serverCpuSeconds = (await cpuTimes(pid)).self - cpuBefore;
    const probe = await stopProbe();
    const peak = await sampler.stop();
    note(`storm over in ${stormSeconds.toFixed(1)} s; idle for ${opts.idleSeconds} s`);
    await new Promise((resolve) => setTimeout(resolve, opts.idleSeconds * 1000));
    const idle = await residentMiB(pid);
    const ok = results.filter((result) => result.outcome === "ok");
    const lastLogin = Math.max(0, ...ok.map((result) => result.loginMs));
    const probeSpread = spreadOf(probe.latencies);
    const report: LoadReport = {
      meta: {
        date: new Date().toISOString().slice(0, 16).replace("T", " "),
        deno: Deno.version.deno,
        cores: navigator.hardwareConcurrency,
        sessions: opts.sessions,
        fileBytes: opts.fileBytes,
        serveArgs: opts.serveArgs,
        loadAverage: Number((await capture("cat", ["/proc/loadavg"])).split(" ")[0]),
      },
      ...tally(results),
      stormSeconds,
      serverCpuSeconds,
      loginsPerSecond: lastLogin > 0 ? ok.length / (lastLogin / 1000) : 0,
      loginMs: spreadOf(ok.map((result) => result.loginMs)),
      sessionMs: spreadOf(ok.map((result) => result.totalMs)),
      probe: {
        stats: probe.latencies.length,
        errors: probe.errors.length,
        p50Ms: probeSpread.p50,
        worstMs: probeSpread.max,
      },
      rssMiB: { before, peak, idle, idleAfterSeconds: opts.idleSeconds },
    };
    await Deno.stdout.write(
      encoder.encode(opts.json ? JSON.stringify(report, null, 2) + "\n" : toText(report)),
    );
    await server.stop();
    const failed = report.outcomes.silent + report.outcomes.error + report.probe.errors;
    if (failed > 0) note(`FAILED: ${failed} session(s) or probe stat(s) failed`);
    return failed > 0 ? 1 : 0;
  } finally {
    for (const relay of relays) await relay[Symbol.asyncDispose]();
    await removeQuietly(dataDir);
  }
}

if (import.meta.main) Deno.exit(await main());
