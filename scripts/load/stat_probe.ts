/**
 * The load tool's probe, run in a Worker (its own event loop, so the
 * storm's clients in the main thread do not delay it): one session logged
 * in before the storm sends `stat` every 20 ms and times each answer.
 *
 * Messages: in `{start: SessionTarget}`, then `{stop: true}`; out
 * `{ready: true}` once logged in (or `{failed: reason}`), then
 * `{latencies: number[], errors: string[]}` after the stop.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { connectTo, type SessionTarget } from "./load_session.ts";

/** What the probe reports after the stop. */
export interface ProbeReport {
  /** Milliseconds of every `stat`, in order. */
  latencies: number[];
  /** Failed `stat`s. */
  errors: string[];
}

const INTERVAL_MS = 20;

let stopping = false;

async function probe(target: SessionTarget): Promise<void> {
  let client;
  try {
    client = await connectTo(target);
    await client.stat("");
  } catch (error) {
    self.postMessage({ failed: String(error) });
    return;
  }
  self.postMessage({ ready: true });
  const report: ProbeReport = { latencies: [], errors: [] };
  while (!stopping) {
    const started = performance.now();
    try {
      await client.stat("");
      report.latencies.push(performance.now() - started);
    } catch (error) {
      report.errors.push(String(error));
      report.latencies.push(performance.now() - started);
    }
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  await client.close().catch(() => {});
  self.postMessage(report);
}

self.onmessage = (event: MessageEvent): void => {
  const data = event.data as { start?: SessionTarget; stop?: boolean };
  if (data.start) void probe(data.start);
  if (data.stop) stopping = true;
};
