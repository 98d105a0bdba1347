/**
 * The ferry command line: one command per run (see {@linkcode CLIENT_USAGE}).
 *
 * @module
 */

import { hostId, KnownHosts } from "../../client/known_hosts.ts";
import { verifyHostKey } from "../../client/host_trust.ts";
import { type ConnectOptions, FerryClient } from "../../client/ferry_client.ts";
import { createIdentity, IDENTITY_FILE, loadIdentity } from "../../client/identity.ts";
import { FerryError } from "../../core/errors.ts";
import { createKeyFile, keyFingerprint } from "../../file_crypto/mod.ts";
import { FERRY_VERSION } from "../../core/version.ts";
import { explainRefusal, recordClientSandbox } from "../../sandbox/refusal.ts";
import { checkClientPermissions } from "../../sandbox/self_check.ts";
import { type ClientOptions, clientSandboxConfig, parseClientOptions } from "./client_options.ts";
import { runCommand } from "./client_commands.ts";
import type { KeyEnvironment } from "./encryption_options.ts";
import {
  batchSource,
  INTERRUPTED_EXIT_CODE,
  INTERRUPTED_TEXT,
  runShell,
  terminalSource,
} from "./shell.ts";
import { CommandReport, wasReported } from "./command_report.ts";
import { exitCodeFor } from "../shared/exit_codes.ts";
import { CLIENT_USAGE } from "./usage_text.ts";
import { promptLine, promptSecret, readLine, writeStderr } from "../shared/prompt.ts";

export { CLIENT_USAGE };

/** Whether the password comes from a prompt (neither `--password-stdin` nor `FERRY_PASSWORD`). */
function passwordFromPrompt(options: ClientOptions): boolean {
  return !options.passwordStdin && Deno.env.get("FERRY_PASSWORD") === undefined;
}

/** The password: from stdin, `FERRY_PASSWORD`, or a no-echo prompt (asked after the host key). */
async function password(options: ClientOptions): Promise<string> {
  if (options.passwordStdin) {
    const line = await readLine();
    if (line === null) {
      throw new FerryError("auth_failed", "Cannot read password: standard input is empty");
    }
    return line;
  }
  const fromEnv = Deno.env.get("FERRY_PASSWORD");
  if (fromEnv !== undefined) return fromEnv;
  const typed = await promptSecret(`${options.user}@${options.hostname}'s password: `);
  if (typed === null) {
    throw new FerryError(
      "auth_failed",
      "Cannot ask for a password: not a terminal (set FERRY_PASSWORD or use --password-stdin)",
    );
  }
  return typed;
}

/** Password tries at a prompt, as ssh's `NumberOfPasswordPrompts`. */
const PASSWORD_TRIES = 3;

/** Whether the server refused the credentials themselves (so another try may succeed). */
function refusedCredentials(error: unknown): boolean {
  return error instanceof FerryError && error.code === "auth_failed" &&
    error.cause === undefined && !error.message.includes("locked out");
}

/** Whether a file exists (the default identity). */
async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Logs in, as ssh does: with `--identity`, that key (whatever
 * `FERRY_PASSWORD` says); with no password given and the default identity
 * present, that key first, then the password prompt if the server refuses
 * it; else the password, asked again after a wrong one (3 tries, each on a
 * new connection: the server closes after a failed login) when it came from
 * the prompt. The host key question is asked once: a later connection finds
 * the answer in known_hosts.
 */
async function connect(options: ClientOptions): Promise<FerryClient> {
  if (!options.user) throw new FerryError("usage", "No user name: pass --user or set FERRY_USER");
  if (options.identity !== undefined && options.passwordStdin) {
    throw new FerryError("usage", "Cannot use --identity and --password-stdin together: pick one");
  }
  const knownHosts = new KnownHosts(`${options.stateDir}/known_hosts`);
  const base: ConnectOptions = {
    hostname: options.hostname,
    port: options.port,
    user: options.user,
    connectTimeoutSeconds: options.connectTimeoutSeconds,
    verifyServerKey: (key) =>
      verifyHostKey(key, {
        knownHosts,
        host: hostId(options.hostname, options.port),
        mode: options.trust,
        // No terminal: nobody can answer. End of input: taken as "no".
        ask: async (question) =>
          Deno.stdin.isTerminal() ? (await promptLine(question)) ?? "no" : null,
        notify: (text) => options.quiet || writeStderr(text),
      }),
  };
  if (options.identity !== undefined) {
    return await FerryClient.connect({ ...base, identity: await loadIdentity(options.identity) });
  }
  const defaultIdentity = `${options.stateDir}/${IDENTITY_FILE}`;
  const fromPrompt = passwordFromPrompt(options);
  if (fromPrompt && await exists(defaultIdentity)) {
    try {
      return await FerryClient.connect({ ...base, identity: await loadIdentity(defaultIdentity) });
    } catch (error) {
      if (!refusedCredentials(error)) throw error;
    }
  }
  let answered = 0;
  const ask = async (): Promise<string> => {
    const typed = await password(options);
    answered++;
    return typed;
  };
  for (let attempt = 1;; attempt++) {
    try {
      return await FerryClient.connect({ ...base, password: ask });
    } catch (error) {
      const again = fromPrompt && attempt < PASSWORD_TRIES && answered === attempt &&
        refusedCredentials(error);
      if (!again) throw error;
      writeStderr("Permission denied, please try again.\n");
    }
  }
}

async function keygen(options: ClientOptions): Promise<number> {
  if (options.fileKey !== undefined) {
    const key = await createKeyFile(options.fileKey);
    writeStderr(
      `Wrote key file "${options.fileKey}" (${keyFingerprint(key)}). ` +
        "Back it up: files encrypted with it cannot be decrypted without it.\n",
    );
    return 0;
  }
  const path = options.args[0] ?? `${options.stateDir}/${IDENTITY_FILE}`;
  const publicKey = await createIdentity(path);
  writeStderr(`Wrote identity "${path}". Give this public key to the server operator:\n`);
  await Deno.stdout.write(new TextEncoder().encode(`${publicKey}\n`));
  return 0;
}

function keyEnvironment(options: ClientOptions): KeyEnvironment {
  return {
    stateDir: options.stateDir,
    scope: `${options.user}@${hostId(options.hostname, options.port)}`,
    passphrase: Deno.env.get("FERRY_PASSPHRASE") || undefined,
    ask: promptSecret,
  };
}

/**
 * Runs the client with command-line arguments.
 *
 * @returns The exit code.
 */
export async function runClientCli(argv: string[]): Promise<number> {
  try {
    const options = parseClientOptions(argv);
    if (options.version) {
      writeStderr(`ferry ${FERRY_VERSION}\n`);
      return 0;
    }
    const shell = options.command === undefined &&
      (options.batch !== undefined || Deno.stdin.isTerminal());
    if (options.help || (options.command === undefined && !shell)) {
      writeStderr(CLIENT_USAGE);
      return options.help ? 0 : 1;
    }
    const sandbox = clientSandboxConfig(options);
    await checkClientPermissions(sandbox, options.command === "keygen" ? "local" : "connect");
    recordClientSandbox(sandbox);
    if (options.command === "keygen") return await keygen(options);
    const source = options.batch !== undefined ? await batchSource(options.batch) : undefined;
    // A person at the shell's prompt: Ctrl-C interrupts the command, not ferry.
    if (source !== undefined || !shell) stopOnInterrupt(options.command);
    const client = await connect(options);
    const keys = keyEnvironment(options);
    try {
      if (!shell) return await runCommand({ client, cwd: "", keys }, options);
      return await runShell(client, source ?? terminalSource, options, keys);
    } finally {
      await client.close();
    }
  } catch (caught) {
    const error = explainRefusal(caught) ?? caught;
    const message = error instanceof Error ? error.message : String(error);
    if (wantsJson(argv) && !wasReported(caught)) {
      await new CommandReport(commandWord(argv)).print(error);
    }
    writeStderr(`ferry: ${message}\n`);
    return exitCodeFor(error);
  }
}

/** Whether `--json` was asked for (also when the options could not be read). */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

/** The command word of a command line that may not parse: the first word that is no option. */
function commandWord(argv: string[]): string {
  try {
    return parseClientOptions(argv).command ?? "";
  } catch {
    return argv.find((word) => !word.startsWith("-")) ?? "";
  }
}

/**
 * Ctrl-C (or `kill -INT`) of a one-shot command or a batch: says that
 * running it again resumes (interrupted transfers keep their partial data),
 * and exits with 130, as shells report a command ended by SIGINT.
 */
function stopOnInterrupt(command: string | undefined): void {
  Deno.addSignalListener("SIGINT", () => {
    const transfer = command === "get" || command === "put" || command === undefined;
    const clear = Deno.stderr.isTerminal() ? "\r\u001b[K" : "";
    writeStderr(`${clear}\nferry: ${transfer ? INTERRUPTED_TEXT : "interrupted"}\n`);
    Deno.exit(INTERRUPTED_EXIT_CODE);
  });
}
