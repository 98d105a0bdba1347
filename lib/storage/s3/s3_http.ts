/**
 * What S3 answers look like: object descriptions, listing pages, and the
 * encodings of keys and ETags.
 *
 * @module
 */

/** What a HEAD (or GET) says about an object. */
export interface ObjectHead {
  /** Its size in bytes. */
  size: number;
  /** Its ETag, without quotes. */
  etag: string;
  /** When the store last wrote it, ms since the epoch. */
  lastModified: number;
  /** The store's clock when it answered, ms since the epoch. */
  serverTime: number;
  /** Its user metadata (`x-amz-meta-NAME`), by lower-case NAME. */
  meta: Record<string, string>;
}

/** One object in a listing. */
export interface ListedObject {
  /** The full key. */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** When the store last wrote it, ms since the epoch. */
  lastModified: number;
}

/** One page of ListObjectsV2. */
export interface ListPage {
  /** The objects of the page. */
  objects: ListedObject[];
  /** The common prefixes (folders), with their trailing delimiter. */
  prefixes: string[];
  /** The token of the next page, or `undefined` for the last page. */
  next: string | undefined;
  /** The store's clock when it answered, ms since the epoch. */
  serverTime: number;
}

/**
 * Reads an object's description from a HEAD or GET response.
 *
 * @param response The response.
 * @returns The description.
 */
export function objectHead(response: Response): ObjectHead {
  const meta: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    if (name.startsWith("x-amz-meta-")) meta[name.slice(11)] = value;
  }
  const range = response.headers.get("content-range");
  const total = range === null ? null : /\/(\d+)$/.exec(range)?.[1];
  return {
    size: Number(total ?? response.headers.get("content-length") ?? "0"),
    etag: unquote(response.headers.get("etag") ?? ""),
    lastModified: Date.parse(response.headers.get("last-modified") ?? "") || 0,
    serverTime: serverTime(response),
    meta,
  };
}

/** The store's clock from a response's `Date`, or the local clock. */
export function serverTime(response: Response): number {
  return Date.parse(response.headers.get("date") ?? "") || Date.now();
}

/**
 * Removes the quotes around an ETag.
 *
 * @param etag `"abc"` or `abc`.
 * @returns `abc`.
 */
export function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}

/**
 * Percent-encodes a key for a URL path, segment by segment.
 *
 * @param key The key.
 * @returns The encoded path.
 */
export function encodeKey(key: string): string {
  return key.split("/").map(encodeSegment).join("/");
}

/**
 * RFC 3986 percent-encoding, as SigV4 wants it.
 *
 * @param text The text.
 * @returns The encoded text.
 */
export function encodeSegment(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
