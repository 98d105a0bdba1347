/**
 * The one-shot client commands: what each does with a connected client, and
 * how it reports (human lines on stderr/stdout, or `--json` on stdout).
 *
 * @module
 */

import type { FerryClient, TransferResult } from "../client/ferry_client.ts";
import { downloadToFile, downloadToStdout, uploadFile } from "../client/local_files.ts";
import { FerryError } from "../errors.ts";
import type { Entry } from "../protocol/entry.ts";
import type { ClientOptions } from "./client_options.ts";
import { formatBytes, formatDuration, printable } from "./format.ts";
import { ProgressBar } from "./progress_bar.ts";
import { writeStderr } from "./prompt.ts";

const encoder = new TextEncoder();

async function writeStdout(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  for (let done = 0; done < bytes.byteLength;) {
    done += await Deno.stdout.write(bytes.subarray(done));
  }
}

function baseName(path: string): string {
  return path.replace(/\/+$/, "").split("/").at(-1) ?? "";
}

function need(args: string[], count: number, usage: string): void {
  if (args.length < count || args.length > count + (usage.includes("[") ? 1 : 0)) {
    throw new FerryError("usage", `Usage: client.ts ${usage}`);
  }
}

async function isLocalDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

async function remoteIsDirectory(client: FerryClient, path: string): Promise<boolean> {
  try {
    return (await client.stat(path)).kind === "dir";
  } catch (error) {
    if (error instanceof FerryError && error.code === "not_found") return false;
    throw error;
  }
}

async function report(
  options: ClientOptions,
  op: "get" | "put",
  paths: { remote: string; local: string },
  result: TransferResult,
  seconds: number,
): Promise<void> {
  if (options.json) {
    await writeStdout(JSON.stringify({ op, ...paths, ...result, seconds }) + "\n");
  } else if (!options.quiet) {
    const moved = result.entry.size - result.offset;
    const rate = seconds > 0 ? moved / seconds : 0;
    const resumed = result.offset > 0 ? `, resumed at ${formatBytes(result.offset)}` : "";
    writeStderr(
      `${op === "get" ? "Downloaded" : "Uploaded"} "${printable(paths.remote)}": ` +
        `${formatBytes(result.entry.size)} in ${formatDuration(seconds)} ` +
        `(${formatBytes(rate)}/s${resumed}), SHA-256 verified\n`,
    );
  }
}

async function transfer(
  options: ClientOptions,
  op: "get" | "put",
  paths: { remote: string; local: string },
  run: (onProgress: (done: number, total: number) => void) => Promise<TransferResult>,
): Promise<void> {
  const started = performance.now();
  let bar: ProgressBar | undefined;
  const enabled = !options.quiet && !options.json && Deno.stderr.isTerminal() &&
    paths.local !== "-";
  try {
    const result = await run((done, total) => {
      bar ??= new ProgressBar(op === "get" ? paths.remote : paths.local, total, { enabled });
      bar.update(done);
    });
    bar?.finish();
    await report(options, op, paths, result, (performance.now() - started) / 1000);
  } catch (error) {
    bar?.clear();
    throw error;
  }
}

function entryLine(entry: Entry): string {
  const kind = entry.kind === "dir" ? "d" : "-";
  const size = entry.kind === "dir" ? "-" : formatBytes(entry.size);
  const when = entry.mtime > 0
    ? new Date(entry.mtime).toISOString().slice(0, 16).replace("T", " ")
    : "";
  return `${kind} ${size.padStart(10)}  ${when.padEnd(16)}  ${printable(entry.name)}${
    entry.kind === "dir" ? "/" : ""
  }`;
}

/**
 * Runs `options.command` on a connected client.
 *
 * @returns The exit code.
 * @throws {FerryError} for anything that failed.
 */
export async function runCommand(client: FerryClient, options: ClientOptions): Promise<number> {
  const args = options.args;
  switch (options.command) {
    case "get": {
      need(args, 1, "get <remote> [local|-]");
      const remote = args[0] as string;
      let local = args[1] ?? baseName(remote);
      if (local !== "-" && (local.endsWith("/") || await isLocalDirectory(local))) {
        local = `${local.replace(/\/+$/, "")}/${baseName(remote)}`;
      }
      await transfer(
        options,
        "get",
        { remote, local },
        (onProgress) =>
          local === "-"
            ? downloadToStdout(client, remote, { onProgress })
            : downloadToFile(client, remote, local, { force: options.force, onProgress }),
      );
      return 0;
    }
    case "put": {
      need(args, 1, "put <local> [remote]");
      const local = args[0] as string;
      let remote = args[1] ?? baseName(local);
      if (remote === "" || remote.endsWith("/") || await remoteIsDirectory(client, remote)) {
        remote = `${remote.replace(/\/+$/, "")}/${baseName(local)}`.replace(/^\//, "");
      }
      await transfer(
        options,
        "put",
        { remote, local },
        (onProgress) => uploadFile(client, local, remote, { force: options.force, onProgress }),
      );
      return 0;
    }
    case "ls": {
      need(args, 0, "ls [dir]");
      const entries = await client.list(args[0] ?? "");
      await writeStdout(
        options.json
          ? JSON.stringify(entries) + "\n"
          : entries.map((e) => entryLine(e) + "\n").join(""),
      );
      return 0;
    }
    case "stat": {
      need(args, 1, "stat <path>");
      const entry = await client.stat(args[0] as string);
      await writeStdout(options.json ? JSON.stringify(entry) + "\n" : entryLine(entry) + "\n");
      return 0;
    }
    case "rm":
      need(args, 1, "rm <path>");
      await client.remove(args[0] as string);
      break;
    case "mkdir":
      need(args, 1, "mkdir <dir>");
      await client.mkdir(args[0] as string);
      break;
    case "rmdir":
      need(args, 1, "rmdir [-r] <dir>");
      await client.rmdir(args[0] as string, options.recursive);
      break;
    case "mv":
      need(args, 2, "mv <from> <to>");
      await client.rename(args[0] as string, args[1] as string, options.force);
      break;
    case "help": {
      const commands = await client.help();
      await writeStdout(
        options.json
          ? JSON.stringify(commands) + "\n"
          : commands.map((c) => `${c.name.padEnd(8)} ${c.summary}\n`).join(""),
      );
      return 0;
    }
    default:
      throw new FerryError("usage", `Unknown command "${options.command}": see "client.ts --help"`);
  }
  if (options.json) await writeStdout(JSON.stringify({ op: options.command, ok: true }) + "\n");
  return 0;
}
