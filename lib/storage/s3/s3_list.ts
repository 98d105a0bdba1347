/**
 * Listing a folder for {@linkcode S3Storage.list}: ListObjectsV2 with the
 * `/` delimiter, page by page, each page yielded before the next is asked.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { isValidSegment, quotePath } from "../../core/remote_path.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type { Entry } from "../storage.ts";
import type { ListPage } from "./s3_client.ts";
import type { S3Context } from "./s3_context.ts";
import { s3Error } from "./s3_errors.ts";
import { fileMtime, findEntry, mapLimit, missing } from "./s3_tree.ts";

/**
 * Streams the files and folders directly inside a folder.
 *
 * Left out, silently: the folder's own marker, names no client could send
 * (see {@linkcode isValidSegment}), and files deleted while being listed.
 * With `exactListTimes` each file costs one HEAD (run
 * `concurrency` at a time) to report the sender's modification time.
 *
 * @param ctx The storage's context.
 * @param path The folder.
 * @returns The entries, in key order.
 * @throws {FerryError} At the first iteration: `not_found`, or
 * `not_directory` when `path` is a file.
 */
export async function* listS3Folder(ctx: S3Context, path: RemotePath): AsyncGenerator<Entry> {
  const action = `Cannot list ${quotePath(path)}`;
  const prefix = ctx.keys.folder(path);
  let token: string | undefined;
  let first = true;
  do {
    let page: ListPage;
    let entries: Entry[];
    try {
      page = await ctx.client.list(prefix, {
        delimiter: "/",
        maxKeys: ctx.config.pageSize,
        token,
      });
      if (first && path !== "" && page.objects.length === 0 && page.prefixes.length === 0) {
        const found = await findEntry(ctx, path);
        if (found?.kind === "file") {
          throw new FerryError("not_directory", `${action}: it is not a folder`);
        }
        throw await missing(ctx, path, action);
      }
      entries = await describePage(ctx, prefix, page);
    } catch (error) {
      throw s3Error(error, action);
    }
    first = false;
    yield* entries;
    token = page.next;
  } while (token !== undefined);
}

async function describePage(ctx: S3Context, prefix: string, page: ListPage): Promise<Entry[]> {
  const folders: Entry[] = [];
  for (const key of page.prefixes) {
    const name = key.slice(prefix.length, -1);
    if (isValidSegment(name)) folders.push({ name, kind: "dir", size: 0, mtime: 0 });
  }
  const files = page.objects
    .map((object) => ({ ...object, name: object.key.slice(prefix.length) }))
    .filter((object) => object.key !== prefix && isValidSegment(object.name));
  if (!ctx.config.exactListTimes) {
    return [
      ...folders,
      ...files.map((f): Entry => ({
        name: f.name,
        kind: "file",
        size: f.size,
        mtime: f.lastModified,
      })),
    ];
  }
  const described = await mapLimit(files, ctx.config.concurrency, async (file) => {
    const head = await ctx.client.head(file.key);
    if (head === undefined) return undefined;
    const entry: Entry = { name: file.name, kind: "file", size: head.size, mtime: fileMtime(head) };
    return entry;
  });
  return [...folders, ...described.filter((entry) => entry !== undefined)];
}
