/**
 * `server.ts config check|show` and `server.ts log [-n N] [--follow] [--json]`:
 * what an operator runs beside the server.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { FerryError } from "../../core/errors.ts";
import { AUDIT_FILE } from "../../server/audit_log.ts";
import { dataLayout } from "../../server/ferry_server.ts";
import { isPermission } from "../../server/permissions.ts";
import {
  CONFIG_FILE,
  CONFIG_SCHEMA,
  DEFAULT_CONFIG,
  flagOf,
  loadConfigFile,
} from "../../server/server_config.ts";
import { UserStore } from "../../server/user_store.ts";
import { SERVER_DEFAULTS, type StorageKind } from "../../sandbox/permission_flags.ts";
import { checkServerPermissions } from "../../sandbox/self_check.ts";
import { writeStderr, writeStdout } from "../shared/prompt.ts";

import { parseStorageKind } from "./server_args.ts";
import { openServerState } from "./server_storage.ts";

function out(text: string): Promise<void> {
  return writeStdout(text);
}

interface StateArgs {
  data: string;
  storage: StorageKind;
  state: string;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

type ExtraOptions = Record<string, { type: "boolean" | "string"; short?: string }>;

async function stateOf(args: string[], extra: ExtraOptions = {}): Promise<StateArgs> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: "string", default: SERVER_DEFAULTS.dataDir },
      storage: { type: "string", default: "local" },
      ...extra,
    },
  });
  const data = values.data as string;
  const storage = parseStorageKind(values.storage as string);
  await checkServerPermissions(
    { dataDir: data, hostname: "0.0.0.0", port: 7878, storage },
    "manage",
  );
  return { data, storage, state: dataLayout(data).state, values, positionals };
}

/** `config check` validates the config and users files; `config show` prints the effective settings. */
export async function runConfigCommand(args: string[]): Promise<number> {
  const { data, storage, state, positionals } = await stateOf(args);
  const [action] = positionals;
  const file = await loadConfigFile(state);
  if (action === "show") {
    const lines = (Object.keys(CONFIG_SCHEMA) as (keyof typeof CONFIG_SCHEMA)[]).map((key) => {
      const value = file[key] ?? DEFAULT_CONFIG[key];
      const source = key in file ? CONFIG_FILE : "default";
      return `${key.padEnd(26)} ${String(value).padEnd(8)} ${source.padEnd(11)} --${flagOf(key)}: ${
        CONFIG_SCHEMA[key].doc
      }`;
    });
    await out(lines.join("\n") + "\n");
    return 0;
  }
  if (action !== "check") {
    throw new FerryError("usage", "Usage: server.ts config check|show [--data DIR]");
  }
  const users = await new UserStore(await openServerState(data, storage)).load();
  for (const [name, record] of users) {
    const where = `users.json: user "${name}"`;
    const raw = record as unknown as Record<string, unknown>;
    if (!Array.isArray(raw.permissions) || !raw.permissions.every(isPermission)) {
      throw new FerryError(
        "usage",
        `${where}: "permissions" must list list/read/write/overwrite/delete/mkdir`,
      );
    }
    for (const key of ["quotaBytes", "quotaFiles"] as const) {
      const value = record[key];
      if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
        throw new FerryError("usage", `${where}: "${key}" must be a whole number, 0 or more`);
      }
    }
    if (!record.password && record.keys.length === 0) {
      writeStderr(`warning: ${where} has neither a password nor a key and cannot log in\n`);
    }
  }
  writeStderr(
    `${state}/${CONFIG_FILE}: OK (${
      Object.keys(file).length
    } keys set); users.json: OK (${users.size} users)\n`,
  );
  return 0;
}

function describe(line: string): string {
  try {
    const event = JSON.parse(line) as Record<string, unknown>;
    const { time, event: name, user, address, ...rest } = event;
    const who = user ? `${user}@${address ?? "?"}` : String(address ?? "-");
    const details = Object.entries(rest).map(([k, v]) =>
      `${k}=${typeof v === "string" ? JSON.stringify(v) : v}`
    );
    return `${time} ${String(name).padEnd(16)} ${who} ${details.join(" ")}`;
  } catch {
    return line;
  }
}

/**
 * Where the last `lines` lines of a file start, read backwards a block at
 * a time (the log may be large: it is never read whole).
 */
async function startOfLastLines(file: Deno.FsFile, lines: number): Promise<number> {
  let end = await file.seek(0, Deno.SeekMode.End);
  if (lines === 0) return end;
  const block = new Uint8Array(64 * 1024);
  let newlines = 0;
  let last = true;
  while (end > 0) {
    const start = Math.max(0, end - block.byteLength);
    await file.seek(start, Deno.SeekMode.Start);
    const piece = block.subarray(0, end - start);
    for (let done = 0; done < piece.byteLength;) {
      const n = await file.read(piece.subarray(done));
      if (n === null) break;
      done += n;
    }
    for (let i = piece.byteLength - 1; i >= 0; i--) {
      if (piece[i] !== 0x0a) continue;
      // The file's final line end closes the last line; it starts none.
      if (last && start + i === end - 1) continue;
      if (++newlines === lines) return start + i + 1;
    }
    last = false;
    end = start;
  }
  return 0;
}

function lineCount(text: string | boolean | undefined): number | undefined {
  if (text === undefined) return undefined;
  const lines = Number(text);
  if (typeof text !== "string" || !/^\d+$/.test(text) || !Number.isSafeInteger(lines)) {
    throw new FerryError("usage", `Cannot use -n "${String(text)}": expected a number of lines`);
  }
  return lines;
}

/**
 * `log` prints the audit log; `-n N` only its last N lines. `--follow`
 * then keeps printing what is appended; it starts at the end (with `-n N`,
 * N lines before it), as `tail -f` does.
 */
export async function runLogCommand(args: string[]): Promise<number> {
  const { state, values } = await stateOf(args, {
    follow: { type: "boolean", short: "f" },
    json: { type: "boolean" },
    lines: { type: "string", short: "n" },
  });
  const lines = lineCount(values.lines) ?? (values.follow ? 0 : undefined);
  const path = `${state}/${AUDIT_FILE}`;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new FerryError("not_found", `No audit log yet at "${path}"`);
    }
    throw error;
  }
  using _file = file;
  if (lines !== undefined) {
    await file.seek(await startOfLastLines(file, lines), Deno.SeekMode.Start);
  }
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(64 * 1024);
  let pending = "";
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) {
      if (!values.follow) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    pending += decoder.decode(buffer.subarray(0, n), { stream: true });
    const complete = pending.split("\n");
    pending = complete.pop() ?? "";
    await out(complete.map((line) => (values.json ? line : describe(line)) + "\n").join(""));
  }
  return 0;
}
