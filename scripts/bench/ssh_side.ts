/**
 * The OpenSSH side of the benchmark: find (or install) OpenSSH, start the
 * private sshd, warm the clients up, and learn what they negotiate.
 *
 * @module
 */

import { capture } from "./proc_stats.ts";
import { findOpenSsh, installOpenSsh, type PrivateSshd, startPrivateSshd } from "./sshd.ts";
import { timedRun } from "./timed_run.ts";
import { scpTool, sftpTool, type Tool } from "./tools.ts";

/** Options of {@linkcode openSshSide}. */
export interface SshSideOptions {
  /** The working folder of the clients. */
  work: string;
  /** May install OpenSSH with apt (only as root and outside CI). */
  install: boolean;
  /** Writes one progress line to stderr. */
  note: (line: string) => void;
}

/** The running OpenSSH side. */
export interface SshSide {
  /** sftp and scp. */
  tools: Tool[];
  /** `ssh -V`. */
  version: string;
  /** What `scp` speaks by default, as seen in `scp -v`. */
  scpProtocol: string;
  /** The cipher ssh negotiated, as seen in `scp -v`. */
  cipher: string;
  /** Remarks for the report. */
  notes: string[];
  /** The private sshd. */
  sshd: PrivateSshd;
  /** Stops the private sshd. */
  stop(): Promise<void>;
}

async function mayInstall(options: SshSideOptions): Promise<boolean> {
  if (!options.install) {
    options.note("OpenSSH (sshd, sftp, scp) not found and --no-install given: ferry only");
    return false;
  }
  if (Deno.env.get("CI")) {
    options.note("OpenSSH (sshd, sftp, scp) not found and CI is set: not installing, ferry only");
    return false;
  }
  if ((await capture("id", ["-u"]).catch(() => "")).trim() !== "0") {
    options.note("OpenSSH (sshd, sftp, scp) not found and not root: cannot install, ferry only");
    return false;
  }
  options.note("OpenSSH (sshd, sftp, scp) not found: installing openssh-server and openssh-client");
  return await installOpenSsh(options.note);
}

/**
 * Starts the OpenSSH side, installing OpenSSH first when allowed and needed.
 *
 * @param options Working folder, install policy and progress output.
 * @returns The side, or `undefined` when OpenSSH is not available (the
 *   benchmark then runs ferry only and says so).
 */
export async function openSshSide(options: SshSideOptions): Promise<SshSide | undefined> {
  let paths = await findOpenSsh();
  if (paths === undefined && await mayInstall(options)) paths = await findOpenSsh();
  if (paths === undefined) return undefined;
  let sshd: PrivateSshd;
  try {
    sshd = await startPrivateSshd(paths);
  } catch (error) {
    options.note(`${error instanceof Error ? error.message : String(error)}: ferry only`);
    return undefined;
  }
  options.note(`private sshd (pid ${sshd.pid}) on 127.0.0.1:${sshd.port}, ${paths.version}`);
  const sftp = sftpTool(paths, sshd, options.work);
  const scp = scpTool(paths, sshd, options.work);
  try {
    // The first login also fills the private known_hosts.
    const list = sftp.list("");
    const warm = list && await timedRun(list);
    if (warm?.code !== 0) throw new Error(`Cannot log in with sftp: ${warm?.stderr.trim()}`);
    await Deno.writeTextFile(`${options.work}/probe.txt`, "probe\n");
    const verbose = scpTool(
      paths,
      { ...sshd, clientArgs: ["-v", ...sshd.clientArgs] },
      options.work,
    )
      .putFile("probe.txt", "probe.txt");
    const run = await timedRun(verbose);
    await Deno.remove(`${options.work}/probe.txt`);
    await Deno.remove(`${sshd.remoteRoot}/probe.txt`).catch(() => {});
    if (run.code !== 0) throw new Error(`Cannot copy with scp: ${run.stderr.trim().slice(-500)}`);
    const cipher = /kex: client->server cipher: (\S+)/.exec(run.stderr)?.[1] ?? "unknown";
    const scpProtocol = /Sending subsystem: sftp/.test(run.stderr)
      ? "sftp"
      : /Sending command: scp/.test(run.stderr)
      ? "scp (legacy)"
      : "unknown";
    return {
      tools: [sftp, scp],
      version: paths.version,
      scpProtocol,
      cipher,
      notes: [
        `OpenSSH: private sshd on 127.0.0.1:${sshd.port}, internal-sftp, ed25519 key login, ` +
        `cipher ${cipher}, no compression; \`scp\` speaks ${scpProtocol} by default`,
      ],
      sshd,
      stop: () => sshd.stop(),
    };
  } catch (error) {
    options.note(`${error instanceof Error ? error.message : String(error)}: ferry only`);
    await sshd.stop();
    return undefined;
  }
}
