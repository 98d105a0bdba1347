/**
 * A private OpenSSH server for the side-by-side benchmark: its own config,
 * port, throwaway host and client keys and PID file in a temporary folder.
 * It never touches the system's sshd, its config or `~/.ssh`.
 *
 * @module
 */

import { freePort } from "../free_port.ts";
import { capture } from "./proc_stats.ts";

/** The OpenSSH programs the benchmark needs. */
export interface OpenSshPaths {
  /** The server, as an absolute path (sshd re-executes itself). */
  sshd: string;
  /** The clients and key generator. */
  sftp: string;
  /** The scp client. */
  scp: string;
  /** The key generator. */
  sshKeygen: string;
  /** `ssh -V`, such as `OpenSSH_9.2p1 Debian-2+deb12u6, OpenSSL 3.0.19 27 Jan 2026`. */
  version: string;
}

/** A running private sshd. */
export interface PrivateSshd extends AsyncDisposable {
  /** The sshd listener's process id; sessions are its descendants. */
  pid: number;
  /** Its port on 127.0.0.1. */
  port: number;
  /** The user the clients log in as (the one running the benchmark). */
  user: string;
  /** The folder that remote paths point into (absolute). */
  remoteRoot: string;
  /** Options for `sftp`/`scp` (`-P port`, key, private known_hosts, no config file). */
  clientArgs: string[];
  /** What sshd wrote to stderr so far. */
  log(): string;
  /** Stops it by its PID and removes its folder. */
  stop(): Promise<void>;
}

async function which(name: string): Promise<string | undefined> {
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin"]) {
    try {
      if ((await Deno.stat(`${dir}/${name}`)).isFile) return `${dir}/${name}`;
    } catch {
      // not there
    }
  }
  return undefined;
}

/**
 * Finds sshd, sftp, scp and ssh-keygen.
 *
 * @returns Their paths, or `undefined` when one is missing.
 */
export async function findOpenSsh(): Promise<OpenSshPaths | undefined> {
  const [sshd, sftp, scp, sshKeygen, ssh] = await Promise.all(
    ["sshd", "sftp", "scp", "ssh-keygen", "ssh"].map(which),
  );
  if (!sshd || !sftp || !scp || !sshKeygen || !ssh) return undefined;
  const version = await new Deno.Command(ssh, { args: ["-V"], stderr: "piped" }).output();
  return { sshd, sftp, scp, sshKeygen, version: new TextDecoder().decode(version.stderr).trim() };
}

/**
 * Installs `openssh-server` and `openssh-client` with apt. With no init
 * system (or a `policy-rc.d` that says no) the package does not start the
 * system's sshd.
 *
 * @param note Where progress lines go (stderr).
 * @returns Whether the install succeeded.
 */
export async function installOpenSsh(note: (line: string) => void): Promise<boolean> {
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  for (
    const args of [["update", "-qq"], [
      "install",
      "-y",
      "-qq",
      "--no-install-recommends",
      "openssh-server",
      "openssh-client",
    ]]
  ) {
    note(`Running "apt-get ${args.join(" ")}"`);
    const run = await new Deno.Command("apt-get", { args, env, stdout: "null", stderr: "piped" })
      .output().catch(() => undefined);
    if (!run?.success) {
      note(`"apt-get ${args[0]}" failed: ${new TextDecoder().decode(run?.stderr).trim()}`);
      return false;
    }
  }
  return true;
}

function sshdConfig(dir: string, port: number, version: string): string {
  const [major = 0, minor = 0] = (/OpenSSH_(\d+)\.(\d+)/.exec(version) ?? []).slice(1)
    .map(Number);
  return [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${dir}/host_ed25519`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    "UsePAM no",
    "StrictModes no",
    "UseDNS no",
    "PrintMotd no",
    "X11Forwarding no",
    "AllowTcpForwarding no",
    // 16 clients connect at once; the default 10:30:100 drops some.
    "MaxStartups 100:30:200",
    ...(major > 9 || (major === 9 && minor >= 8) ? ["PerSourcePenalties no"] : []),
    "Subsystem sftp internal-sftp",
    "LogLevel ERROR",
    "",
  ].join("\n");
}

async function waitForPort(
  port: number,
  child: Deno.ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      if (performance.now() > deadline) {
        throw new Error(`Cannot start sshd: it did not listen on port ${port}:\n${log()}`);
      }
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 50)),
      ]);
      if (exited) throw new Error(`Cannot start sshd: it exited:\n${log()}`);
    }
  }
}

/**
 * Starts a private sshd (`-D -e -f CONFIG`) on a free loopback port.
 *
 * @param paths The OpenSSH programs.
 * @returns The running server; stop it with `stop()` or `await using`.
 */
export async function startPrivateSshd(paths: OpenSshPaths): Promise<PrivateSshd> {
  const dir = await Deno.makeTempDir({ prefix: "ferry-bench-sshd-" });
  const user = (await capture("id", ["-un"])).trim();
  for (const key of ["host_ed25519", "id_ed25519"]) {
    await capture(paths.sshKeygen, [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      key,
      "-f",
      `${dir}/${key}`,
    ]);
  }
  await Deno.copyFile(`${dir}/id_ed25519.pub`, `${dir}/authorized_keys`);
  await Deno.mkdir(`${dir}/remote`);
  // sshd running as root wants its privilege separation folder.
  if ((await capture("id", ["-u"])).trim() === "0") {
    await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  }
  const port = freePort();
  await Deno.writeTextFile(`${dir}/sshd_config`, sshdConfig(dir, port, paths.version));
  const child = new Deno.Command(paths.sshd, {
    args: ["-D", "-e", "-f", `${dir}/sshd_config`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) text += decoder.decode(chunk, { stream: true });
  })();
  const log = (): string => text;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    stopped ??= (async () => {
      try {
        Deno.kill(child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
      await reading;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();
  try {
    await waitForPort(port, child, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid: child.pid,
    port,
    user,
    remoteRoot: `${dir}/remote`,
    clientArgs: [
      "-P",
      String(port),
      "-F",
      "/dev/null",
      "-i",
      `${dir}/id_ed25519`,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      `UserKnownHostsFile=${dir}/known_hosts`,
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "BatchMode=yes",
      "-o",
      "LogLevel=ERROR",
    ],
    log,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
