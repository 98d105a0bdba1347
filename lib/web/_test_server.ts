/**
 * An in-process ferryd with its web front end on a free loopback port, for
 * the web layer's unit tests, and a small cookie-keeping HTTP client.
 *
 * @module
 */

import { FerryServer } from "../server/ferry_server.ts";
import { hashPassword } from "../server/password_hash.ts";
import type { Permission } from "../server/permissions.ts";
import { PRESETS } from "../server/permissions.ts";
import { openLocalBackend } from "../server/server_backend.ts";
import { UserStore } from "../server/user_store.ts";
import type { ServerConfig } from "../server/server_config.ts";

/** A running test server. */
export interface TestWebServer extends AsyncDisposable {
  /** The server. */
  server: FerryServer;
  /** The page's URL, ending in `/`. */
  url: string;
  /** The data folder. */
  dataDir: string;
}

/** Users every test server has: `ann` (read-write, password `ann-secret`), `rob` (read-only). */
export const TEST_USERS: Record<string, { password: string; permissions: readonly Permission[] }> =
  {
    ann: { password: "ann-secret", permissions: PRESETS["read-write"] },
    rob: { password: "rob-secret", permissions: PRESETS["read-only"] },
  };

/** Starts a server with the test users. */
export async function startTestWebServer(
  config: Partial<ServerConfig> = {},
): Promise<TestWebServer> {
  const dataDir = await Deno.makeTempDir({ prefix: "ferry-web-test-" });
  const backend = await openLocalBackend(dataDir);
  const users = new UserStore(backend.state);
  const records = await Promise.all(
    Object.entries(TEST_USERS).map(async ([name, user]) => ({
      name,
      record: {
        permissions: [...user.permissions],
        keys: [],
        password: await hashPassword(user.password),
      },
    })),
  );
  await users.update((map) => {
    for (const { name, record } of records) map.set(name, record);
  });
  const server = await FerryServer.start({
    dataDir,
    backend,
    hostname: "127.0.0.1",
    port: 0,
    config: { logLevel: "error", loginBaseDelayMs: 50, loginMaxDelayMs: 200, ...config },
    web: { hostname: "127.0.0.1", port: 0 },
  });
  const url = (server.web as NonNullable<FerryServer["web"]>).url;
  return {
    server,
    url,
    dataDir,
    async [Symbol.asyncDispose](): Promise<void> {
      await server.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** A browser-like client: keeps the session cookie and the CSRF token. */
export class TestBrowser {
  readonly base: string;
  cookie = "";
  csrf = "";

  /** @param base The page's URL. */
  constructor(base: string) {
    this.base = base;
  }

  /** Sends a request with the cookie (and the CSRF token unless `csrf: false`). */
  async fetch(
    path: string,
    init: RequestInit & { csrf?: boolean; json?: unknown } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set("cookie", this.cookie);
    if (init.csrf !== false && this.csrf) headers.set("x-ferry-csrf", this.csrf);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    }
    const response = await fetch(new URL(path, this.base), {
      ...init,
      headers,
      body: body ?? null,
    });
    const set = response.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0] as string;
    return response;
  }

  /** Logs in; returns the response's JSON. */
  async login(
    user: string,
    password: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await this.fetch("/api/login", { method: "POST", json: { user, password } });
    const body = await response.json() as Record<string, unknown>;
    if (response.ok) this.csrf = body.csrf as string;
    return { status: response.status, body };
  }
}

/**
 * The audit log once it matches `pattern` (its writes are queued: an event
 * lands a moment after its request).
 *
 * @throws {Error} When it does not match within 10 s.
 */
export async function auditMatching(dataDir: string, pattern: RegExp): Promise<string> {
  const until = Date.now() + 10_000;
  for (;;) {
    const text = await Deno.readTextFile(`${dataDir}/state/audit.log`).catch(() => "");
    if (pattern.test(text)) return text;
    if (Date.now() > until) throw new Error(`The audit log does not match ${pattern}:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
