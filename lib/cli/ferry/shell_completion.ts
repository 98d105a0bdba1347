/**
 * Tab completion in the shell: the first word completes to a command; the
 * others to local names for `put`, `lcd` and `lls`, and to remote names
 * (listed from the server) for every other command. Names with spaces or
 * quotes are completed with backslashes, as the shell reads them.
 *
 * @module
 */

import type { FerryClient } from "../../client/ferry_client.ts";
import { CLIENT_COMMANDS, SHELL_WORDS } from "./command_table.ts";
import type { Completion } from "./line_editor.ts";
import { resolveRemote } from "../../core/remote_path.ts";

/** The words of the shell (commands and its own). */
export const SHELL_COMMANDS: readonly string[] = SHELL_WORDS;

const LOCAL_COMMANDS = new Set(
  CLIENT_COMMANDS.filter((command) => command.localNames).map((command) => command.name),
);

function escape(name: string): string {
  return name.replace(/[\\\s'"#]/g, "\\$&");
}

function unescape(word: string): string {
  return word.replace(/\\(.)/g, "$1");
}

/** The start of the word that ends at `cursor` (a backslash-escaped space is inside it). */
function wordStart(line: string, cursor: number): number {
  let start = cursor;
  while (start > 0 && !(/\s/.test(line[start - 1] as string) && line[start - 2] !== "\\")) start--;
  return start;
}

async function localNames(dir: string): Promise<{ name: string; isDir: boolean }[]> {
  const names: { name: string; isDir: boolean }[] = [];
  try {
    for await (const entry of Deno.readDir(dir === "" ? "." : dir)) {
      names.push({ name: entry.name, isDir: entry.isDirectory });
    }
  } catch {
    // nothing to offer
  }
  return names;
}

/**
 * The completer of a shell session.
 *
 * @param session The client and the current remote folder (read at each Tab).
 */
export function shellCompleter(
  session: { client: FerryClient; cwd: string },
): (line: string, cursor: number) => Promise<Completion> {
  return async (line, cursor) => {
    const start = wordStart(line, cursor);
    const typed = unescape(line.slice(start, cursor));
    const before = line.slice(0, start).trim();
    if (before === "") {
      return { start, candidates: SHELL_COMMANDS.filter((name) => name.startsWith(typed)) };
    }
    const command = before.split(/\s+/)[0] as string;
    const slash = typed.lastIndexOf("/");
    const dir = typed.slice(0, slash + 1);
    const prefix = typed.slice(slash + 1);
    let names: { name: string; isDir: boolean }[];
    if (LOCAL_COMMANDS.has(command)) {
      names = await localNames(dir);
    } else {
      try {
        const entries = await session.client.list(resolveRemote(session.cwd, dir));
        names = entries.map((entry) => ({ name: entry.name, isDir: entry.kind === "dir" }));
      } catch {
        names = [];
      }
    }
    const candidates = names
      .filter(({ name }) => name.startsWith(prefix) && (prefix.startsWith(".") || name[0] !== "."))
      .map(({ name, isDir }) => escape(dir + name) + (isDir ? "/" : ""))
      .sort();
    return { start, candidates };
  };
}
