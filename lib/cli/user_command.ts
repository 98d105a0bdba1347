/**
 * `server.ts user add|del|list|passwd`: manage the users file.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import { FerryError } from "../errors.ts";
import { checkServerPermissions } from "../sandbox/self_check.ts";
import { hashPassword } from "../server/password_hash.ts";
import { dataLayout } from "../server/ferry_server.ts";
import { checkUserName, type UserRecord, UserStore } from "../server/user_store.ts";
import { promptSecret, readLine, writeStderr } from "./prompt.ts";

const encoder = new TextEncoder();

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

/**
 * Runs one `user` subcommand.
 *
 * @param args The arguments after `user`.
 * @returns The exit code.
 */
export async function runUserCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: "string", default: "./data" },
      "read-only": { type: "boolean", default: false },
      "password-stdin": { type: "boolean", default: false },
      key: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const [action, name] = positionals;
  await checkServerPermissions({ dataDir: values.data, hostname: "0.0.0.0", port: 7878 }, "manage");
  const { state } = dataLayout(values.data);
  await Deno.mkdir(state, { recursive: true, mode: 0o700 });
  const store = new UserStore(state);
  if (action === "list") {
    const users = [...(await store.load())].map(([user, record]) => ({
      name: user,
      role: record.role,
      password: record.password !== undefined,
      keys: record.keys.length,
    }));
    const text = values.json
      ? JSON.stringify(users) + "\n"
      : users.map((u) =>
        `${u.name}\t${u.role}\tpassword:${u.password ? "yes" : "no"}\tkeys:${u.keys}\n`
      )
        .join("");
    await Deno.stdout.write(encoder.encode(text));
    return 0;
  }
  if (name === undefined || positionals.length > 2) {
    throw new FerryError("usage", `Usage: server.ts user ${action ?? "add|del|list|passwd"} NAME`);
  }
  checkUserName(name);
  const users = await store.load();
  switch (action) {
    case "add": {
      if (users.has(name)) throw new FerryError("exists", `Cannot add user "${name}": it exists`);
      const record: UserRecord = {
        role: values["read-only"] ? "read-only" : "read-write",
        keys: [],
      };
      if (values.key !== undefined) record.keys.push(parseKey(values.key));
      if (values.key === undefined || values["password-stdin"]) {
        record.password = await hashPassword(await readNewPassword(values["password-stdin"]));
      }
      await store.update((all) => all.set(name, record));
      writeStderr(`Added user "${name}" (${record.role})\n`);
      return 0;
    }
    case "del":
      if (!users.has(name)) {
        throw new FerryError("not_found", `Cannot delete user "${name}": no such user`);
      }
      await store.update((all) => all.delete(name));
      writeStderr(`Deleted user "${name}"\n`);
      return 0;
    case "passwd": {
      const record = users.get(name);
      if (!record) {
        throw new FerryError("not_found", `Cannot change password of "${name}": no such user`);
      }
      const password = await hashPassword(await readNewPassword(values["password-stdin"]));
      await store.update((all) => all.set(name, { ...record, password }));
      writeStderr(`Changed the password of "${name}"\n`);
      return 0;
    }
    default:
      throw new FerryError(
        "usage",
        `Unknown user command "${action}": use add, del, list or passwd`,
      );
  }
}
