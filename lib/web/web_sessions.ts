/**
 * The web front end's logins: a random session id in an `HttpOnly`,
 * `SameSite=Strict` cookie (`Secure` under TLS), a CSRF token per session
 * that every state-changing request must echo in a header, and expiry
 * (idle and absolute). Sessions live in memory: a restart logs everyone out.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { randomBytes, timingSafeEqual } from "node:crypto";

/** The cookie's name. */
export const SESSION_COOKIE = "ferry_session";

/** The header a page sends its CSRF token in. */
export const CSRF_HEADER = "x-ferry-csrf";

/** A session ends after this long without a request: 1 hour. */
export const WEB_IDLE_MS = 3600 * 1000;

/** A session ends this long after its login whatever happens: 12 hours. */
export const WEB_MAX_AGE_MS = 12 * 3600 * 1000;

/** Most sessions at once (all users); the oldest goes first. */
export const MAX_WEB_SESSIONS = 10_000;

/** One logged-in browser. */
export interface WebSession {
  /** The cookie value. */
  readonly id: string;
  /** The user name. */
  readonly user: string;
  /** The token state-changing requests must carry in {@linkcode CSRF_HEADER}. */
  readonly csrf: string;
  /** When it was made (ms since the epoch). */
  readonly created: number;
  /** The last request (ms since the epoch). */
  lastSeen: number;
}

function token(): string {
  return randomBytes(32).toString("base64url");
}

/** Compares two strings in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.byteLength === right.byteLength && timingSafeEqual(left, right);
}

/** The value of cookie `name` in a `Cookie` header, if there. */
export function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** The sessions of a server's web front end. */
export class WebSessions {
  #sessions = new Map<string, WebSession>();
  #maxPerUser: number;

  /** @param maxPerUser Most sessions per user; a new login ends that user's oldest. */
  constructor(maxPerUser: number) {
    this.#maxPerUser = maxPerUser;
  }

  /** Starts a session for `user`. */
  create(user: string): WebSession {
    const now = Date.now();
    const mine = [...this.#sessions.values()].filter((session) => session.user === user);
    if (mine.length >= this.#maxPerUser) this.#sessions.delete((mine[0] as WebSession).id);
    if (this.#sessions.size >= MAX_WEB_SESSIONS) {
      this.#sessions.delete(this.#sessions.keys().next().value as string);
    }
    const session: WebSession = { id: token(), user, csrf: token(), created: now, lastSeen: now };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session a `Cookie` header names, touched; `undefined` when none or expired. */
  find(cookieHeader: string | null): WebSession | undefined {
    const id = cookieValue(cookieHeader, SESSION_COOKIE);
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    const now = Date.now();
    if (now - session.lastSeen > WEB_IDLE_MS || now - session.created > WEB_MAX_AGE_MS) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  /** Ends a session. */
  end(session: WebSession): void {
    this.#sessions.delete(session.id);
  }

  /** Ends every session of `user` (deleted meanwhile). */
  endUser(user: string): void {
    for (const session of this.#sessions.values()) {
      if (session.user === user) this.#sessions.delete(session.id);
    }
  }
}

/**
 * The `Set-Cookie` value of a session (or of its end, with `session`
 * undefined): `HttpOnly; SameSite=Strict; Path=/`, `Secure` under TLS,
 * expiring with the session.
 */
export function sessionCookie(session: WebSession | undefined, secure: boolean): string {
  const value = session === undefined ? "" : session.id;
  const maxAge = session === undefined ? 0 : Math.floor(WEB_MAX_AGE_MS / 1000);
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}` +
    (secure ? "; Secure" : "");
}
