/**
 * Optional behaviours a server offers, named in its hello (`features`).
 *
 * @module
 */

/**
 * Optional behaviours this server offers, named in its hello (`features`).
 * A client uses one only when the server names it, so older peers on
 * either side keep working.
 *
 * - `eager-put`: a `put` with `eager` sends its one `DATA` and `END` right
 *   behind the request, without waiting for `REPLY {offset}` (one round trip
 *   per small file instead of two).
 * - `put-sha256`: a `put` may carry the client's `sha256` of the file; when
 *   the path holds a file with that SHA-256, the answer is
 *   `REPLY {skipped: "identical"}` and no byte is sent (no listing needed).
 * - `usage`: the `usage` request (the client's `df`).
 */
export const SERVER_FEATURES: readonly string[] = ["eager-put", "put-sha256", "usage"];
