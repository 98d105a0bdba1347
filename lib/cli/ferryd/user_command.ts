/**
 * `server.ts user add|set|del|list|passwd|unlock`: manage the users file (in
 * `DATA/state`, or in the bucket with `--storage s3`, where every ferryd on
 * it sees the change within a second).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import { FerryError } from "../../core/errors.ts";
import { hashPassword } from "../../server/password_hash.ts";
import { checkUserName, type UserRecord, UserStore } from "../../server/user_store.ts";
import {
  isPermission,
  type Permission,
  PERMISSIONS,
  presetName,
  PRESETS,
} from "../../server/permissions.ts";
import { DEFAULT_CONFIG, loadConfigFile } from "../../server/server_config.ts";
import { dataLayout } from "../../server/ferry_server.ts";
import { addressKey, recordUnlock, userKey } from "../../server/unlocks.ts";
import type { StateStore } from "../../storage/state_store.ts";
import { describeUser, userFields, userLines } from "./user_display.ts";
import { normalizeRemotePath } from "../../core/remote_path.ts";
import { SERVER_DEFAULTS } from "../../sandbox/permission_flags.ts";
import { promptSecret, readLine, writeStderr, writeStdout } from "../shared/prompt.ts";

import { parseStorageKind } from "./server_args.ts";
import { openServerState } from "./server_storage.ts";

async function readNewPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const line = await readLine();
    if (!line) throw new FerryError("usage", "Cannot set password: standard input is empty");
    return line;
  }
  const first = await promptSecret("New password: ");
  if (first === null) {
    throw new FerryError(
      "usage",
      "Cannot prompt for a password: not a terminal (use --password-stdin)",
    );
  }
  if (first === "") throw new FerryError("usage", "Cannot set an empty password");
  const second = await promptSecret("Retype new password: ");
  if (first !== second) {
    throw new FerryError("usage", "Cannot set password: the two entries differ");
  }
  return first;
}

function parseKey(text: string): string {
  const bytes = Buffer.from(text, "base64");
  if (bytes.byteLength !== 32) {
    throw new FerryError("usage", `Cannot use key "${text}": expected a base64 X25519 public key`);
  }
  return bytes.toString("base64");
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  K: 2 ** 10,
  M: 2 ** 20,
  G: 2 ** 30,
  T: 2 ** 40,
};

/**
 * Parses a size like `500M`, `10G`, `1.5T` or `1048576` (1024-based units,
 * an optional `B`/`iB` suffix).
 *
 * @throws {FerryError} `usage` when malformed.
 */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  const bytes = match
    ? Math.round(Number(match[1]) * (SIZE_UNITS[(match[2] ?? "").toUpperCase()] ?? NaN))
    : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new FerryError("usage", `Cannot use size "${text}": expected a number with K, M, G or T`);
  }
  return bytes;
}

type UserFlags = Record<string, string | boolean | undefined>;

/** The record of `name` as the users file holds it now (another writer may have removed it). */
function current(users: Map<string, UserRecord>, name: string, action: string): UserRecord {
  const record = users.get(name);
  if (record === undefined) {
    throw new FerryError("not_found", `Cannot ${action} "${name}": no such user`);
  }
  return record;
}

/** Applies the permission, home and quota flags to a record. */
function applyFlags(record: UserRecord, values: UserFlags): void {
  const presets = (["read-only", "upload-only", "read-write"] as const).filter((p) => values[p]);
  if (presets.length + (values.permissions !== undefined ? 1 : 0) > 1) {
    throw new FerryError(
      "usage",
      "Cannot combine --read-only, --upload-only, --read-write and --permissions",
    );
  }
  if (presets[0]) record.permissions = [...PRESETS[presets[0]]];
  if (typeof values.permissions === "string") {
    const list = values.permissions.split(",").map((p) => p.trim()).filter(Boolean);
    const bad = list.find((p) => !isPermission(p));
    if (bad !== undefined) {
      throw new FerryError(
        "usage",
        `Cannot use permission "${bad}": use ${PERMISSIONS.join(", ")}`,
      );
    }
    record.permissions = list as Permission[];
  }
  if (typeof values.home === "string") {
    // "/" names the shared root here (an operator's word, not a protocol path).
    const home = values.home === "/" ? "" : normalizeRemotePath(values.home);
    if (home === "") delete record.home;
    else record.home = home;
  }
  if (values["no-home"]) delete record.home;
  if (typeof values.quota === "string") {
    const bytes = values.quota === "none" ? 0 : parseSize(values.quota);
    if (bytes === 0) delete record.quotaBytes;
    else record.quotaBytes = bytes;
  }
  if (typeof values["quota-files"] === "string") {
    const files = values["quota-files"] === "none" ? 0 : Number(values["quota-files"]);
    if (!Number.isSafeInteger(files) || files < 0) {
      throw new FerryError("usage", `Cannot use --quota-files "${values["quota-files"]}"`);
    }
    if (files === 0) delete record.quotaFiles;
    else record.quotaFiles = files;
  }
  if (typeof values.key === "string") record.keys.push(parseKey(values.key));
}

/**
 * `user unlock NAME` or `user unlock --address ADDRESS`: ends a lock-out
 * (and the back-off) in every server on this state, without a restart.
 */
async function unlock(
  store: StateStore,
  data: string,
  name: string | undefined,
  address: string | undefined,
): Promise<number> {
  if ((name === undefined) === (address === undefined)) {
    throw new FerryError(
      "usage",
      "Usage: server.ts user unlock NAME | user unlock --address ADDRESS",
    );
  }
  if (name !== undefined) checkUserName(name);
  const config = { ...DEFAULT_CONFIG, ...await loadConfigFile(dataLayout(data).state) };
  const key = name !== undefined ? userKey(name) : addressKey(address as string);
  await recordUnlock(store, key, config.lockoutSeconds * 1000);
  writeStderr(`Unlocked ${key}: its next login is not held back\n`);
  return 0;
}

/**
 * Runs one `user` subcommand: `add`, `set`, `del`, `list`, `passwd`.
 *
 * @param args The arguments after `user`.
 * @returns The exit code.
 */
export async function runUserCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: "string", default: SERVER_DEFAULTS.dataDir },
      storage: { type: "string", default: "local" },
      "read-only": { type: "boolean" },
      "upload-only": { type: "boolean" },
      "read-write": { type: "boolean" },
      permissions: { type: "string" },
      home: { type: "string" },
      "no-home": { type: "boolean" },
      quota: { type: "string" },
      "quota-files": { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      key: { type: "string" },
      json: { type: "boolean", default: false },
      address: { type: "string" },
    },
  });
  const [action, name] = positionals;
  const state = await openServerState(values.data, parseStorageKind(values.storage));
  const store = new UserStore(state);
  if (action === "list") {
    const users = await store.load();
    const text = values.json
      ? JSON.stringify([...users].map(([user, record]) => describeUser(user, record))) + "\n"
      : userLines(users).map((line) => `${line}\n`).join("");
    await writeStdout(text);
    return 0;
  }
  if (action === "unlock") return await unlock(state, values.data, name, values.address);
  if (name === undefined || positionals.length > 2) {
    throw new FerryError(
      "usage",
      `Usage: server.ts user ${action ?? "add|set|del|list|passwd|unlock"} NAME`,
    );
  }
  checkUserName(name);
  const users = await store.load();
  const existing = users.get(name);
  switch (action) {
    case "add": {
      if (existing) {
        throw new FerryError("exists", `Cannot add user "${name}": it exists (use "user set")`);
      }
      const record: UserRecord = { permissions: [...PRESETS["read-write"]], keys: [] };
      applyFlags(record, values);
      if (values.key === undefined || values["password-stdin"]) {
        record.password = await hashPassword(await readNewPassword(values["password-stdin"]));
      }
      await store.update((all) => {
        if (all.has(name)) {
          throw new FerryError("exists", `Cannot add user "${name}": it was added meanwhile`);
        }
        all.set(name, record);
      });
      writeStderr(`Added user "${name}" (${presetName(record.permissions)})\n`);
      return 0;
    }
    case "set": {
      if (!existing) {
        throw new FerryError("not_found", `Cannot change user "${name}": no such user`);
      }
      let changed = existing;
      await store.update((all) => {
        changed = current(all, name, "change user");
        applyFlags(changed, values);
      });
      writeStderr(`Changed user "${name}": ${userFields(changed).join(", ")}\n`);
      return 0;
    }
    case "del":
      if (!existing) {
        throw new FerryError("not_found", `Cannot delete user "${name}": no such user`);
      }
      await store.update((all) => all.delete(name));
      writeStderr(`Deleted user "${name}"\n`);
      return 0;
    case "passwd": {
      if (!existing) {
        throw new FerryError("not_found", `Cannot change password of "${name}": no such user`);
      }
      const password = await hashPassword(await readNewPassword(values["password-stdin"]));
      await store.update((all) => {
        current(all, name, "change password of").password = password;
      });
      writeStderr(`Changed the password of "${name}"\n`);
      return 0;
    }
    default:
      throw new FerryError(
        "usage",
        `Unknown user command "${action}": use add, set, del, list, passwd or unlock`,
      );
  }
}
