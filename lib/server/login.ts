/**
 * The login step after the handshake: brute-force defence, credentials
 * (a password check waits its turn in the login queue), the per-user
 * session limit, and the first transport message (`REPLY` or `ERROR` with
 * id 0).
 *
 * Failed logins are logged on the console as
 * `Failed login for "USER" from ADDRESS`, a line fail2ban can match
 * (docs/OPERATIONS.md has the filter).
 *
 * @module
 */

import type { ServerHandshakeResult } from "../channel/handshake.ts";
import { FerryError, isFerryError } from "../core/errors.ts";
import { encodeJsonMessage } from "../protocol/codec.ts";
import { MessageType } from "../protocol/message_type.ts";
import { parseAuthRequest } from "../protocol/requests.ts";
import { toWireError } from "../protocol/wire_error.ts";
import { type Account, authenticate } from "./authenticate.ts";
import { internalLoginError, isInternalLoginError } from "./login_failure.ts";
import { addressKey, userKey } from "./login_throttle.ts";
import type { SessionEnvironment } from "./session_environment.ts";

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Logs the client in, or tells it why not.
 *
 * @returns The account, or `null` when refused (the reason was sent).
 */
export async function login(
  handshake: ServerHandshakeResult,
  environment: SessionEnvironment,
  address: string,
): Promise<Account | null> {
  const { channel, clientKey } = handshake;
  const { throttle, log, audit, limits, logins } = environment;
  const refuse = async (error: FerryError): Promise<null> => {
    await channel.send(encodeJsonMessage(MessageType.ERROR, 0, toWireError(error)));
    return null;
  };
  let user = "";
  let method = "";
  try {
    const auth = parseAuthRequest(handshake.credentials);
    user = auth.user;
    method = auth.method;
    let verdict = throttle.check(address, user);
    if (
      (verdict.locked || verdict.waitMs > 0) &&
      await environment.unlocks.apply(throttle, [addressKey(address), userKey(user)])
    ) {
      verdict = throttle.check(address, user); // an operator ended the lock-out
    }
    if (verdict.locked) {
      const seconds = Math.ceil(verdict.retryInMs / 1000);
      log.warn(
        `Refused login for "${user}" from ${address}: ${verdict.key} is locked out for ${seconds} s`,
      );
      audit.record({ event: "auth.locked", user, address, reason: `${verdict.key} locked out` });
      return await refuse(
        new FerryError("auth_failed", `Too many failed logins: locked out, retry in ${seconds} s`),
      );
    }
    if (verdict.waitMs > 0) await sleep(verdict.waitMs);
    const check = (): Promise<Account> =>
      authenticate(environment.users, auth, clientKey, environment.scrypt.derive);
    const account = auth.method === "password" ? await logins.run(check) : await check();
    throttle.succeed(address, user);
    if (!limits.startSession(account.name)) {
      audit.record({ event: "busy", user, address, code: "busy", reason: "too many sessions" });
      return await refuse(
        new FerryError("busy", `Server busy: too many sessions for "${user}", retry later`),
      );
    }
    audit.record({ event: "auth.ok", user, address });
    await channel.send(encodeJsonMessage(MessageType.REPLY, 0, {
      user: account.name,
      permissions: [...account.permissions],
    }));
    return account;
  } catch (error) {
    if (isFerryError(error, "busy")) {
      log.info(`Login queue full: "${user}" from ${address} told to retry later`);
      audit.record({ event: "busy", user, address, code: "busy", reason: "too many logins" });
    }
    if (isFerryError(error, "auth_failed") && method === "key") {
      // A key cannot be guessed, and a client tries its default key before
      // asking for a password (as ssh does): no back-off, no fail2ban line.
      log.info(`Key not accepted for "${user}" from ${address}`);
      audit.record({ event: "auth.fail", user, address, reason: "key not accepted" });
    } else if (isFerryError(error, "auth_failed")) {
      log.warn(`Failed login for "${user}" from ${address}`);
      audit.record({ event: "auth.fail", user, address });
      for (const key of throttle.fail(address, user)) {
        log.warn(`Locked out ${key} after too many failed logins`);
      }
    }
    if (isInternalLoginError(error)) {
      return await refuse(internalLoginError(error, log, `"${user}" from ${address}`));
    }
    return await refuse(error as FerryError);
  }
}
