/**
 * Downloads through the web front end: one file (with `Range`, so browsers
 * and download managers resume) or a folder as a streamed tar, always as an
 * attachment, each logged to the audit log.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { baseName } from "../core/remote_path.ts";
import { cancelUnread } from "../core/byte_source.ts";
import { limitedStream } from "./byte_stream.ts";
import { attachmentDisposition } from "./content_disposition.ts";
import { parseRange } from "./http_range.ts";
import { tarStream } from "./tar_stream.ts";
import type { WebUser, WebUsers } from "./web_commands.ts";

/** The downloads of one server's web front end. */
export class WebDownloads {
  #users: WebUsers;

  /** @param users The users, for their audit events. */
  constructor(users: WebUsers) {
    this.#users = users;
  }

  /** `GET /api/file?path=`: the file, whole or the requested range. */
  async file(
    request: Request,
    path: string,
    user: WebUser,
    address: string,
  ): Promise<Response> {
    const denied = (): never =>
      this.#deny(
        user,
        address,
        path,
        `Cannot get "${path}": user "${user.account.name}" lacks the "read" permission`,
      );
    if (!user.account.permissions.has("read")) denied();
    const entry = await user.storage.stat(path);
    if (entry.kind !== "file") {
      throw new FerryError("is_directory", `Cannot download "${path}": it is a folder`);
    }
    const lastModified = new Date(entry.mtime).toUTCString();
    const ifRange = request.headers.get("if-range");
    const range = ifRange === null || ifRange === lastModified
      ? parseRange(request.headers.get("range"), entry.size)
      : undefined;
    if (range === "unsatisfiable") {
      return new Response(null, {
        status: 416,
        headers: { "content-range": `bytes */${entry.size}` },
      });
    }
    const start = range?.start ?? 0;
    const length = range === undefined ? entry.size : range.end - range.start + 1;
    const source = await user.storage.openRead(path, start);
    if (source.entry.size !== entry.size) {
      await cancelUnread(source.bytes);
      throw new FerryError("busy", `Cannot download "${path}": it changed while opening, retry`);
    }
    const started = performance.now();
    const headers = new Headers({
      "content-type": "application/octet-stream",
      "content-disposition": attachmentDisposition(entry.name),
      "content-length": String(length),
      "accept-ranges": "bytes",
      "last-modified": lastModified,
    });
    if (range !== undefined) {
      headers.set("content-range", `bytes ${range.start}-${range.end}/${entry.size}`);
    }
    const body = limitedStream(source.bytes, length, (sent, complete) => {
      this.#users.record(user.account.name, address, {
        event: complete ? "get" : "transfer.aborted",
        path,
        bytes: sent,
        size: entry.size,
        offset: start,
        durationMs: Math.round(performance.now() - started),
        ...(complete ? {} : { code: "cancelled", reason: "The browser stopped the download" }),
      });
    });
    return new Response(body, { status: range === undefined ? 200 : 206, headers });
  }

  /** Writes the refusal to the audit log and throws it as `denied`. */
  #deny(user: WebUser, address: string, path: string, reason: string): never {
    this.#users.record(user.account.name, address, {
      event: "denied",
      path,
      code: "denied",
      reason,
    });
    throw new FerryError("denied", reason);
  }

  /** `GET /api/archive?path=`: the folder as a tar stream. */
  async archive(path: string, user: WebUser, address: string): Promise<Response> {
    for (const needed of ["list", "read"] as const) {
      if (!user.account.permissions.has(needed)) {
        this.#deny(
          user,
          address,
          path,
          `Cannot download "${path}": user "${user.account.name}" lacks the "${needed}" permission`,
        );
      }
    }
    const entry = await user.storage.stat(path);
    if (entry.kind !== "dir") {
      throw new FerryError("not_directory", `Cannot archive "${path}": it is a file`);
    }
    const name = path === "" ? "files" : baseName(path);
    const started = performance.now();
    const body = tarStream(user.storage, path, name, (end) => {
      this.#users.record(user.account.name, address, {
        event: end.complete ? "get" : "transfer.aborted",
        path: path === "" ? "/" : path,
        bytes: end.bytes,
        durationMs: Math.round(performance.now() - started),
        reason: `archive of ${end.files} file(s)`,
      });
    });
    return new Response(body, {
      headers: {
        "content-type": "application/x-tar",
        "content-disposition": attachmentDisposition(`${name}.tar`),
      },
    });
  }
}
