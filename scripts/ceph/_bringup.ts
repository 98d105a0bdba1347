/**
 * The steps of a Ceph bring-up, for `cluster.ts`.
 *
 * @module
 */

import { freePort } from "../free_port.ts";
import { cephConf, monAddrs } from "./_conf.ts";
import { isAlive } from "./_stop.ts";
import type { CephClusterInfo, StartCephClusterOptions } from "./cluster.ts";

const GIB = 1024 * 1024 * 1024;
const decoder = new TextDecoder();

/**
 * One bring-up, step by step (see `../../../shared/CEPH.md`): keyrings,
 * monitor, OSD on a sparse bluestore file, gateway, S3 user. Every daemon's
 * PID is pushed to `started` as soon as it is spawned, so the caller can
 * stop them whatever happens.
 */
export class Bringup {
  #dir: string;
  #conf: string;
  #options: StartCephClusterOptions;
  #started: number[];
  #step: (step: string) => void;
  #children: Deno.ChildProcess[] = [];

  /**
   * @param dir The cluster's temporary folder.
   * @param options Ports, size, detach.
   * @param started Where the daemons' PIDs go.
   * @param step Progress callback.
   */
  constructor(
    dir: string,
    options: StartCephClusterOptions,
    started: number[],
    step: (step: string) => void,
  ) {
    this.#dir = dir;
    this.#conf = `${dir}/ceph.conf`;
    this.#options = options;
    this.#started = started;
    this.#step = step;
  }

  /** Runs every step; returns the endpoint, keys and folder. */
  async run(): Promise<Omit<CephClusterInfo, "pids" | "bringUpMs" | "installMs">> {
    const d = this.#dir;
    for (const sub of ["keyring", "run", "log", "crash", "mon", "osd/ceph-0", "rgw", "block"]) {
      await Deno.mkdir(`${d}/${sub}`, { recursive: true });
    }
    const ports = { monV2Port: freePort(), monV1Port: freePort() };
    const rgwPort = this.#options.rgwPort ?? freePort();
    const fsid = crypto.randomUUID();
    await Deno.writeTextFile(
      this.#conf,
      cephConf({
        dir: d,
        fsid,
        ...ports,
        rgwPort,
        blockBytes: this.#options.blockBytes ?? 10 * GIB,
      }),
    );

    this.#step("creating the monitor");
    const monKeyring = `${d}/keyring/ceph.mon.keyring`;
    const adminKeyring = `${d}/keyring/ceph.client.admin.keyring`;
    await this.#tool("ceph-authtool", [
      monKeyring,
      "--create-keyring",
      "--gen-key",
      "-n",
      "mon.",
      "--cap",
      "mon",
      "allow *",
    ]);
    await this.#tool("ceph-authtool", [
      adminKeyring,
      "--create-keyring",
      "--gen-key",
      "-n",
      "client.admin",
      "--cap",
      "mon",
      "allow *",
      "--cap",
      "osd",
      "allow *",
      "--cap",
      "mgr",
      "allow *",
    ]); // deno-fmt-ignore
    await this.#tool("ceph-authtool", [monKeyring, "--import-keyring", adminKeyring]);
    await this.#tool("monmaptool", [
      "--create",
      "--fsid",
      fsid,
      "--addv",
      "a",
      monAddrs(ports),
      `${d}/monmap`,
    ]);
    await this.#tool("ceph-mon", [
      "--mkfs",
      "-i",
      "a",
      "--monmap",
      `${d}/monmap`,
      "--keyring",
      monKeyring,
      "-c",
      this.#conf,
    ]);
    this.#spawn("ceph-mon", ["-f", "-i", "a", "-c", this.#conf]);

    this.#step("creating the OSD");
    const uuid = crypto.randomUUID();
    const key = (await this.#tool("ceph-authtool", ["--gen-print-key"])).trim();
    const id =
      (await this.#ceph(["osd", "new", uuid, "-i", "-"], JSON.stringify({ cephx_secret: key })))
        .trim();
    await Deno.writeTextFile(
      `${d}/keyring/ceph.osd.${id}.keyring`,
      `[osd.${id}]\n\tkey = ${key}\n`,
    );
    await this.#tool("ceph-osd", ["-i", id, "--mkfs", "--osd-uuid", uuid, "-c", this.#conf]);
    this.#spawn("ceph-osd", ["-f", "-i", id, "-c", this.#conf]);
    await this.#waitFor("the OSD to come up", 90_000, async () => {
      const dump = JSON.parse(await this.#ceph(["osd", "dump", "--format", "json"]));
      return dump.osds?.[0]?.up === 1;
    });

    this.#step("starting the RADOS Gateway");
    await this.#ceph([
      "auth",
      "get-or-create",
      "client.rgw.gw",
      "mon",
      "allow rw",
      "osd",
      "allow rwx",
      "-o",
      `${d}/keyring/ceph.client.rgw.gw.keyring`,
    ]); // deno-fmt-ignore
    await Deno.mkdir(`${d}/rgw/ceph-rgw.gw`, { recursive: true });
    this.#spawn("radosgw", ["-f", "-n", "client.rgw.gw", "-c", this.#conf]);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await this.#waitFor("the RADOS Gateway to answer", 120_000, async () => {
      try {
        const response = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        return response.status === 200;
      } catch {
        return false;
      }
    });

    this.#step("creating the S3 user");
    const accessKey = randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 20);
    const secretKey = randomText(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
      40,
    );
    await this.#tool("radosgw-admin", [
      "-c",
      this.#conf,
      "user",
      "create",
      "--uid=ferry",
      "--display-name=ferry",
      `--access-key=${accessKey}`,
      `--secret-key=${secretKey}`,
    ]); // deno-fmt-ignore
    for (const child of this.#children) if (this.#options.detach) child.unref();
    return { endpoint, accessKey, secretKey, region: "default", dir: d };
  }

  #spawn(program: string, args: string[]): void {
    const child = new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    this.#children.push(child);
    this.#started.push(child.pid);
    // Reap it when it exits, so a stop by PID never leaves a zombie behind.
    child.status.catch(() => {});
  }

  async #waitFor(what: string, ms: number, ready: () => Promise<boolean>): Promise<void> {
    const deadline = performance.now() + ms;
    while (!(await ready().catch(() => false))) {
      const dead = await this.#deadDaemon();
      if (dead !== undefined) {
        throw new Error(`Cannot bring up Ceph: ${dead} exited\n${await this.#logTails()}`);
      }
      if (performance.now() > deadline) {
        throw new Error(
          `Cannot bring up Ceph: timed out waiting for ${what}\n${await this.#logTails()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async #deadDaemon(): Promise<string | undefined> {
    for (const pid of this.#started) {
      if (!(await isAlive(pid))) return `process ${pid}`;
    }
    return undefined;
  }

  async #logTails(): Promise<string> {
    const parts: string[] = [];
    for await (const entry of Deno.readDir(`${this.#dir}/log`)) {
      const text = await Deno.readTextFile(`${this.#dir}/log/${entry.name}`).catch(() => "");
      parts.push(`--- ${entry.name}\n${text.trim().split("\n").slice(-15).join("\n")}`);
    }
    return parts.join("\n");
  }

  #ceph(args: string[], input?: string): Promise<string> {
    return this.#tool("ceph", ["-c", this.#conf, "--connect-timeout", "20", ...args], input);
  }

  async #tool(program: string, args: string[], input?: string): Promise<string> {
    const child = new Deno.Command(program, {
      args,
      stdin: input === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (input !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(input));
      await writer.close();
    }
    const output = await child.output();
    if (!output.success) {
      throw new Error(
        `Cannot bring up Ceph: "${program} ${args.join(" ")}" failed with code ${output.code}: ${
          decoder.decode(output.stderr).trim() || decoder.decode(output.stdout).trim()
        }`,
      );
    }
    return decoder.decode(output.stdout);
  }
}

function randomText(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}
