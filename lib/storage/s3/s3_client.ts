/**
 * A small S3 client over `fetch`, signed with SigV4 by `aws4fetch`: the
 * handful of object and bucket calls the storage needs, with path-style
 * URLs, typed answers and failures as {@linkcode S3RequestError}.
 *
 * @module
 */

import { AwsClient } from "aws4fetch";
import { createHash } from "node:crypto";
import { escapeXml, xmlElements, xmlText } from "./_xml.ts";
import type { ResolvedS3Config } from "./s3_config.ts";
import { s3Error, s3ErrorCode, S3RequestError } from "./s3_errors.ts";
import { encodeKey, encodeSegment, objectHead, serverTime, unquote } from "./s3_http.ts";
import type { ListPage, ObjectHead } from "./s3_http.ts";

export { objectHead, serverTime, unquote } from "./s3_http.ts";
export type { ListedObject, ListPage, ObjectHead } from "./s3_http.ts";

/** A request's parts other than method and key. */
export interface S3RequestInit {
  /** Query parameters (`""` for a bare flag such as `?uploads`). */
  query?: Record<string, string>;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** The body. */
  body?: Uint8Array | string;
  /** Sign the body's SHA-256, so the store checks it (costs one hash). */
  signBody?: boolean;
  /** HTTP statuses that are answers rather than failures (2xx always are). */
  accept?: readonly number[];
  /** Give up after this long; `0` for never (a streamed download). @default {60000} */
  timeoutMs?: number;
}

const encoder = new TextEncoder();

/** The client of one bucket. */
export class S3Client {
  #aws: AwsClient;
  #bucketPath: string;
  #base: string;

  /** @param config The checked configuration. */
  constructor(config: ResolvedS3Config) {
    this.#aws = new AwsClient({
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      region: config.region,
      service: "s3",
      retries: 2,
    });
    this.#bucketPath = `/${encodeSegment(config.bucket)}`;
    this.#base = `${config.endpoint}${this.#bucketPath}`;
  }

  /**
   * Sends one signed request.
   *
   * @param method The HTTP method.
   * @param key The object key, or `undefined` for the bucket itself.
   * @param init Query, headers, body and accepted statuses.
   * @returns The response (its body unread) for 2xx and accepted statuses.
   * @throws {S3RequestError} For any other status (the body is consumed).
   * @throws {TypeError} When the store cannot be reached.
   */
  async send(method: string, key: string | undefined, init: S3RequestInit = {}): Promise<Response> {
    const url = this.#url(key, init.query);
    const headers: Record<string, string> = { ...init.headers };
    const body = typeof init.body === "string" ? encoder.encode(init.body) : init.body;
    if (init.signBody && body !== undefined) {
      headers["x-amz-content-sha256"] = createHash("sha256").update(body).digest("hex");
    }
    const timeoutMs = init.timeoutMs ?? 60_000;
    const response = await this.#aws.fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: body as Uint8Array<ArrayBuffer> }),
      ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
    if (response.ok || init.accept?.includes(response.status)) return response;
    const text = method === "HEAD" ? "" : await response.text().catch(() => "");
    throw new S3RequestError(method, url, response.status, s3ErrorCode(text));
  }

  /**
   * Describes an object.
   *
   * @param key The key.
   * @returns What the store says, or `undefined` when there is no such object.
   */
  async head(key: string): Promise<ObjectHead | undefined> {
    const response = await this.send("HEAD", key, { accept: [404] });
    await response.body?.cancel();
    return response.status === 404 ? undefined : objectHead(response);
  }

  /**
   * Reads a small object whole.
   *
   * @param key The key.
   * @returns Its bytes and description, or `undefined` when it does not exist.
   */
  async getBytes(key: string): Promise<{ bytes: Uint8Array; head: ObjectHead } | undefined> {
    const response = await this.send("GET", key, { accept: [404] });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    return { bytes: new Uint8Array(await response.arrayBuffer()), head: objectHead(response) };
  }

  /**
   * Writes an object. With `If-None-Match: *` or `If-Match` in `headers`, a
   * failed condition is an answer, not a failure.
   *
   * @param key The key.
   * @param body The content.
   * @param headers Metadata, conditions, content type.
   * @returns The new ETag (no quotes), or `undefined` when a condition failed.
   */
  async put(
    key: string,
    body: Uint8Array | string,
    headers: Record<string, string> = {},
  ): Promise<string | undefined> {
    const response = await this.send("PUT", key, {
      body,
      headers,
      signBody: true,
      accept: [412],
      timeoutMs: 300_000,
    });
    await response.body?.cancel();
    return response.status === 412 ? undefined : unquote(response.headers.get("etag") ?? "");
  }

  /**
   * Deletes an object; a missing one is fine.
   *
   * @param key The key.
   */
  async delete(key: string): Promise<void> {
    const response = await this.send("DELETE", key, { accept: [404] });
    await response.body?.cancel();
  }

  /**
   * Copies an object inside the bucket, server-side.
   *
   * @param from The source key.
   * @param to The destination key.
   * @param headers More headers, such as `x-amz-metadata-directive: REPLACE`
   * with new `x-amz-meta-*` values.
   * @returns The copy's ETag (no quotes).
   */
  async copy(from: string, to: string, headers: Record<string, string> = {}): Promise<string> {
    const source = `${this.#bucketPath}/${encodeKey(from)}`;
    const response = await this.send("PUT", to, {
      headers: { "x-amz-copy-source": source, ...headers },
      timeoutMs: 600_000,
    });
    // A copy may fail after its 200 status line: the error is in the body.
    const text = await response.text();
    if (text.includes("<Error>")) {
      throw new S3RequestError("PUT", this.#url(to), 500, s3ErrorCode(text));
    }
    return unquote(xmlText(text, "ETag") ?? "");
  }

  /**
   * Reads one page of ListObjectsV2.
   *
   * @param prefix Only keys starting with this.
   * @param options The delimiter (`"/"` for one folder level), page size and
   * continuation token.
   * @returns The page.
   */
  async list(
    prefix: string,
    options: { delimiter?: string; maxKeys: number; token?: string | undefined },
  ): Promise<ListPage> {
    const query: Record<string, string> = {
      "list-type": "2",
      "encoding-type": "url",
      prefix,
      "max-keys": String(options.maxKeys),
    };
    if (options.delimiter !== undefined) query.delimiter = options.delimiter;
    if (options.token !== undefined) query["continuation-token"] = options.token;
    const response = await this.send("GET", undefined, { query });
    const xml = await response.text();
    const decode = xmlText(xml, "EncodingType") === "url"
      ? (text: string): string => decodeURIComponent(text.replace(/\+/g, " "))
      : (text: string): string => text;
    const objects = xmlElements(xml, "Contents").map((block) => ({
      key: decode(xmlText(block, "Key") ?? ""),
      size: Number(xmlText(block, "Size") ?? "0"),
      lastModified: Date.parse(xmlText(block, "LastModified") ?? "") || 0,
    }));
    const prefixes = xmlElements(xml, "CommonPrefixes").map((block) =>
      decode(xmlText(block, "Prefix") ?? "")
    );
    const truncated = xmlText(xml, "IsTruncated") === "true";
    const next = truncated ? xmlText(xml, "NextContinuationToken") : undefined;
    return { objects, prefixes, next, serverTime: serverTime(response) };
  }

  /**
   * Deletes up to 1000 objects in one request (DeleteObjects).
   *
   * @param keys The keys; missing ones are fine.
   * @throws {S3RequestError} When the store could not delete one of them.
   */
  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const body = `<Delete><Quiet>true</Quiet>${
      keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join("")
    }</Delete>`;
    const md5 = createHash("md5").update(body).digest("base64");
    const response = await this.send("POST", undefined, {
      query: { delete: "" },
      headers: { "content-md5": md5, "content-type": "application/xml" },
      body,
      signBody: true,
    });
    const text = await response.text();
    const [failed] = xmlElements(text, "Error");
    if (failed !== undefined) {
      throw new S3RequestError("POST", this.#url(undefined), 500, xmlText(failed, "Code") ?? "");
    }
  }

  /**
   * Tells whether the bucket exists, creating it when asked.
   *
   * @param create Create it when missing.
   * @returns `true` when it exists (now).
   */
  async ensureBucket(create: boolean): Promise<boolean> {
    const response = await this.send("HEAD", undefined, { accept: [404] });
    await response.body?.cancel();
    if (response.status !== 404) return true;
    if (!create) return false;
    const created = await this.send("PUT", undefined, { accept: [409] });
    await created.body?.cancel();
    return true;
  }

  #url(key: string | undefined, query?: Record<string, string>): string {
    const path = key === undefined ? this.#base : `${this.#base}/${encodeKey(key)}`;
    if (query === undefined) return path;
    const search = Object.entries(query)
      .map(([name, value]) => `${encodeSegment(name)}=${encodeSegment(value)}`)
      .join("&");
    return `${path}?${search}`;
  }
}

/**
 * A client for the configured bucket, which is checked now (and created when
 * `createBucket` says so), so that a wrong bucket fails at start.
 *
 * @param config The resolved settings.
 * @param what What is being opened, for the error: `storage`, `server state`.
 * @returns The client.
 * @throws {Error} When the bucket is missing or cannot be reached.
 */
export async function connectBucket(config: ResolvedS3Config, what: string): Promise<S3Client> {
  const client = new S3Client(config);
  const where = `Cannot open ${what} in bucket "${config.bucket}"`;
  let exists: boolean;
  try {
    exists = await client.ensureBucket(config.createBucket);
  } catch (error) {
    throw new Error(`${where}: ${s3Error(error, "the request failed").message}`, { cause: error });
  }
  if (!exists) throw new Error(`${where}: it does not exist`);
  return client;
}
