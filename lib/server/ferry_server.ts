/**
 * The ferryd server: opens the data folder, loads its identity, listens,
 * and runs one session per connection.
 *
 * @module
 */

import { fingerprint } from "../channel/fingerprint.ts";
import { LocalStorage } from "../storage/local_storage.ts";
import { ConsoleLog } from "./console_log.ts";
import { loadOrCreateHostKey } from "./host_key.ts";
import { LoginThrottle } from "./login_throttle.ts";
import { runSession, type SessionEnvironment } from "./session.ts";
import { UserStore } from "./user_store.ts";

/** Options of {@linkcode FerryServer.start}. */
export interface FerryServerOptions {
  /** The data folder: files in `DATA/files`, state in `DATA/state`. */
  dataDir: string;
  /** The address to listen on. @default {"0.0.0.0"} */
  hostname?: string;
  /** The TCP port. @default {7878} */
  port?: number;
  /** Time allowed from connect to login, in ms. @default {10000} */
  handshakeTimeoutMs?: number;
  /** Partial uploads untouched this long are deleted, in ms. @default {7 days} */
  partialMaxAgeMs?: number;
  /** Where log lines go. @default {new ConsoleLog()} */
  log?: ConsoleLog;
}

/** Partial uploads untouched this long are deleted by default: 7 days. */
export const DEFAULT_PARTIAL_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** How often the server looks for stale partial uploads: hourly. */
export const PARTIAL_SWEEP_MS = 3600 * 1000;

async function sweepPartials(environment: SessionEnvironment, maxAgeMs: number): Promise<void> {
  try {
    const removed = await environment.storage.removeStalePartials(maxAgeMs);
    if (removed > 0) environment.log.info(`Removed ${removed} stale partial upload(s)`);
  } catch (error) {
    environment.log.warn(`Cannot clean partial uploads: ${String(error)}`);
  }
}

/** The folders of a data folder. */
export function dataLayout(dataDir: string): { files: string; state: string } {
  return { files: `${dataDir}/files`, state: `${dataDir}/state` };
}

/**
 * A running server.
 *
 * @example
 * ```ts ignore
 * const server = await FerryServer.start({ dataDir: "./data", port: 7878 });
 * console.log(server.fingerprint);
 * await server.close();
 * ```
 */
export class FerryServer {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** The host key fingerprint, `SHA256:…`. */
  readonly fingerprint: string;
  #listener: Deno.Listener;
  #sessions = new Set<Promise<void>>();
  #conns = new Set<Deno.Conn>();
  #accepting: Promise<void>;
  #sweeper: ReturnType<typeof setInterval>;

  private constructor(
    listener: Deno.Listener,
    environment: SessionEnvironment,
    partialMaxAgeMs: number,
  ) {
    this.#listener = listener;
    this.addr = listener.addr as Deno.NetAddr;
    this.fingerprint = fingerprint(environment.hostKey.publicKey);
    this.#accepting = this.#accept(environment);
    const sweep = (): void => void sweepPartials(environment, partialMaxAgeMs);
    sweep();
    this.#sweeper = setInterval(sweep, Math.min(partialMaxAgeMs, PARTIAL_SWEEP_MS));
  }

  /** Opens the data folder and starts listening. */
  static async start(options: FerryServerOptions): Promise<FerryServer> {
    const storage = await LocalStorage.open(options.dataDir);
    const { state } = dataLayout(options.dataDir);
    const environment: SessionEnvironment = {
      hostKey: await loadOrCreateHostKey(state),
      users: new UserStore(state),
      storage,
      throttle: new LoginThrottle(),
      log: options.log ?? new ConsoleLog(),
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    };
    const listener = Deno.listen({
      hostname: options.hostname ?? "0.0.0.0",
      port: options.port ?? 7878,
    });
    return new FerryServer(
      listener,
      environment,
      options.partialMaxAgeMs ?? DEFAULT_PARTIAL_MAX_AGE_MS,
    );
  }

  async #accept(environment: SessionEnvironment): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#conns.add(conn);
        const session = runSession(conn, environment).finally(() => {
          this.#conns.delete(conn);
          this.#sessions.delete(session);
        });
        this.#sessions.add(session);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }

  /** Stops accepting, ends every session and waits for them. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    await this.#accepting;
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
    await Promise.allSettled(this.#sessions);
  }
}
