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
import { promptLine, promptSecret, readLine, writeStderr } from "../shared/prompt.ts";

/** Usage text of the client. */
export const CLIENT_USAGE = `ferry ${FERRY_VERSION}: secure file transfer

Usage: client.ts [options] <command> [arguments]
       client.ts [options]             interactive shell (on a terminal)
       client.ts [options] -b FILE     run commands from FILE (- for stdin),
                                       stop at the first failure

Commands:
  get [-r] <remote>... [local]   download files or folders (get <remote> -
                                 writes to stdout); encrypted files are
                                 decrypted
  put [-r] <local>... [remote]   upload files or folders (--encrypt: the server
                                 gets only ciphertext)
  ls [dir]                   list a folder ("e": an encrypted file)
  stat [--hash] <path>       describe a file or folder (--hash: its SHA-256)
  rm <path>                  remove a file
  mkdir <dir>                make a folder
  rmdir [-r] <dir>           remove a folder (-r: with its contents)
  mv <from> <to>             move or rename
  help                       list the server's commands
  keygen [file]              make an identity key for password-less login
  keygen --file-key FILE     make a key file for encrypted files

Options:
  -s, --server [USER@]HOST:PORT  server (FERRY_SERVER, default 127.0.0.1:7878)
  -u, --user NAME            user (else the USER@ of --server, FERRY_USER,
                             $USER)
      --password-stdin       read the password from stdin (else FERRY_PASSWORD,
                             else a prompt)
  -i, --identity FILE        log in with this identity key, not a password
                             (default: $FERRY_HOME/id_x25519 when it exists,
                             then the password)
      --connect-timeout SECS wait that long for the server (default 15; prompts
                             not counted)
      --accept-new-host-key  trust a server seen for the first time without
                             asking
      --strict-host-key      never trust a server not in known_hosts
      --work DIR             the folder ferry may read and write (default: the
                             current one)
      --home DIR             the state folder (FERRY_HOME, default
                             ~/.config/ferry)
  -f, --force                replace existing files
      --rename               keep both: the new copy becomes "name (1).ext"
  -r, --recursive            copy folders (get, put), remove contents (rmdir)
      --no-resume            start interrupted transfers over instead of
                             resuming them
  -z, --compress             compress on the wire (chunks that do not shrink go
                             as they are)
      --verify               put: also hash on this side and compare with the
                             server's SHA-256; get: read the saved file back
                             and check it
      --encrypt              put: encrypt on this side; the server stores only
                             ciphertext
      --key-file FILE        the key of encrypted files (keygen --file-key),
                             not a passphrase
      --passphrase-file FILE the passphrase of encrypted files: the file's
                             first line (else FERRY_PASSPHRASE, else a prompt)
      --decrypt              get: refuse files that are not encrypted
      --raw                  get: save encrypted files as stored, without
                             decrypting
      --json                 print one JSON document per command on stdout
                             (docs/CLI.md), errors too
  -q, --quiet                no progress, no summaries
  -v, --verbose              a line per file of a transfer
      --version              print the version

Existing files are never replaced without --force; identical files (same
SHA-256) are skipped.
State (known_hosts, id_x25519) lives in $FERRY_HOME, else ~/.config/ferry.
ferry may read and write only its working and state folders, and connect
only to its server.
Exit codes: 0 ok, 1 usage or local error, 2 authentication or host key,
3 refused by the server (not found, exists, busy, denied) or an encrypted file
that cannot be decrypted (wrong key, modified), 4 network or protocol,
130 interrupted (Ctrl-C: run the same command again to resume).
`;

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
