/**
 * The fuzz loop: logs in, sends hostile actions (`hostile_messages.ts`),
 * and after each one checks what a hostile client must not be able to do:
 * kill ferryd, starve another session, make a partial or refused upload
 * visible, grow ferryd's memory past a bound, keep a lock or a request slot
 * after `CANCEL`, or leave small partials behind.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { MessageType } from "../../lib/protocol/message_type.ts";
import { rssMiB } from "../harness/process_memory.ts";
import { openRawSession, type RawSession, type ServerMessage } from "../harness/raw_session.ts";
import { FUZZ_DIR, type HostileAction, hostileAction } from "./hostile_messages.ts";
import { Prng } from "./prng.ts";

/** Options of {@linkcode runFuzz}. */
export interface FuzzOptions {
  /** ferryd's port on 127.0.0.1. */
  port: number;
  /** ferryd's data folder (checked behind its back). */
  dataDir: string;
  /** ferryd's process. */
  server: Deno.ChildProcess;
  /** The seed: the same seed sends the same messages. */
  seed: number;
  /** How many actions to send. */
  actions: number;
  /** Stop early after this long (ms), whatever is left. */
  maxMs: number;
  /** ferryd's resident memory must stay below this (MiB). */
  rssBoundMiB: number;
  /** A session ends (cancelling what it left) after this many actions. */
  actionsPerSession?: number;
}

/** What a fuzz run saw. */
export interface FuzzReport {
  /** Actions sent. */
  actions: number;
  /** Fuzz sessions opened. */
  sessions: number;
  /** Sessions the server ended, after an `ERROR` as it should. */
  closesWithError: number;
  /** Actions by class. */
  byName: Record<string, number>;
  /** The highest resident memory seen (MiB). */
  peakRssMiB: number;
  /** Every broken promise, with the seed and action that broke it. */
  violations: string[];
}

const encoder = new TextEncoder();

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The paths named by the requests of an action (valid or not), with their ids. */
function requestedPaths(action: HostileAction): string[] {
  const paths: string[] = [];
  for (const plaintext of action.messages) {
    if (plaintext[0] !== MessageType.REQUEST) continue;
    try {
      const request = JSON.parse(new TextDecoder().decode(plaintext.subarray(5)));
      for (const key of ["path", "from", "to"]) {
        const path = request?.[key];
        // Only the fuzz folder's plain names: the others are refused before any lock.
        if (typeof path === "string" && /^fz\/[a-z0-9.]{1,8}$/.test(path)) paths.push(path);
      }
    } catch {
      // not JSON: names no path
    }
  }
  return paths;
}

/** Whether a message ends its request (the first `REPLY` of a put or get does not). */
function endsRequest(message: ServerMessage): boolean {
  if (message.type === MessageType.ERROR || message.type === MessageType.END) return true;
  if (message.type !== MessageType.REPLY) return false;
  const keys = Object.keys((message.json ?? {}) as object).sort().join(",");
  return keys !== "offset" && keys !== "entry,offset";
}

/** A fuzz session: its connection, and which of its requests have ended. */
class FuzzSession {
  readonly session: RawSession;
  readonly ended = new Set<number>();
  readonly started = new Set<number>();
  /** How each ended request ended (an error code, or the message type), for the report. */
  readonly endings = new Map<number, string>();
  lastMessage: ServerMessage | undefined;
  closed = false;
  #reading = true;
  #resume: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(session: RawSession) {
    this.session = session;
    this.done = this.#drain();
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (!this.#reading) await new Promise<void>((resolve) => this.#resume = resolve);
      const message = await this.session.next(60_000);
      if (message === "timeout") continue;
      if (message === null) {
        this.closed = true;
        return;
      }
      this.lastMessage = message;
      if (endsRequest(message)) {
        this.ended.add(message.id);
        const code = (message.json as { code?: string } | undefined)?.code;
        this.endings.set(message.id, code ?? `type ${message.type}`);
      }
    }
  }

  pauseReading(): void {
    this.#reading = false;
  }

  resumeReading(): void {
    this.#reading = true;
    this.#resume?.();
    this.#resume = undefined;
  }

  live(): number[] {
    return [...this.started].filter((id) => !this.ended.has(id));
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) =>
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The SHA-256 of every file in the fuzz folder, behind ferryd's back. */
async function storedHashes(dataDir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path, `${prefix}${entry.name}/`);
      else if (entry.isFile) found.set(`${prefix}${entry.name}`, sha256(await Deno.readFile(path)));
    }
  };
  await walk(`${dataDir}/files/${FUZZ_DIR}`, `${FUZZ_DIR}/`);
  return found;
}

/** Small partial uploads left in the state folder. */
async function smallPartials(dataDir: string): Promise<string[]> {
  const left: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${dataDir}/state/partial`)) {
      if (!entry.name.endsWith(".part")) continue;
      const { size } = await Deno.stat(`${dataDir}/state/partial/${entry.name}`);
      if (size < 1024 * 1024) left.push(`${entry.name} (${size} bytes)`);
    }
  } catch {
    // no partial folder yet
  }
  return left;
}

/** The observer: a second session that must keep working, and that checks locks. */
class Observer {
  #session: RawSession;
  #nextId = 1;
  /** Contents the observer itself committed. */
  readonly commits = new Set<string>();

  constructor(session: RawSession) {
    this.#session = session;
  }

  /** Sends a request and waits for its end. */
  async #ask(value: unknown, ms = 5000): Promise<ServerMessage> {
    const id = this.#nextId++;
    await this.#session.request(id, value);
    const end = await this.#session.untilEnd(id, endsRequest, ms);
    if (end === null) throw new Error("the server closed the observer's session");
    return end;
  }

  /** `stat` of the root: the server still serves another session. */
  async alive(): Promise<void> {
    const end = await this.#ask({ op: "stat", path: "" });
    if (end.type !== MessageType.REPLY) throw new Error(`stat failed: ${JSON.stringify(end.json)}`);
  }

  /** Makes the fuzz folder (no matter if it exists). */
  async makeFolder(): Promise<void> {
    await this.#ask({ op: "mkdir", path: FUZZ_DIR });
  }

  /**
   * Puts a small file at `path` (replacing it), retrying while it is `busy`
   * for up to `ms` (a dropped connection lets go of its locks a moment later).
   */
  async putOver(path: string, ms: number): Promise<void> {
    const bytes = encoder.encode(`observer ${path} ${this.#nextId}`);
    const hash = sha256(bytes);
    const deadline = Date.now() + ms;
    for (;;) {
      const id = this.#nextId++;
      await this.#session.request(id, {
        op: "put",
        path,
        size: bytes.byteLength,
        force: true,
        resume: false,
      });
      const first = await this.#session.untilEnd(id, () => true, 5000);
      if (first === null) throw new Error("the server closed the observer's session");
      if (first.type === MessageType.REPLY) {
        await this.#session.send(MessageType.DATA, id, bytes);
        await this.#session.sendJson(MessageType.END, id, { size: bytes.byteLength, sha256: hash });
        const end = await this.#session.untilEnd(id, endsRequest, 5000);
        if (end?.type === MessageType.REPLY) {
          this.commits.add(hash);
          return;
        }
        throw new Error(`put "${path}" failed at commit: ${JSON.stringify(end?.json)}`);
      }
      const code = (first.json as { code?: string } | undefined)?.code;
      if (code === "not_found") {
        // The fuzzer removed or moved its folder: make it again.
        await this.makeFolder();
        continue;
      }
      // A path that is now a folder (the fuzzer made one) cannot take a file: not a lock.
      if (code === "is_directory" || code === "not_directory") return;
      if (code !== "busy" || Date.now() > deadline) {
        throw new Error(`put "${path}" refused: ${JSON.stringify(first.json)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Runs the fuzzer against a running ferryd where `alice` may do everything.
 *
 * @returns What it saw; `violations` is empty when every check held.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const rng = new Prng(options.seed);
  const perSession = options.actionsPerSession ?? 40;
  const report: FuzzReport = {
    actions: 0,
    sessions: 0,
    closesWithError: 0,
    byName: {},
    peakRssMiB: 0,
    violations: [],
  };
  let exited = false;
  options.server.status.then(() => exited = true);
  const legit = new Set<string>();
  const known: string[] = [];
  const deadline = Date.now() + options.maxMs;
  await using observerSession = await openRawSession({ port: options.port });
  const observer = new Observer(observerSession);
  await observer.makeFolder();
  let id = 1;
  let fuzz: FuzzSession | undefined;
  /** The paths this fuzz session may have locked, and the actions that touched each. */
  const touched = new Map<string, string[]>();
  const seen = new Set<string>();
  /** Records a broken promise, each kind once (the first action that broke it). */
  const violation = (what: string, action?: HostileAction): void => {
    const kind = what.replace(/"[^"]*"|\d+/g, "_");
    if (seen.has(kind)) return;
    seen.add(kind);
    report.violations.push(
      `seed ${options.seed}, action ${report.actions}${action ? ` (${action.name})` : ""}: ${what}`,
    );
  };

  const checkLocks = async (
    paths: Map<string, string[]>,
    session?: FuzzSession,
  ): Promise<void> => {
    for (const [path, by] of paths) {
      try {
        await observer.putOver(path, 3000);
      } catch (error) {
        violation(
          `the lock of "${path}" was not released: ${(error as Error).message}; ` +
            `touched by ${by.join(", ")}` +
            (session
              ? `; ended: ${
                JSON.stringify(
                  by.map((label) => Number(/id (\d+)/.exec(label)?.[1]))
                    .map((id) => [id, session.endings.get(id) ?? "live"]),
                )
              }`
              : ""),
        );
      }
    }
  };

  /** Ends the fuzz session: cancels what is live, checks that each one ends and its locks go. */
  const endSession = async (session: FuzzSession): Promise<void> => {
    session.resumeReading();
    if (!session.closed) {
      // Every id, not only those seen live: an action may start one id twice (the first
      // refused, the second running), and a CANCEL for an id not in flight is dropped.
      for (const request of session.started) {
        await session.session.send(MessageType.CANCEL, request).catch(() => {});
      }
      const waitUntil = Date.now() + 5000;
      while (!session.closed && session.live().length > 0 && Date.now() < waitUntil) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (!session.closed && session.live().length > 0) {
        violation(`CANCEL did not end requests ${session.live().slice(0, 5).join(", ")}`);
      }
      if (!session.closed) {
        await checkLocks(touched, session);
        // The session's slots are free again: it still serves a request.
        const probe = id++;
        await session.session.request(probe, { op: "stat", path: "" }).catch(() => {});
        const waitProbe = Date.now() + 5000;
        while (!session.closed && !session.ended.has(probe) && Date.now() < waitProbe) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        if (!session.closed && !session.ended.has(probe)) {
          violation("after cancelling everything, the session no longer answers");
        }
      }
    }
    session.session.close();
    await session.done;
    if (session.closed) await checkLocks(touched);
    touched.clear();
  };

  try {
    while (report.actions < options.actions && Date.now() < deadline) {
      if (fuzz === undefined) {
        fuzz = new FuzzSession(await openRawSession({ port: options.port }));
        report.sessions++;
        id = 1;
      }
      const session = fuzz;
      const action = hostileAction({
        rng,
        freshId: () => id++,
        usedId: () => id > 1 ? 1 + rng.below(id - 1) : id++,
        existingFile: () => known.length > 0 && rng.chance(0.7) ? rng.pick(known) : undefined,
      });
      report.actions++;
      report.byName[action.name] = (report.byName[action.name] ?? 0) + 1;
      for (const request of action.ids) {
        // An id may be used again once its request ended: it is live again.
        session.started.add(request);
        session.ended.delete(request);
      }
      for (const path of new Set([...action.paths, ...requestedPaths(action)])) {
        const by = touched.get(path) ?? [];
        by.push(`action ${report.actions} (${action.name}, id ${action.ids.join(" ")})`);
        touched.set(path, by);
      }
      if (action.commits !== undefined) legit.add(action.commits);
      if (action.stopReadingMs) session.pauseReading();
      try {
        for (const plaintext of action.messages) {
          if (session.closed) break;
          await withTimeout(session.session.sendRaw(plaintext), 15_000, "a send");
        }
      } catch {
        // the server closed the connection mid-action: checked below
      }
      if (action.stopReadingMs) {
        await new Promise((resolve) => setTimeout(resolve, action.stopReadingMs));
        session.resumeReading();
      }
      // Let the server act on it before the checks.
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (exited) {
        violation("ferryd exited", action);
        break;
      }
      try {
        await withTimeout(observer.alive(), 5000, "the observer's stat");
      } catch (error) {
        violation(`another session is not served: ${(error as Error).message}`, action);
        break;
      }
      const rss = await rssMiB(options.server.pid);
      report.peakRssMiB = Math.max(report.peakRssMiB, rss);
      if (rss > options.rssBoundMiB) {
        violation(`ferryd holds ${rss.toFixed(0)} MiB, over ${options.rssBoundMiB}`, action);
      }
      if (report.actions % 10 === 0) {
        for (const [path, hash] of await storedHashes(options.dataDir)) {
          if (!legit.has(hash) && !observer.commits.has(hash)) {
            violation(`"${path}" holds bytes no complete upload sent`, action);
          }
          if (!known.includes(path)) known.push(path);
        }
      }
      if (session.closed) {
        const last = session.lastMessage;
        if (last?.type === MessageType.ERROR) report.closesWithError++;
        else violation("the server closed the session without an ERROR", action);
      }
      if (session.closed || report.actions % perSession === 0) {
        await endSession(session);
        fuzz = undefined;
      }
    }
  } finally {
    if (fuzz) await endSession(fuzz);
  }
  for (const [path, hash] of await storedHashes(options.dataDir)) {
    if (!legit.has(hash) && !observer.commits.has(hash)) {
      violation(`"${path}" holds bytes no complete upload sent`);
    }
  }
  let left: string[] = [];
  for (const until = Date.now() + 5000; Date.now() < until;) {
    left = await smallPartials(options.dataDir);
    if (left.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (left.length > 0) {
    violation(`${left.length} small partial uploads left behind: ${left.slice(0, 3).join(", ")}`);
  }
  return report;
}
