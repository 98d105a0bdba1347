/**
 * `deno task compile`: builds `dist/ferryd` and `dist/ferry` with
 * `deno compile`, each with exactly the permission flags of
 * `lib/sandbox/permission_flags.ts` and its settings baked in as absolute
 * paths, so the binaries work from any folder and can reach nothing else.
 *
 * ```sh
 * deno task compile [--data DIR] [--host HOST] [--port PORT] [--server HOST:PORT]
 *                   [--storage s3 --s3-endpoint URL [--s3-env]]
 *                   [--work DIR] [--home DIR] [--out DIR] [--target TRIPLE] [--dry-run]
 * ```
 *
 * With `--storage s3`, ferryd may reach its state folder, its port and the
 * S3 endpoint, and `--storage s3` is baked in; the endpoint, bucket and
 * credentials are still read at run time from `DATA/state/s3.json`, or,
 * with `--s3-env`, from the `FERRY_S3_*` variables (which the binary may
 * then read). Another endpoint needs a rebuild.
 *
 * `deno compile` embeds the program in `denort`, a runtime it downloads
 * from dl.deno.land on first use; `DENORT_BIN=/path/to/denort` makes it use
 * a local one instead (for machines without access).
 *
 * @module
 */

import { writeStderr } from "../lib/cli/shared/prompt.ts";
import { writeAll } from "../lib/core/bytes.ts";
import {
  type BuildStep,
  compileArgs,
  type CompilePlan,
  compilePlan,
  shellQuote,
} from "./compile/plan.ts";

const USAGE = `Usage: deno task compile [options]

Builds OUT/ferryd and OUT/ferry, each allowed exactly its folders and address.

  --data DIR          ferryd's data folder (default ./data)
  --host HOST         ferryd's address (default 0.0.0.0)
  --port PORT         ferryd's port (default 7878)
  --storage local|s3  where ferryd keeps files (default local)
  --s3-endpoint URL   with s3: the S3 endpoint ferryd may reach (http(s)://host[:port])
  --s3-env            with s3: ferryd reads its S3 settings from FERRY_S3_* (else s3.json)
  --web ADDR:PORT     ferryd also serves the web client there (README "Web access"), with
  --web-cert FILE --web-key FILE   for HTTPS (read-only grant), or --web-insecure
  --server HOST:PORT  ferry's server (default this ferryd, as 127.0.0.1:PORT)
  --work DIR          ferry's working folder (default the current one)
  --home DIR          ferry's state folder (default $FERRY_HOME, else ~/.config/ferry)
  --out DIR           where the binaries go (default dist)
  --target TRIPLE     build for another platform (deno compile --target)
  --dry-run           print the deno compile commands, build nothing

Folders are made absolute now and baked in; another folder or port needs a rebuild.
Without access to dl.deno.land, set DENORT_BIN to a denort binary of this Deno version.
`;

/**
 * Explains why `deno compile` failed, from its error output.
 *
 * @param output What `deno compile` wrote to stderr.
 * @param denortBin The `DENORT_BIN` it ran with, if any.
 */
export function diagnoseFailure(output: string, denortBin: string | undefined): string {
  // deno-lint-ignore no-control-regex
  const text = output.replace(/\x1b\[[0-9;]*m/g, "");
  if (denortBin && /Could not find denort/.test(text)) {
    return `DENORT_BIN is "${denortBin}", but there is no denort binary there`;
  }
  if (/denort|dl\.deno\.land|base binary/i.test(text)) {
    const url = /https:\/\/dl\.deno\.land\/\S+?\.zip/.exec(text)?.[0] ??
      `https://dl.deno.land/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip`;
    return "deno compile could not download its runtime (denort) from dl.deno.land.\n" +
      `Fetch ${url} where it can be reached, unzip it, and run:\n` +
      "  DENORT_BIN=/path/to/denort deno task compile ...\n" +
      `(denort must be the version of this Deno, ${Deno.version.deno})`;
  }
  return "deno compile failed: see its messages above";
}

async function build(command: string, step: BuildStep, target?: string): Promise<string | null> {
  const child = new Deno.Command(command, {
    args: compileArgs(step, target),
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr) {
    output += decoder.decode(chunk, { stream: true });
    await writeAll(Deno.stderr, chunk);
  }
  const status = await child.status;
  return status.success ? null : output;
}

/**
 * Runs the build.
 *
 * @returns The exit code.
 */
export async function main(argv: string[]): Promise<number> {
  let plan: CompilePlan;
  try {
    plan = compilePlan(argv);
  } catch (error) {
    writeStderr(`compile: ${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  if (plan.help) {
    writeStderr(USAGE);
    return 0;
  }
  const exact = await Deno.permissions.query({ name: "run", command: Deno.execPath() });
  const deno = exact.state === "granted" ? Deno.execPath() : "deno";
  if (plan.dryRun) {
    const lines = plan.steps.map((step) =>
      ["deno", ...compileArgs(step, plan.target)].map(shellQuote).join(" ") + "\n"
    );
    await writeAll(Deno.stdout, new TextEncoder().encode(lines.join("")));
    return 0;
  }
  const denortBin = Deno.env.get("DENORT_BIN") || undefined;
  for (const step of plan.steps) {
    let failure: string | null;
    try {
      failure = await build(deno, step, plan.target);
    } catch (error) {
      writeStderr(`compile: Cannot start "${deno}": ${(error as Error).message}\n`);
      return 1;
    }
    if (failure !== null) {
      writeStderr(
        `compile: Cannot build "${step.name}": ${diagnoseFailure(failure, denortBin)}\n`,
      );
      return 1;
    }
    writeStderr(`Built ${step.output}: ${step.summary}, nothing else\n`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
