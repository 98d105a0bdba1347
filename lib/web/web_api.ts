/**
 * The web front end's API under `/api/`: login and logout, listing,
 * downloads (a file with `Range`, a folder as a tar stream), uploads in
 * chunks, mkdir, rename and delete. Every request but the login needs the
 * session cookie; every state-changing one also its CSRF token and, when
 * the browser sends one, an `Origin` of this site.
 *
 * @module
 */

import { FerryError, isFerryError } from "../core/errors.ts";
import { baseName, normalizeRemotePath, parentOf } from "../core/remote_path.ts";
import type { Entry } from "../core/entry.ts";
import type { SessionEnvironment } from "../server/session_environment.ts";
import { countedBody, declaredLength, readJsonBody, stringField } from "./http_bounds.ts";
import { errorResponse, json } from "./http_answers.ts";
import { type WebUser, WebUsers } from "./web_commands.ts";
import { webLogin } from "./web_login.ts";
import {
  CSRF_HEADER,
  sameSecret,
  sessionCookie,
  type WebSession,
  WebSessions,
} from "./web_sessions.ts";
import { MAX_CHUNK_BYTES, type OverwritePolicy, WebUploads } from "./web_uploads.ts";
import { WebDownloads } from "./web_downloads.ts";

/** What a request arrived with. */
export interface WebRequestInfo {
  /** The browser's IP address. */
  address: string;
  /** Whether the page is served over TLS. */
  tls: boolean;
}

function policyOf(value: unknown): OverwritePolicy {
  if (value === undefined) return "refuse";
  if (value === "refuse" || value === "replace" || value === "keep-both") return value;
  throw new FerryError(
    "bad_request",
    'Cannot read the request: "policy" must be refuse, replace or keep-both',
  );
}

function countField(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new FerryError("bad_request", `Cannot read the request: "${name}" must be a count`);
  }
  return value;
}

/** The first free `name (n).ext` beside `path`. */
async function freeName(user: WebUser, path: string): Promise<string> {
  const parent = parentOf(path);
  const name = baseName(path);
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let n = 1; n < 10_000; n++) {
    const candidate = `${stem} (${n})${ext}`;
    const full = parent === "" ? candidate : `${parent}/${candidate}`;
    try {
      await user.storage.stat(full);
    } catch (error) {
      if (isFerryError(error, "not_found")) return full;
      throw error;
    }
  }
  throw new FerryError("exists", `Cannot find a free name beside "${path}"`);
}

/** The API of one server's web front end. */
export class WebApi {
  #environment: SessionEnvironment;
  #sessions: WebSessions;
  #users: WebUsers;
  #uploads: WebUploads;
  #downloads: WebDownloads;

  /** @param environment The server's shared state. */
  constructor(environment: SessionEnvironment) {
    this.#environment = environment;
    this.#sessions = new WebSessions(environment.config.maxSessionsPerUser);
    this.#users = new WebUsers(environment);
    this.#uploads = new WebUploads(this.#users);
    this.#downloads = new WebDownloads(this.#users);
  }

  /** Ends the uploads in progress (their partials are kept). */
  close(): Promise<void> {
    return this.#uploads.close();
  }

  /** Answers one request under `/api/`. */
  async handle(request: Request, url: URL, info: WebRequestInfo): Promise<Response> {
    try {
      const route = `${request.method} ${url.pathname}`;
      if (request.method !== "GET" && request.method !== "HEAD") checkOrigin(request, url);
      if (route === "POST /api/login") return await this.#login(request, info);
      const session = this.#sessions.find(request.headers.get("cookie"));
      if (!session) throw new FerryError("auth_failed", "Not logged in (or the session expired)");
      if (request.method !== "GET" && request.method !== "HEAD") {
        const token = request.headers.get(CSRF_HEADER) ?? "";
        if (!sameSecret(token, session.csrf)) {
          this.#users.record(session.user, info.address, {
            event: "denied",
            path: url.pathname,
            code: "denied",
            reason: "missing or wrong CSRF token",
          });
          throw new FerryError("denied", "Refused: the request lacks this session's CSRF token");
        }
      }
      let user: WebUser;
      try {
        user = await this.#users.get(session.user);
      } catch (error) {
        this.#sessions.end(session);
        throw error;
      }
      return await this.#route(route, request, url, session, user, info);
    } catch (error) {
      if (!isFerryError(error)) {
        this.#environment.log.error(
          `Web request failed: ${error instanceof Error ? error.stack : error}`,
        );
      }
      return errorResponse(error);
    }
  }

  async #route(
    route: string,
    request: Request,
    url: URL,
    session: WebSession,
    user: WebUser,
    info: WebRequestInfo,
  ): Promise<Response> {
    const { address } = info;
    const query = (name: string): string => {
      const value = url.searchParams.get(name);
      if (value === null) {
        throw new FerryError("bad_request", `Cannot read the request: it needs "${name}"`);
      }
      return value;
    };
    switch (route) {
      case "GET /api/session":
        return json(this.#sessionInfo(session, user));
      case "POST /api/logout":
        this.#sessions.end(session);
        return json({}, 200, { "set-cookie": sessionCookie(undefined, info.tls) });
      case "GET /api/list": {
        const path = normalizeRemotePath(query("path"));
        const outcome = await this.#users.run(user, address, { op: "list", path });
        return json({ path, entries: outcome.pages as Entry[] });
      }
      case "GET /api/file":
        return await this.#downloads.file(
          request,
          normalizeRemotePath(query("path")),
          user,
          address,
        );
      case "GET /api/archive":
        return await this.#downloads.archive(normalizeRemotePath(query("path")), user, address);
      case "POST /api/mkdir": {
        const body = await readJsonBody(request);
        await this.#users.run(user, address, { op: "mkdir", path: stringField(body, "path") });
        return json({});
      }
      case "POST /api/delete": {
        const body = await readJsonBody(request);
        const path = normalizeRemotePath(stringField(body, "path"));
        const entry = await user.storage.stat(path);
        await this.#users.run(
          user,
          address,
          entry.kind === "dir" ? { op: "rmdir", path, recursive: true } : { op: "delete", path },
        );
        return json({});
      }
      case "POST /api/rename": {
        const body = await readJsonBody(request);
        const from = normalizeRemotePath(stringField(body, "from"));
        let to = normalizeRemotePath(stringField(body, "to"));
        const policy = policyOf(body.policy);
        if (policy === "keep-both") {
          const taken = await user.storage.stat(to).then(() => true, () => false);
          if (taken) to = await freeName(user, to);
        }
        await this.#users.run(user, address, {
          op: "rename",
          from,
          to,
          force: policy === "replace",
        });
        return json({ path: to });
      }
      case "POST /api/upload": {
        const body = await readJsonBody(request);
        const size = countField(body, "size");
        const mtime = body.mtime === undefined ? undefined : countField(body, "mtime");
        const started = await this.#uploads.start(user, address, {
          path: stringField(body, "path"),
          size,
          policy: policyOf(body.policy),
          ...(mtime === undefined ? {} : { mtime }),
        });
        return json(started);
      }
      case "GET /api/upload":
        return json(this.#uploads.status(session.user, query("id")));
      case "PUT /api/upload": {
        const offset = Number(query("offset"));
        if (!Number.isSafeInteger(offset) || offset < 0) {
          throw new FerryError("bad_request", 'Cannot read the request: "offset" must be a count');
        }
        const length = declaredLength(request, MAX_CHUNK_BYTES);
        return json(
          await this.#uploads.chunk(
            session.user,
            query("id"),
            offset,
            countedBody(request, length),
          ),
        );
      }
      case "POST /api/upload/cancel": {
        const body = await readJsonBody(request);
        this.#uploads.cancel(session.user, stringField(body, "id"));
        return json({});
      }
      default:
        throw new FerryError("not_found", `No such page: ${route}`);
    }
  }

  #sessionInfo(session: WebSession, user: WebUser): unknown {
    return {
      user: session.user,
      permissions: [...user.account.permissions],
      csrf: session.csrf,
      home: user.account.home ?? "/",
    };
  }

  async #login(request: Request, info: WebRequestInfo): Promise<Response> {
    const body = await readJsonBody(request);
    const name = stringField(body, "user");
    const password = stringField(body, "password");
    if (name.length > 256 || password.length > 1024) {
      throw new FerryError("bad_request", "Cannot log in: the user name or password is too long");
    }
    const account = await webLogin(this.#environment, name, password, info.address);
    const session = this.#sessions.create(account.name);
    this.#environment.log.info(`${info.address} logged in on the web as "${account.name}"`);
    const user = await this.#users.get(account.name);
    return json(this.#sessionInfo(session, user), 200, {
      "set-cookie": sessionCookie(session, info.tls),
    });
  }
}

/**
 * Refuses a state-changing request another site's page sent: its `Origin`
 * (when the browser gives one) must name this host, and `Sec-Fetch-Site`
 * must not be `cross-site`.
 *
 * @throws {FerryError} `denied`.
 */
export function checkOrigin(request: Request, url: URL): void {
  const origin = request.headers.get("origin");
  const host = request.headers.get("host") ?? url.host;
  let ok = true;
  if (origin !== null) {
    try {
      ok = new URL(origin).host === host;
    } catch {
      ok = false;
    }
  }
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") ok = false;
  if (!ok) {
    throw new FerryError("denied", `Refused: a request from another site (${origin ?? site})`);
  }
}
