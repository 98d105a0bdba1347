/**
 * The page's static files by URL path, embedded as strings so that
 * `deno compile` carries them.
 *
 * @module
 */

import { APP_CSS } from "./app_css.ts";
import { APP_JS } from "./app_js.ts";
import { INDEX_HTML } from "./index_html.ts";

/** A static file. */
export interface PageAsset {
  /** Its `Content-Type`. */
  type: string;
  /** Its text. */
  body: string;
}

const HTML = { type: "text/html; charset=utf-8", body: INDEX_HTML };

/** The page's files. */
export const PAGE_ASSETS: Readonly<Record<string, PageAsset>> = Object.freeze({
  "/": HTML,
  "/index.html": HTML,
  "/app.js": { type: "text/javascript; charset=utf-8", body: APP_JS },
  "/app.css": { type: "text/css; charset=utf-8", body: APP_CSS },
});
