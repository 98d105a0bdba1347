/**
 * The client's help texts, generated from the command table: the usage of
 * `client.ts --help` ({@linkcode CLIENT_USAGE}) and the shell's `help`
 * ({@linkcode SHELL_USAGE}). No line is wider than 79 columns.
 *
 * @module
 */

import { FERRY_VERSION } from "../../core/version.ts";
import { CLIENT_COMMANDS, type ClientCommand } from "./command_table.ts";
import { wrapText } from "./format.ts";

/** The widest a help line gets. */
const HELP_COLUMNS = 79;

/**
 * One help line: `usage` in a column at least `width` wide (two more than
 * the usage when it is wider), then `text`, wrapped under itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { helpLine } from "./usage_text.ts";
 * assert.equal(helpLine("pwd", "print the remote folder", 6), "  pwd    print the remote folder\n");
 * ```
 */
export function helpLine(usage: string, text: string, width: number): string {
  const column = 2 + Math.max(width, usage.length + 2) + 1;
  const wrapped = wrapText(text, HELP_COLUMNS - column).replaceAll("\n", "\n" + " ".repeat(column));
  return `  ${usage.padEnd(column - 3)} ${wrapped}\n`;
}

/** The help lines of the commands `shown` picks, with the text `textOf` gives. */
function commandLines(
  shown: (command: ClientCommand) => boolean,
  textOf: (command: ClientCommand) => string,
  width: number,
  more: boolean,
): string {
  return CLIENT_COMMANDS.filter(shown).map((command) =>
    helpLine(command.usage, textOf(command), width) +
    (more ? (command.moreUsage ?? []).map(([usage, text]) => helpLine(usage, text, width)) : [])
      .join("")
  ).join("");
}

/** The options of `client.ts --help`. */
const OPTIONS_TEXT = `Options:
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
  -p, --parents              mkdir: make missing parents; an existing folder is
                             fine
      --no-resume            start interrupted transfers over instead of
                             resuming them
  -z, --compress             compress on the wire (chunks that do not shrink go
                             as they are)
      --verify               put: also hash on this side and compare with the
                             server's SHA-256; get: read the saved file back
                             and check it
  -l, --limit KIB            at most KIB KiB per second on the wire, all
                             transfers together
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
`;

/** What follows the options in `client.ts --help`. */
const CLOSING_TEXT = `Existing files are never replaced without --force; identical files (same
SHA-256) are skipped.
State (known_hosts, id_x25519) lives in $FERRY_HOME, else ~/.config/ferry.
ferry may read and write only its working and state folders, and connect
only to its server.
Exit codes: 0 ok, 1 usage or local error, 2 authentication or host key,
3 refused by the server (not found, exists, busy, denied) or an encrypted file
that cannot be decrypted (wrong key, modified), 4 network or protocol,
130 interrupted (Ctrl-C: run the same command again to resume).
`;

/** Usage text of the client (`client.ts --help`). */
export const CLIENT_USAGE: string = `ferry ${FERRY_VERSION}: secure file transfer

Usage: client.ts [options] <command> [arguments]
       client.ts [options]             interactive shell (on a terminal)
       client.ts [options] -b FILE     run commands from FILE (- for stdin),
                                       stop at the first failure

Commands:
${commandLines((command) => command.listed !== "shell", (command) => command.summary, 26, true)}
${OPTIONS_TEXT}
${CLOSING_TEXT}`;

/** Help for the shell (its `help` and `?`). */
export const SHELL_USAGE: string = commandLines(
  (command) => command.listed !== "command line",
  (command) => command.shellSummary ?? command.summary,
  30,
  false,
) +
  wrapText(
    "Options after a command work as on the command line: -f/--force, --rename, -r, " +
      "--no-resume, -z/--compress, --verify, -l KIB (KiB/s), -p, -v/--verbose, --json, -q, --encrypt, " +
      "--raw, --decrypt, --key-file, --passphrase-file. Where copies go, and patterns: " +
      "docs/CLI.md. Tab completes commands and names, Up and Down recall earlier lines, " +
      "Ctrl-C interrupts the running command. !command is not available: ferry may not " +
      "start programs.",
    HELP_COLUMNS,
  ) + "\n";
