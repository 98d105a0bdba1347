/**
 * `server.ts user add|set|del|list|passwd|unlock`: manage the users file (in
 * `DATA/state`, or in the bucket with `--storage s3`, where every ferryd on
 * it sees the change within a second).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { FerryError } from "../../core/errors.ts";
import { hashPassword } from "../../server/password_hash.ts";
import { checkUserName, type UserRecord, UserStore } from "../../server/user_store.ts";
import { presetName, PRESETS } from "../../server/permissions.ts";
import { DEFAULT_CONFIG, loadConfigFile } from "../../server/server_config.ts";
import { dataLayout } from "../../core/defaults.ts";
import { addressKey, recordUnlock, userKey } from "../../server/unlocks.ts";
import type { StateStore } from "../../storage/state_store.ts";
import { describeUser, userFields, userLines } from "./user_display.ts";
import { applyFlags } from "./user_flags.ts";
import { promptSecret, readLine, writeStderr, writeStdout } from "../shared/prompt.ts";
import { DATA_OPTIONS, parseStorageKind } from "./server_args.ts";
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

/** The record of `name` as the users file holds it now (another writer may have removed it). */
function current(users: Map<string, UserRecord>, name: string, action: string): UserRecord {
  const record = users.get(name);
  if (record === undefined) {
    throw new FerryError("not_found", `Cannot ${action} "${name}": no such user`);
  }
  return record;
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

/** The flags of every `user` subcommand. */
const USER_FLAGS = {
  ...DATA_OPTIONS,
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
} as const;

/** The parsed words of a `user` subcommand. */
type UserArgs = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof USER_FLAGS }>
>;

/** The parsed flags of a `user` subcommand. */
type UserValues = UserArgs["values"];

function parseUserArgs(args: string[]): UserArgs {
  return parseArgs({ args, allowPositionals: true, options: USER_FLAGS });
}

/** What a subcommand on one named user gets: the store, the name, its record now, the flags. */
interface NamedUser {
  store: UserStore;
  name: string;
  existing: UserRecord | undefined;
  values: UserValues;
}

/** Throws `not_found` unless the user exists; returns the record. */
function existingUser({ name, existing }: NamedUser, action: string): UserRecord {
  if (!existing) throw new FerryError("not_found", `Cannot ${action} "${name}": no such user`);
  return existing;
}

/** `user add NAME`: a new user, read-write unless the flags say otherwise. */
async function addUser({ store, name, existing, values }: NamedUser): Promise<void> {
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
}

/** `user set NAME`: changes permissions, home, quotas or keys. */
async function setUser(user: NamedUser): Promise<void> {
  let changed = existingUser(user, "change user");
  await user.store.update((all) => {
    changed = current(all, user.name, "change user");
    applyFlags(changed, user.values);
  });
  writeStderr(`Changed user "${user.name}": ${userFields(changed).join(", ")}\n`);
}

/** `user del NAME`. */
async function deleteUser(user: NamedUser): Promise<void> {
  existingUser(user, "delete user");
  await user.store.update((all) => all.delete(user.name));
  writeStderr(`Deleted user "${user.name}"\n`);
}

/** `user passwd NAME`: a new password, typed twice or from stdin. */
async function changePassword(user: NamedUser): Promise<void> {
  existingUser(user, "change password of");
  const password = await hashPassword(await readNewPassword(user.values["password-stdin"]));
  await user.store.update((all) => {
    current(all, user.name, "change password of").password = password;
  });
  writeStderr(`Changed the password of "${user.name}"\n`);
}

/** The subcommands on one named user. */
const NAMED_ACTIONS: Record<string, (user: NamedUser) => Promise<void>> = {
  add: addUser,
  set: setUser,
  del: deleteUser,
  passwd: changePassword,
};

/** `user list [--json]`: every user, a line each (or one JSON array). */
async function listUsers(store: UserStore, json: boolean): Promise<number> {
  const users = await store.load();
  const text = json
    ? JSON.stringify([...users].map(([user, record]) => describeUser(user, record))) + "\n"
    : userLines(users).map((line) => `${line}\n`).join("");
  await writeStdout(text);
  return 0;
}

/**
 * Runs one `user` subcommand: `add`, `set`, `del`, `list`, `passwd`, `unlock`.
 *
 * @param args The arguments after `user`.
 * @returns The exit code.
 */
export async function runUserCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseUserArgs(args);
  const [action, name] = positionals;
  const state = await openServerState(values.data, parseStorageKind(values.storage));
  const store = new UserStore(state);
  if (action === "list") return await listUsers(store, values.json);
  if (action === "unlock") return await unlock(state, values.data, name, values.address);
  if (name === undefined || positionals.length > 2) {
    throw new FerryError(
      "usage",
      `Usage: server.ts user ${action ?? "add|set|del|list|passwd|unlock"} NAME`,
    );
  }
  checkUserName(name);
  const existing = (await store.load()).get(name);
  const run = Object.hasOwn(NAMED_ACTIONS, action as string)
    ? NAMED_ACTIONS[action as string]
    : undefined;
  if (run === undefined) {
    throw new FerryError(
      "usage",
      `Unknown user command "${action}": use add, set, del, list, passwd or unlock`,
    );
  }
  await run({ store, name, existing, values });
  return 0;
}
