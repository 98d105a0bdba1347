/**
 * Dialling a server: the TCP connect, the channel (handshake, with the
 * server's hello checked and its key judged) and the credentials, all under
 * one `LoginClock`. What comes after the login (routing messages to
 * requests) is `ClientConnection`'s.
 *
 * @module
 */

import type { SecureChannel } from "../channel/secure_channel.ts";
import { openChannel } from "../channel/open_channel.ts";
import { FerryError } from "../core/errors.ts";
import { generateKeyPair, type KeyPair } from "../noise/mod.ts";
import { type Hello, validateHello } from "../protocol/hello.ts";
import { CONNECT_TIMEOUT_SECONDS, LoginClock } from "./login_clock.ts";

/** Options of `ClientConnection.connect`. */
export interface ConnectOptions {
  /** Server host name or address. */
  hostname: string;
  /** Server port. */
  port: number;
  /** User name. */
  user: string;
  /**
   * Password, or a function that asks for it (called only after the server
   * key is trusted); without one the client logs in with its `identity` key.
   */
  password?: string | (() => Promise<string>);
  /** The client's static key (its identity for key login). */
  identity?: KeyPair;
  /** Decides whether to trust the server's key; throws to refuse. */
  verifyServerKey(serverKey: Uint8Array): Promise<void>;
  /**
   * Seconds to wait for the server (connect, handshake; the time at the
   * prompts not counted): see `LoginClock`. @default {15}
   */
  connectTimeoutSeconds?: number;
}

/** A server dialled: the channel is open and the credentials are on their way. */
export interface DialledServer {
  /** The TCP connection (closed by {@linkcode DialledServer.closeConn}). */
  conn: Deno.TcpConn;
  /** The encrypted channel. */
  channel: SecureChannel;
  /** The server's static key, as accepted. */
  serverKey: Uint8Array;
  /** The server's hello, validated. */
  hello: Hello;
  /** Times the login: stop it once the login's reply is in; it explains a timeout. */
  clock: LoginClock;
  /** Closes the connection (quietly when it already is). */
  closeConn(): void;
}

/**
 * Connects, opens the channel and sends the credentials; the login's reply
 * (`REPLY` or `ERROR` under id 0) is for the caller to read.
 *
 * @throws {FerryError} `network`, `host_key_*`, `protocol` (a malformed
 *   hello among others), `unsupported_version`, explained by the clock when
 *   it ran out.
 */
export async function dialServer(options: ConnectOptions): Promise<DialledServer> {
  const address = `${options.hostname}:${options.port}`;
  const aborted = new AbortController();
  let conn: Deno.TcpConn | undefined;
  const closeConn = (): void => {
    try {
      conn?.close();
    } catch {
      // already closed
    }
  };
  const clock = new LoginClock(
    address,
    options.connectTimeoutSeconds ?? CONNECT_TIMEOUT_SECONDS,
    () => {
      aborted.abort();
      closeConn();
    },
  );
  try {
    conn = await Deno.connect({
      hostname: options.hostname,
      port: options.port,
      signal: aborted.signal,
    });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw clock.explain(
      new FerryError("network", `Cannot connect to "${address}": ${reason}`, { cause }),
    );
  }
  try {
    const { password, user } = options;
    const credentials = async (): Promise<unknown> => {
      try {
        return password === undefined ? { method: "key", user } : {
          method: "password",
          user,
          password: typeof password === "string" ? password : await password(),
        };
      } finally {
        clock.loginSent();
      }
    };
    let hello: Hello | undefined;
    const { channel, serverKey } = await openChannel(conn, "client", {
      staticKey: options.identity ?? await generateKeyPair(),
      verifyServerKey: (key, payload) => {
        hello = validateHello(payload);
        clock.hello(hello);
        return options.verifyServerKey(key);
      },
      credentials,
    });
    return { conn, channel, serverKey, hello: hello as Hello, clock, closeConn };
  } catch (error) {
    closeConn();
    throw clock.explain(error);
  }
}
