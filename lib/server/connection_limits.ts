/**
 * Who is connected: connections in total and per address, connections not
 * logged in yet (sshd's `MaxStartups`), sessions per user. Over a limit the
 * client gets an explicit `busy`, retry later, after the handshake (so the
 * answer is authenticated); far over the connection limits the connection
 * is closed at once, so a flood cannot make the server do key exchanges
 * for it. Too many logins in progress is never closed silently: the
 * handshake is cheap, the password check is what the login queue bounds.
 *
 * @module
 */

/** The limits. */
export interface ConnectionLimitsOptions {
  /** Connections at once. */
  maxConnections: number;
  /** Connections at once from one address. */
  maxConnectionsPerAddress: number;
  /** Sessions at once per user. */
  maxSessionsPerUser: number;
  /** Connections at once that have not finished their login. */
  maxStartups: number;
}

/** The verdict on a new connection. */
export type Admission = "ok" | "busy" | "drop";

function bump(map: Map<string, number>, key: string, by: number): number {
  const next = (map.get(key) ?? 0) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
  return next;
}

/** Counts connections and sessions against the limits. */
export class ConnectionLimits {
  #options: ConnectionLimitsOptions;
  #total = 0;
  #startups = 0;
  #byAddress = new Map<string, number>();
  #byUser = new Map<string, number>();

  /** @param options The limits. */
  constructor(options: ConnectionLimitsOptions) {
    this.#options = options;
  }

  /** Connections open now. */
  get total(): number {
    return this.#total;
  }

  /** Connections open now that have not finished their login. */
  get startups(): number {
    return this.#startups;
  }

  /**
   * Counts a new connection, not logged in yet (always: call
   * {@linkcode ConnectionLimits.endStartup} once its login is over, and
   * {@linkcode ConnectionLimits.close} when it ends) and says whether to
   * serve it, answer busy, or drop it.
   */
  open(address: string): Admission {
    this.#total++;
    this.#startups++;
    const fromAddress = bump(this.#byAddress, address, 1);
    const { maxConnections, maxConnectionsPerAddress, maxStartups } = this.#options;
    if (this.#total > 2 * maxConnections || fromAddress > 2 * maxConnectionsPerAddress) {
      return "drop";
    }
    if (
      this.#total > maxConnections || fromAddress > maxConnectionsPerAddress ||
      this.#startups > maxStartups
    ) {
      return "busy";
    }
    return "ok";
  }

  /** Forgets that a connection is logging in (its login succeeded or failed). */
  endStartup(): void {
    this.#startups--;
  }

  /** Why a connection was refused, for the client. */
  busyReason(address: string): string {
    const { maxConnections, maxConnectionsPerAddress } = this.#options;
    if ((this.#byAddress.get(address) ?? 0) > maxConnectionsPerAddress) {
      return `too many connections from ${address}`;
    }
    return this.#total > maxConnections ? "too many connections" : "too many logins at once";
  }

  /** Forgets a connection. */
  close(address: string): void {
    this.#total--;
    bump(this.#byAddress, address, -1);
  }

  /**
   * Counts a logged-in session of `user`.
   *
   * @returns false (and counts nothing) when the user has too many.
   */
  startSession(user: string): boolean {
    if ((this.#byUser.get(user) ?? 0) >= this.#options.maxSessionsPerUser) return false;
    bump(this.#byUser, user, 1);
    return true;
  }

  /** Forgets a session of `user`. */
  endSession(user: string): void {
    bump(this.#byUser, user, -1);
  }
}
