/**
 * The three clients under test, as commands: the ferry CLI, OpenSSH `sftp`
 * (batch mode) and `scp`. Local paths are relative to the working folder;
 * remote paths are relative to the server's root.
 *
 * @module
 */

import { dataLayout } from "../../lib/core/defaults.ts";
import { ferryCommandLine } from "../ferry.ts";
import type { OpenSshPaths, PrivateSshd } from "./sshd.ts";
import type { CommandSpec } from "./timed_run.ts";

/** The name of a client under test. */
export type ToolName = "ferry" | "sftp" | "scp";

/** A client under test and the server it talks to. */
export interface Tool {
  /** Its name. */
  name: ToolName;
  /** The server's process id (ferryd, or the sshd listener). */
  serverPid: number;
  /** The local folder that the server's remote root maps to. */
  remoteRoot: string;
  /** Uploads one file. */
  putFile(local: string, remote: string): CommandSpec;
  /** Downloads one file. */
  getFile(remote: string, local: string): CommandSpec;
  /** Uploads a folder tree (`remote` does not exist yet). */
  putTree(local: string, remote: string): CommandSpec;
  /** Downloads a folder tree (`local` does not exist yet). */
  getTree(remote: string, local: string): CommandSpec;
  /** Connects, authenticates, lists `remote` and disconnects; `undefined` when it cannot. */
  list(remote: string): CommandSpec | undefined;
}

/** The ferry client, which can always list. */
export type FerryTool = Omit<Tool, "list"> & { list(remote: string): CommandSpec };

/** What the ferry client needs. */
export interface FerryToolOptions {
  /** ferryd's process id. */
  serverPid: number;
  /** `127.0.0.1:port`. */
  server: string;
  /** ferryd's data folder (remote files are in `files/`). */
  dataDir: string;
  /** The working folder. */
  work: string;
  /** The client's state folder (`FERRY_HOME`). */
  home: string;
  /** The user. */
  user: string;
  /** The identity file for key login, or the password. */
  login: { identity: string } | { password: string };
  /** What runs ferry, as the launcher would: its bundle, or `client.ts` (when undefined). */
  clientEntry: string | undefined;
}

/**
 * The ferry CLI, run exactly as `deno task client` runs it: `deno run` with
 * the client's sandbox flags from the launcher (scripts/ferry.ts).
 *
 * @param options Server, folders and login.
 * @returns The tool.
 */
export function ferryTool(options: FerryToolOptions): FerryTool {
  const env: Record<string, string> = { FERRY_USER: options.user };
  const login: string[] = [];
  if ("identity" in options.login) login.push("--identity", options.login.identity);
  else env.FERRY_PASSWORD = options.login.password;
  const command = (...args: string[]): CommandSpec =>
    ferryCommandLine(["--quiet", ...login, ...args], {
      server: options.server,
      work: options.work,
      home: options.home,
      env,
      clientEntry: options.clientEntry,
    });
  return {
    name: "ferry",
    serverPid: options.serverPid,
    remoteRoot: dataLayout(options.dataDir).files,
    putFile: (local, remote) => command("put", local, remote),
    getFile: (remote, local) => command("get", remote, local),
    putTree: (local, remote) => command("put", "-r", local, remote),
    getTree: (remote, local) => command("get", "-r", remote, local),
    list: (remote) => command("ls", remote),
  };
}

/**
 * OpenSSH `sftp -b -` (commands on stdin; the first failing command fails the
 * run) against the private sshd.
 *
 * @param paths The OpenSSH programs.
 * @param sshd The private server.
 * @param work The working folder.
 * @returns The tool.
 */
export function sftpTool(paths: OpenSshPaths, sshd: PrivateSshd, work: string): Tool {
  const root = sshd.remoteRoot;
  const batch = (line: string): CommandSpec => ({
    command: paths.sftp,
    args: ["-q", "-b", "-", ...sshd.clientArgs, `${sshd.user}@127.0.0.1`],
    cwd: work,
    stdin: `${line}\n`,
  });
  return {
    name: "sftp",
    serverPid: sshd.pid,
    remoteRoot: root,
    putFile: (local, remote) => batch(`put ${local} ${root}/${remote}`),
    getFile: (remote, local) => batch(`get ${root}/${remote} ${local}`),
    putTree: (local, remote) => batch(`put -r ${local} ${root}/${remote}`),
    getTree: (remote, local) => batch(`get -r ${root}/${remote} ${local}`),
    list: (remote) => batch(`ls ${root}/${remote}`),
  };
}

/**
 * OpenSSH `scp` with its default protocol (SFTP since OpenSSH 9.0; `-O` would
 * be the legacy one) against the private sshd. It cannot list a folder.
 *
 * @param paths The OpenSSH programs.
 * @param sshd The private server.
 * @param work The working folder.
 * @returns The tool.
 */
export function scpTool(paths: OpenSshPaths, sshd: PrivateSshd, work: string): Tool {
  const root = sshd.remoteRoot;
  const host = `${sshd.user}@127.0.0.1:`;
  const scp = (...args: string[]): CommandSpec => ({
    command: paths.scp,
    args: ["-q", ...sshd.clientArgs, ...args],
    cwd: work,
  });
  return {
    name: "scp",
    serverPid: sshd.pid,
    remoteRoot: root,
    putFile: (local, remote) => scp(local, `${host}${root}/${remote}`),
    getFile: (remote, local) => scp(`${host}${root}/${remote}`, local),
    putTree: (local, remote) => scp("-r", local, `${host}${root}/${remote}`),
    getTree: (remote, local) => scp("-r", `${host}${root}/${remote}`, local),
    list: () => undefined,
  };
}
