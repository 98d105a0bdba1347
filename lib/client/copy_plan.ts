/**
 * The one rule that turns `put`/`get` arguments into sources and a
 * destination (docs/CLI.md, "Where copies go"). It never depends on whether
 * a folder copy's destination exists yet, so running the same command again
 * after an interruption lands on the same paths:
 *
 * - `SRC` alone: into the current folder, under its own name.
 * - `SRC DEST`: SRC saved as DEST; for a folder (`-r`), SRC's contents
 *   become DEST, whether DEST exists or not (as `cp -rT`, or rsync's
 *   `SRC/ DEST`). A file goes into DEST when DEST is an existing folder
 *   (as sftp: a file cannot become a folder, so this too converges).
 * - `SRC... DEST/` (a trailing `/`, or `.`/`..`): each source into the folder
 *   DEST (made when missing), under its own name.
 * - `SRC1 SRC2... DEST`: DEST must be an existing folder.
 * - A pattern (`'*.txt'`) is always a source; with several matches the
 *   destination must be a folder, as for several sources.
 * - `put a b` with `b` also a local file is refused: a local shell may have
 *   expanded `*` into those two names, and guessing would upload the wrong
 *   thing either way.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { baseName } from "../core/remote_path.ts";
import { hasGlob } from "./path_glob.ts";

/** Where the sources go. */
export type Destination =
  | { kind: "here" }
  | { kind: "into"; folder: string; make: boolean }
  | { kind: "as"; path: string };

/** A planned copy. */
export interface CopyPlan {
  /** The sources, patterns expanded, in order. */
  sources: string[];
  /** Where they go. */
  destination: Destination;
}

/** What the plan needs to know of the two sides. */
export interface CopyProbes {
  /** Expands one source argument (a pattern into its matches). */
  expand(arg: string): Promise<string[]>;
  /** What the receiving side has at `path` (`unknown`: the user may not look). */
  destinationKind(path: string): Promise<"file" | "dir" | "none" | "unknown">;
  /** `put` only: whether `path` exists on this machine. */
  localExists?(path: string): Promise<boolean>;
  /** `put` only: `path` written so that it can only be a remote name (for the hint). */
  remoteSpelling?(path: string): string;
}

/**
 * Whether a destination as written names a folder to copy into: it ends
 * with `/`, or is `.`, `..` or ends with `/.` or `/..`.
 */
export function namesFolder(path: string): boolean {
  return path.endsWith("/") || /(^|\/)\.\.?$/.test(path);
}

/**
 * Refuses two sources that would land on the same name (`get a/x b/x out/`):
 * one would replace the other, or both race on one partial file.
 */
function distinct(plan: CopyPlan): CopyPlan {
  if (plan.destination.kind === "as") return plan;
  const seen = new Map<string, string>();
  for (const source of plan.sources) {
    const name = baseName(source);
    const first = seen.get(name);
    if (first !== undefined) {
      const folder = plan.destination.kind === "into"
        ? plan.destination.folder
        : "the current folder";
      throw new FerryError(
        "usage",
        `Cannot copy both "${first}" and "${source}" into ${
          folder === "the current folder" ? folder : `"${folder}"`
        }: both are named "${name}"`,
      );
    }
    seen.set(name, source);
  }
  return plan;
}

async function expandAll(args: string[], probes: CopyProbes): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) out.push(...await probes.expand(arg));
  return out;
}

/**
 * Plans a copy.
 *
 * @param op `put` or `get` (only `put` checks the local-shell ambiguity).
 * @param args The command's arguments.
 * @throws {FerryError} `usage` for no source, an ambiguous `put a b`,
 *   several sources into something that is not a folder, or two sources of
 *   one name into one folder.
 */
export async function planCopy(
  op: "put" | "get",
  args: string[],
  probes: CopyProbes,
): Promise<CopyPlan> {
  return distinct(await plan(op, args, probes));
}

async function plan(
  op: "put" | "get",
  args: string[],
  probes: CopyProbes,
): Promise<CopyPlan> {
  if (args.length === 0) throw new FerryError("usage", "Nothing to copy: name at least one file");
  const last = args.at(-1) as string;
  if (args.length === 1 || hasGlob(last)) {
    return { sources: await expandAll(args, probes), destination: { kind: "here" } };
  }
  const named = args.slice(0, -1);
  const sources = await expandAll(named, probes);
  if (namesFolder(last)) {
    return { sources, destination: { kind: "into", folder: last, make: true } };
  }
  if (sources.length === 1) {
    const source = named[0] as string;
    if (
      op === "put" && named.length === 1 && !hasGlob(source) && await probes.localExists?.(last)
    ) {
      const remote = probes.remoteSpelling?.(last) ?? last;
      throw new FerryError(
        "usage",
        `Cannot tell whether "${last}" is a second file to upload or the name for "${source}": it exists here too. ` +
          `Upload both with "put ${source} ${last} ./", or save as that name with "put ${source} ${remote}"`,
      );
    }
    return { sources, destination: { kind: "as", path: last } };
  }
  const kind = await probes.destinationKind(last);
  if (kind === "dir" || kind === "unknown") {
    return { sources, destination: { kind: "into", folder: last, make: false } };
  }
  if (op === "put" && await probes.localExists?.(last)) {
    // `put a b c` where c is a third local file: a local shell's `put *`.
    return { sources: [...sources, ...await probes.expand(last)], destination: { kind: "here" } };
  }
  const where = op === "put" ? "on the server" : "here";
  throw new FerryError(
    "usage",
    `Cannot copy ${sources.length} files to "${last}": ${
      kind === "file" ? "it is a file" : "there is no such folder"
    } ${where} (end it with "/" to copy into a folder, made if missing)`,
  );
}
