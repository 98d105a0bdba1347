/**
 * A TCP proxy in front of the real RGW for the S3 tests: it reads each
 * HTTP/1.1 request's head (and its `Content-Length` body) and, by what
 * {@linkcode FaultProxy.decide} says for the request line, waits if told
 * to, then forwards it or answers `503 SlowDown` itself. Answers from
 * the RGW flow back untouched. It lets a test hold one UploadPart while
 * another goes, or fail one part: the store and the storage stay real.
 *
 * @module
 */

/** What to do with one request. */
export type FaultDecision = { wait?: Promise<void>; fail?: boolean };

const encoder = new TextEncoder();
const HEAD_END = encoder.encode("\r\n\r\n");

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.byteLength - needle.byteLength; i++) {
    for (let j = 0; j < needle.byteLength; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** A proxy on 127.0.0.1 to one upstream `http://host:port`. */
export class FaultProxy implements AsyncDisposable {
  /** The proxy's endpoint, `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Every request line seen, in arrival order. */
  readonly seen: string[] = [];
  /** Decides each request by its request line (`PUT /b/k?partNumber=2&… HTTP/1.1`). */
  decide: (line: string) => FaultDecision = () => ({});
  #listener: Deno.Listener;
  #upstream: { hostname: string; port: number };
  #conns = new Set<Deno.Conn>();
  #serving: Promise<void>;

  /** @param upstream The RGW's endpoint, `http://127.0.0.1:PORT`. */
  constructor(upstream: string) {
    const url = new URL(upstream);
    this.#upstream = { hostname: url.hostname, port: Number(url.port) };
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.endpoint = `http://127.0.0.1:${(this.#listener.addr as Deno.NetAddr).port}`;
    this.#serving = this.#serve();
  }

  async #serve(): Promise<void> {
    for await (const client of this.#listener) {
      this.#conns.add(client);
      this.#relay(client).catch(() => {}).finally(() => this.#close(client));
    }
  }

  #close(conn: Deno.Conn): void {
    if (!this.#conns.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // already closed
    }
  }

  async #relay(client: Deno.Conn): Promise<void> {
    const upstream = await Deno.connect(this.#upstream);
    this.#conns.add(upstream);
    const back = upstream.readable.pipeTo(client.writable, { preventClose: true })
      .catch(() => {})
      .finally(() => this.#close(client));
    const writer = upstream.writable.getWriter();
    let held: Uint8Array = new Uint8Array(0);
    const buffer = new Uint8Array(256 * 1024);
    const more = async (): Promise<boolean> => {
      const n = await client.read(buffer);
      if (n === null) return false;
      held = concat(held, buffer.subarray(0, n));
      return true;
    };
    try {
      while (true) {
        let end = indexOfBytes(held, HEAD_END, 0);
        while (end < 0) {
          if (!(await more())) return;
          end = indexOfBytes(held, HEAD_END, 0);
        }
        const head = new TextDecoder().decode(held.subarray(0, end));
        const line = head.split("\r\n")[0] ?? "";
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? "0");
        const total = end + HEAD_END.byteLength + length;
        this.seen.push(line);
        const decision = this.decide(line);
        // A held request waits first, whether it then fails or goes.
        if (decision.wait) await decision.wait;
        if (decision.fail) {
          while (held.byteLength < total) if (!(await more())) return;
          const body = "<Error><Code>SlowDown</Code></Error>";
          await client.write(encoder.encode(
            `HTTP/1.1 503 Service Unavailable\r\ncontent-length: ${body.length}\r\n` +
              `connection: close\r\n\r\n${body}`,
          ));
          return;
        }
        // Forward the request as its bytes come.
        let sent = 0;
        while (sent < total) {
          if (held.byteLength === 0 && !(await more())) return;
          const piece = held.subarray(0, Math.min(held.byteLength, total - sent));
          await writer.write(piece.slice());
          sent += piece.byteLength;
          held = held.subarray(piece.byteLength);
        }
      }
    } finally {
      writer.releaseLock();
      this.#close(upstream);
      await back;
    }
  }

  /** Stops listening and closes every connection. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    for (const conn of [...this.#conns]) this.#close(conn);
    await this.#serving.catch(() => {});
  }
}
