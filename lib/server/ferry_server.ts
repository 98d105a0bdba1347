/**
 * The ferryd server: opens its storage (the data folder, or an S3 bucket),
 * loads its identity, listens, and runs one session per connection until it
 * is shut down.
 *
 * @module
 */

import { fingerprint } from "../channel/fingerprint.ts";
import { dataLayout, DEFAULT_HOSTNAME, DEFAULT_PORT } from "../core/defaults.ts";
import { AuditLog } from "./audit_log.ts";
import { ConnectionLimits } from "./connection_limits.ts";
import { ConsoleLog } from "./console_log.ts";
import { loadOrCreateHostKey } from "./host_key.ts";
import { LoginQueue } from "./login_queue.ts";
import { LoginThrottle } from "./login_throttle.ts";
import { UnlockWatcher } from "./unlocks.ts";
import { DEFAULT_CONFIG, type ServerConfig } from "./server_config.ts";
import { openLocalBackend, type ServerBackend } from "./server_backend.ts";
import { ScryptThreads } from "./scrypt_threads.ts";
import { runSession, type SessionEnvironment } from "./session.ts";
import { UserStore } from "./user_store.ts";
import { type WebOptions, WebServer } from "../web/web_server.ts";

/** Options of {@linkcode FerryServer.start}. */
export interface FerryServerOptions {
  /**
   * The data folder: files in `DATA/files` (local storage), state in
   * `DATA/state` (configuration and audit log always; host key, users and
   * partial uploads with local storage).
   */
  dataDir: string;
  /**
   * Where files, host key and users live.
   * @default {the local folders of `dataDir`}
   */
  backend?: ServerBackend;
  /** The address to listen on. @default {"0.0.0.0"} */
  hostname?: string;
  /** The TCP port; 0: the system picks one ({@linkcode FerryServer.addr}). @default {7878} */
  port?: number;
  /** The configuration (defaults for what is left out). */
  config?: Partial<ServerConfig>;
  /** Where log lines go. @default {new ConsoleLog(config.logLevel)} */
  log?: ConsoleLog;
  /** The web front end (`--web`): off when absent. */
  web?: WebOptions;
}

/** How often the server looks for stale partial uploads: hourly. */
export const PARTIAL_SWEEP_MS = 3600 * 1000;

async function sweepPartials(environment: SessionEnvironment): Promise<void> {
  try {
    const maxAge = environment.config.partialMaxAgeHours * 3600 * 1000;
    const removed = await environment.storage.removeStalePartials(maxAge);
    if (removed > 0) {
      environment.log.info(`Removed ${removed} stale partial upload(s)`);
      // The quotas count what is left at their next use.
      for (const usage of environment.usage.values()) usage.invalidatePartials();
    }
  } catch (error) {
    environment.log.warn(`Cannot clean partial uploads: ${String(error)}`);
  }
}

/**
 * A running server.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FerryServer } from "./ferry_server.ts";
 * const dataDir = await Deno.makeTempDir();
 * // Port 0: the system picks a free port; `addr` says which.
 * const server = await FerryServer.start({ dataDir, hostname: "127.0.0.1", port: 0 });
 * assert.ok(server.addr.port > 0);
 * assert.match(server.fingerprint, /^SHA256:/);
 * await server.shutdown();
 * await Deno.remove(dataDir, { recursive: true });
 * ```
 */
export class FerryServer {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** The host key fingerprint, `SHA256:…`. */
  readonly fingerprint: string;
  /** The web front end, when it is on. */
  readonly web: WebServer | undefined;
  #listener: Deno.Listener;
  #environment: SessionEnvironment;
  #sessions = new Set<Promise<void>>();
  #conns = new Set<Deno.Conn>();
  #accepting: Promise<void>;
  #sweeper: ReturnType<typeof setInterval>;

  private constructor(
    listener: Deno.Listener,
    environment: SessionEnvironment,
    web: WebServer | undefined,
  ) {
    this.#listener = listener;
    this.web = web;
    this.#environment = environment;
    this.addr = listener.addr as Deno.NetAddr;
    this.fingerprint = fingerprint(environment.hostKey.publicKey);
    this.#accepting = this.#accept();
    void sweepPartials(environment);
    const every = Math.min(environment.config.partialMaxAgeHours * 3600 * 1000, PARTIAL_SWEEP_MS);
    this.#sweeper = setInterval(() => void sweepPartials(environment), every);
  }

  /** Opens the storage and starts listening. */
  static async start(options: FerryServerOptions): Promise<FerryServer> {
    const config: ServerConfig = { ...DEFAULT_CONFIG, ...options.config };
    const log = options.log ?? new ConsoleLog(config.logLevel);
    const backend = options.backend ?? await openLocalBackend(options.dataDir);
    const { state } = dataLayout(options.dataDir);
    const environment: SessionEnvironment = {
      hostKey: await loadOrCreateHostKey(backend.state),
      users: new UserStore(backend.state),
      storage: backend.storage,
      throttle: new LoginThrottle({
        baseDelayMs: config.loginBaseDelayMs,
        maxDelayMs: config.loginMaxDelayMs,
        lockoutFailures: config.lockoutFailures,
        lockoutMs: config.lockoutSeconds * 1000,
      }),
      unlocks: new UnlockWatcher(backend.state),
      logins: new LoginQueue({
        maxRunning: config.maxPasswordChecks,
        maxWaitMs: config.loginQueueSeconds * 1000,
      }),
      scrypt: new ScryptThreads(config.maxPasswordChecks),
      log,
      audit: await AuditLog.open(
        state,
        config.auditLog,
        (error) => log.error(`Cannot write the audit log: ${String(error)}`),
      ),
      config,
      limits: new ConnectionLimits(config),
      sessions: new Set(),
      shuttingDown: false,
      usage: new Map(),
    };
    const listener = Deno.listen({
      hostname: options.hostname ?? DEFAULT_HOSTNAME,
      port: options.port ?? DEFAULT_PORT,
    });
    let web: WebServer | undefined;
    try {
      web = options.web === undefined ? undefined : await WebServer.start(environment, options.web);
    } catch (error) {
      listener.close();
      environment.scrypt.close();
      await environment.audit.close();
      throw error;
    }
    return new FerryServer(listener, environment, web);
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#conns.add(conn);
        const session = runSession(conn, this.#environment).finally(() => {
          this.#conns.delete(conn);
          this.#sessions.delete(session);
        });
        this.#sessions.add(session);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }

  /**
   * Stops accepting, lets running requests finish for up to `graceMs`
   * (idle sessions close at once, new requests get `busy`), then ends what
   * is left. Interrupted uploads keep their partial file for a resume;
   * nothing half written is ever visible.
   *
   * @param graceMs How long running transfers may take. @default {config.shutdownGraceSeconds}
   */
  async shutdown(
    graceMs: number = this.#environment.config.shutdownGraceSeconds * 1000,
  ): Promise<void> {
    this.#environment.shuttingDown = true;
    clearInterval(this.#sweeper);
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    await this.#accepting;
    const web = this.web?.shutdown();
    for (const session of this.#environment.sessions) session.drain();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
    await Promise.race([Promise.allSettled(this.#sessions), graceOver]);
    clearTimeout(timer);
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
    await Promise.allSettled(this.#sessions);
    // Web requests get the same grace (a stalled download must not hold the exit).
    const webGrace = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
    await Promise.race([web, webGrace]);
    clearTimeout(timer);
    this.#environment.scrypt.close();
    await this.#environment.audit.close();
  }

  /** Ends every session now (no grace). */
  close(): Promise<void> {
    return this.shutdown(0);
  }
}
