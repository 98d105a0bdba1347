/**
 * The web front end of ferryd: `Deno.serve` (HTTPS with a certificate, or
 * plain HTTP on loopback for a reverse proxy) on the address of `--web`,
 * serving the page and its API from the same server core as the ferry
 * protocol. Every response carries the security headers; every request is
 * bounded (URL, headers, body) and counted against the server's connection
 * limits while it runs.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import type { SessionEnvironment } from "../server/session_environment.ts";
import { PAGE_ASSETS } from "./assets/page_assets.ts";
import { checkRequestSize } from "./http_bounds.ts";
import { errorResponse, json, secureHeaders } from "./http_answers.ts";
import { WebApi } from "./web_api.ts";
import { checkWebOptions, servesTls, type WebOptions } from "./web_options.ts";

export type { WebOptions } from "./web_options.ts";

/** Keeps a response's body counted until it ends or the browser leaves. */
function releasingBody(
  body: ReadableStream<Uint8Array>,
  release: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let released = false;
  const once = (): void => {
    if (!released) release();
    released = true;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      try {
        const { value, done } = await reader.read();
        if (done) {
          controller.close();
          once();
        } else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        once();
      }
    },
    async cancel(reason): Promise<void> {
      once();
      await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

/** A running web front end. */
export class WebServer {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** Whether it serves HTTPS. */
  readonly tls: boolean;
  #server: Deno.HttpServer<Deno.NetAddr>;
  #api: WebApi;

  private constructor(server: Deno.HttpServer<Deno.NetAddr>, api: WebApi, tls: boolean) {
    this.#server = server;
    this.#api = api;
    this.addr = server.addr;
    this.tls = tls;
  }

  /**
   * Starts listening.
   *
   * @throws {FerryError} `usage` for unsafe options or unreadable TLS files.
   */
  static async start(environment: SessionEnvironment, options: WebOptions): Promise<WebServer> {
    checkWebOptions(options);
    const tls = servesTls(options);
    let cert: { cert: string; key: string } | undefined;
    if (tls) {
      const read = async (file: string, what: string): Promise<string> => {
        try {
          return await Deno.readTextFile(file);
        } catch (cause) {
          throw new FerryError(
            "usage",
            `Cannot read the web ${what} "${file}": ${(cause as Error).message}`,
            {
              cause,
            },
          );
        }
      };
      cert = {
        cert: await read(options.certFile as string, "certificate"),
        key: await read(options.keyFile as string, "key"),
      };
    }
    const api = new WebApi(environment);
    const handler = (
      request: Request,
      info: Deno.ServeHandlerInfo<Deno.NetAddr>,
    ): Promise<Response> => serveRequest(environment, api, request, info.remoteAddr.hostname, tls);
    const ready = Promise.withResolvers<void>();
    const server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      ...(cert ?? {}),
      onListen: () => ready.resolve(),
      onError: (error) => {
        environment.log.error(`Web request failed: ${String(error)}`);
        return errorResponse(error);
      },
    }, handler);
    await ready.promise;
    return new WebServer(server, api, tls);
  }

  /** The URL of the page. */
  get url(): string {
    const host = this.addr.hostname.includes(":") ? `[${this.addr.hostname}]` : this.addr.hostname;
    return `${this.tls ? "https" : "http"}://${host}:${this.addr.port}/`;
  }

  /** Stops listening, ends uploads (keeping their partials) and waits for the requests. */
  async shutdown(): Promise<void> {
    await this.#api.close();
    await this.#server.shutdown();
  }
}

async function serveRequest(
  environment: SessionEnvironment,
  api: WebApi,
  request: Request,
  address: string,
  tls: boolean,
): Promise<Response> {
  const { limits } = environment;
  const admission = limits.open(address);
  limits.endStartup();
  let release = (): void => limits.close(address);
  let response: Response;
  try {
    const tooBig = checkRequestSize(request);
    if (admission !== "ok") {
      response = json(
        {
          error: {
            code: "busy",
            message: `Server busy: ${limits.busyReason(address)}, retry later`,
          },
        },
        503,
        {
          "retry-after": "5",
        },
      );
    } else if (tooBig) {
      response = json({ error: { code: "too_large", message: tooBig.message } }, tooBig.status);
    } else {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/api/")) {
        response = await api.handle(request, url, { address, tls });
      } else {
        const asset = PAGE_ASSETS[url.pathname];
        response = asset && (request.method === "GET" || request.method === "HEAD")
          ? new Response(request.method === "HEAD" ? null : asset.body, {
            headers: { "content-type": asset.type, "cache-control": "no-cache" },
          })
          : json({ error: { code: "not_found", message: "No such page" } }, 404);
      }
    }
  } catch (error) {
    response = errorResponse(error);
  }
  secureHeaders(response.headers, tls);
  if (response.body === null) {
    release();
    return response;
  }
  const counted = release;
  release = () => {};
  return new Response(releasingBody(response.body, counted), {
    status: response.status,
    headers: response.headers,
  });
}
