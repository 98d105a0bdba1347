/**
 * The launcher behind `deno task serve`, `deno task user` and
 * `deno task client`. A program's grant depends on its arguments (the data
 * folder and port of ferryd; the server, working and state folders of
 * ferry), which a fixed task line cannot know. So the task runs this small
 * script, itself allowed only to start `deno`; it reads the arguments the
 * way the program will, asks `lib/sandbox/permission_flags.ts` for the
 * exact flags, and runs `deno run <flags> <entry> <arguments>` with the
 * terminal passed through, exiting with the program's code.
 *
 * For ferry it runs the client's bundle (`.cache/client.js`, rebuilt when a
 * source changed: ./client_bundle.ts), which starts about 20 ms sooner than
 * `client.ts`; so the client's task may also read the checkout and write
 * `.cache/`.
 *
 * `deno task` runs a task in the folder of `deno.json`; the program runs in
 * the folder the user started the task from instead (`INIT_CWD`, which
 * `deno task` sets), so relative paths, the client's working folder and its
 * grant, and ferryd's `./data` are where the user is, as with any command.
 *
 * With `ferryd --storage s3`, the grant also names the S3 endpoint, which
 * ferryd itself reads from `DATA/state/s3.json` or the environment: when
 * `FERRY_S3_ENDPOINT` is set, the environment is the source (ferryd may then
 * read the `FERRY_S3_*` variables); otherwise the launcher takes the
 * endpoint from its own option `--s3-endpoint URL`, which it does not pass on.
 *
 * ```sh
 * deno run --no-prompt --allow-run=deno scripts/launch.ts ferryd serve --port 9000
 * deno run ... scripts/launch.ts ferryd serve --storage s3 --s3-endpoint http://10.0.0.5:8000
 * deno run ... scripts/launch.ts --dry-run ferry ls     # print the command, run nothing
 * ```
 *
 * @module
 */

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { clientSandboxConfig, parseClientOptions } from "../lib/cli/ferry/client_options.ts";
import { writeStderr, writeStdout } from "../lib/cli/shared/prompt.ts";
import { serverSandboxConfig } from "../lib/cli/ferryd/server_args.ts";
import { FerryError } from "../lib/core/errors.ts";
import { freshClientBundle } from "./client_bundle.ts";
import {
  clientPermissionFlags,
  serverDenoFlags,
  type ServerSandboxConfig,
} from "../lib/sandbox/permission_flags.ts";

/** The programs the launcher starts. */
export type Program = "ferryd" | "ferry";

/** The repository root, where `server.ts` and `client.ts` live. */
export const ROOT: string = resolve(fileURLToPath(new URL("..", import.meta.url)));

const USAGE = "Usage: launch.ts [--dry-run] ferryd|ferry [arguments]\n";

/** Removes the launcher's own `--s3-endpoint URL` from ferryd's arguments. */
function takeS3Endpoint(args: string[]): { endpoint: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let endpoint: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string;
    if (word === "--") {
      rest.push(...args.slice(i));
      break;
    }
    if (word === "--s3-endpoint") {
      endpoint = args[++i];
      if (endpoint === undefined) {
        throw new FerryError("usage", 'Option "--s3-endpoint" needs a value');
      }
    } else if (word.startsWith("--s3-endpoint=")) {
      endpoint = word.slice("--s3-endpoint=".length);
    } else {
      rest.push(word);
    }
  }
  return { endpoint, rest };
}

/** ferryd's sandbox, with the S3 endpoint and source added for `--storage s3`. */
function ferrydSandbox(
  args: string[],
  s3EnvEndpoint: string | undefined,
  cwd: string,
): { sandbox: ServerSandboxConfig; rest: string[] } {
  const { endpoint, rest } = takeS3Endpoint(args);
  const config = serverSandboxConfig(rest);
  const sandbox: ServerSandboxConfig = { ...config, dataDir: resolve(cwd, config.dataDir) };
  if (config.storage !== "s3") {
    if (endpoint !== undefined) {
      throw new FerryError("usage", 'Cannot use "--s3-endpoint" without "--storage s3"');
    }
    return { sandbox, rest };
  }
  if (s3EnvEndpoint !== undefined) {
    if (endpoint !== undefined && endpoint !== s3EnvEndpoint) {
      throw new FerryError(
        "usage",
        `Cannot use --s3-endpoint "${endpoint}": FERRY_S3_ENDPOINT says "${s3EnvEndpoint}"`,
      );
    }
    return { sandbox: { ...sandbox, s3Endpoint: s3EnvEndpoint, s3FromEnv: true }, rest };
  }
  if (endpoint === undefined) {
    throw new FerryError(
      "usage",
      "Cannot grant ferryd --storage s3 without its S3 endpoint: give --s3-endpoint URL " +
        "(the endpoint of DATA/state/s3.json), or set the FERRY_S3_* variables",
    );
  }
  return { sandbox: { ...sandbox, s3Endpoint: endpoint }, rest };
}

/**
 * The `deno` arguments that run `program` with `args` in its sandbox:
 * `run`, the flags from the shared function, the entry point, `args`
 * unchanged (but for the launcher's `--s3-endpoint`). Relative folders are
 * granted as absolute paths, resolved against `cwd`, where the program runs
 * and resolves them too.
 *
 * @param program `ferryd` or `ferry`.
 * @param args The program's arguments.
 * @param options `cwd`: the folder the program runs in (default: this
 * process's); `s3EnvEndpoint`: `FERRY_S3_ENDPOINT`, when set: the
 * environment holds ferryd's S3 settings; `clientEntry`: what runs ferry
 * (default `ROOT/client.ts`; the launcher gives its bundle, see
 * ./client_bundle.ts).
 * @throws {FerryError} `usage` when the arguments cannot be read.
 */
export function launchArgs(
  program: Program,
  args: string[],
  options: {
    cwd?: string;
    s3EnvEndpoint?: string | undefined;
    clientEntry?: string | undefined;
  } = {},
): string[] {
  const cwd = options.cwd ?? Deno.cwd();
  if (program === "ferryd") {
    const { sandbox, rest } = ferrydSandbox(args, options.s3EnvEndpoint, cwd);
    return ["run", ...serverDenoFlags(sandbox), `${ROOT}/server.ts`, ...rest];
  }
  const config = clientSandboxConfig(parseClientOptions(args, cwd));
  // --help and --version need no state folder.
  const flags = clientPermissionFlags({ ...config, stateDir: config.stateDir || config.workDir });
  return ["run", ...flags, options.clientEntry ?? `${ROOT}/client.ts`, ...args];
}

/**
 * The `deno` to start: the running executable when the grant allows it
 * (`--allow-run=deno` names the `deno` on `PATH`, which may be a link to it),
 * else `deno` from `PATH`.
 */
export async function denoCommand(): Promise<string> {
  const exact = await Deno.permissions.query({ name: "run", command: Deno.execPath() });
  return exact.state === "granted" ? Deno.execPath() : "deno";
}

/** A variable of the environment, if this launcher may read it and it is set. */
async function granted(variable: string): Promise<string | undefined> {
  const { state } = await Deno.permissions.query({ name: "env", variable });
  return state === "granted" ? Deno.env.get(variable) || undefined : undefined;
}

/**
 * Where the program runs: the folder `deno task` was started from
 * (`INIT_CWD`), else this process's own.
 */
async function userFolder(): Promise<string> {
  const initCwd = await granted("INIT_CWD");
  return initCwd !== undefined && initCwd.startsWith("/") ? initCwd : Deno.cwd();
}

async function run(command: string, args: string[], cwd: string): Promise<number> {
  const child = new Deno.Command(command, {
    args,
    cwd,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches the program too (same process group); `kill` of the
  // launcher alone must reach it as well, and the launcher waits either way.
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const forwarders = signals.map((signal) => {
    const forward = (): void => {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    };
    Deno.addSignalListener(signal, forward);
    return () => Deno.removeSignalListener(signal, forward);
  });
  try {
    return (await child.status).code;
  } finally {
    for (const remove of forwarders) remove();
  }
}

/**
 * Runs the launcher.
 *
 * @returns The exit code: the program's, or 1 for a usage error.
 */
export async function main(argv: string[]): Promise<number> {
  const dryRun = argv[0] === "--dry-run";
  const [program, ...args] = dryRun ? argv.slice(1) : argv;
  if (program !== "ferryd" && program !== "ferry") {
    writeStderr(USAGE);
    return 1;
  }
  let denoArgs: string[];
  const cwd = await userFolder();
  const command = await denoCommand();
  try {
    denoArgs = launchArgs(program, args, {
      cwd,
      s3EnvEndpoint: await granted("FERRY_S3_ENDPOINT"),
      clientEntry: program === "ferry" ? await freshClientBundle(ROOT, command) : undefined,
    });
  } catch (error) {
    writeStderr(`${program}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (dryRun) {
    await writeStdout(JSON.stringify({ command, args: denoArgs, cwd }) + "\n");
    return 0;
  }
  try {
    return await run(command, denoArgs, cwd);
  } catch (error) {
    const hint = command === "deno" ? " (the launcher runs the deno on PATH)" : "";
    writeStderr(`${program}: Cannot start "${command}"${hint}: ${(error as Error).message}\n`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
