/**
 * A browser's login: the same brute-force defence (back-off, lock-out, the
 * operator's unlocks), password check (in the login queue, on the scrypt
 * threads) and audit events as a ferry client's login, marked
 * `"via": "web"`. Failed logins log the same fail2ban line.
 *
 * @module
 */

import { FerryError, isFerryError } from "../core/errors.ts";
import { type Account, authenticate } from "../server/authenticate.ts";
import { internalLoginError, isInternalLoginError } from "../server/login_failure.ts";
import { addressKey, userKey } from "../server/login_throttle.ts";
import type { SessionEnvironment } from "../server/session_environment.ts";

const NO_KEY = new Uint8Array(0);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Checks a user name and password from `address`.
 *
 * @returns The account.
 * @throws {FerryError} `auth_failed` (wrong credentials or locked out: the
 *   message says which), `busy` (the login queue is full).
 */
export async function webLogin(
  environment: SessionEnvironment,
  user: string,
  password: string,
  address: string,
): Promise<Account> {
  const { throttle, log, audit, logins } = environment;
  let verdict = throttle.check(address, user);
  if (
    (verdict.locked || verdict.waitMs > 0) &&
    await environment.unlocks.apply(throttle, [addressKey(address), userKey(user)])
  ) {
    verdict = throttle.check(address, user);
  }
  if (verdict.locked) {
    const seconds = Math.ceil(verdict.retryInMs / 1000);
    log.warn(
      `Refused login for "${user}" from ${address}: ${verdict.key} is locked out for ${seconds} s`,
    );
    audit.record({
      event: "auth.locked",
      user,
      address,
      reason: `${verdict.key} locked out`,
      via: "web",
    });
    throw new FerryError(
      "auth_failed",
      `Too many failed logins: locked out, retry in ${seconds} s`,
    );
  }
  if (verdict.waitMs > 0) await sleep(verdict.waitMs);
  try {
    const account = await logins.run(() =>
      authenticate(
        environment.users,
        { method: "password", user, password },
        NO_KEY,
        environment.scrypt.derive,
      )
    );
    throttle.succeed(address, user);
    audit.record({ event: "auth.ok", user, address, via: "web" });
    return account;
  } catch (error) {
    if (isFerryError(error, "busy")) {
      log.info(`Login queue full: "${user}" from ${address} told to retry later`);
      audit.record({
        event: "busy",
        user,
        address,
        code: "busy",
        reason: "too many logins",
        via: "web",
      });
    } else if (isFerryError(error, "auth_failed")) {
      log.warn(`Failed login for "${user}" from ${address}`);
      audit.record({ event: "auth.fail", user, address, via: "web" });
      for (const key of throttle.fail(address, user)) {
        log.warn(`Locked out ${key} after too many failed logins`);
      }
    }
    if (isInternalLoginError(error)) {
      throw internalLoginError(error, log, `"${user}" from ${address} (web)`);
    }
    throw error;
  }
}
