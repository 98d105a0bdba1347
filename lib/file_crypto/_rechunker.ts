/**
 * Cuts a byte stream into units of given sizes (chunks, sealed chunks, the
 * header) while holding at most one unit. Private to `lib/file_crypto/`.
 *
 * @module
 */

/** What a {@linkcode Rechunker} does with the bytes it is fed. */
export interface RechunkerSink {
  /** The size of the next unit, or `null` when no more bytes are expected. */
  nextSize(): number | null;
  /** Takes one complete unit; the view is only valid during the call. */
  unit(bytes: Uint8Array): void | Promise<void>;
  /** Called with the count of bytes that arrived when none were expected; must throw. */
  extra(count: number): never;
}

/**
 * Holds the bytes of one unit at a time. A unit that lies whole inside one
 * input is handed over as a view, without a copy.
 */
export class Rechunker {
  readonly #buffer: Uint8Array;
  #filled = 0;

  /** @param capacity The largest unit. */
  constructor(capacity: number) {
    this.#buffer = new Uint8Array(capacity);
  }

  /** Bytes of an incomplete unit held now. */
  get buffered(): number {
    return this.#filled;
  }

  /** The bytes of the incomplete unit held now (a view, valid until the next push). */
  peek(): Uint8Array {
    return this.#buffer.subarray(0, this.#filled);
  }

  /**
   * Feeds bytes; hands every completed unit to `sink`.
   *
   * @param input The bytes, not kept after the call returns.
   * @param sink Decides unit sizes and takes the units.
   */
  async push(input: Uint8Array, sink: RechunkerSink): Promise<void> {
    let rest = input;
    while (rest.length > 0) {
      const want = sink.nextSize();
      if (want === null || want === 0) sink.extra(rest.length);
      if (this.#filled === 0 && rest.length >= want) {
        await sink.unit(rest.subarray(0, want));
        rest = rest.subarray(want);
        continue;
      }
      const take = Math.min(want - this.#filled, rest.length);
      this.#buffer.set(rest.subarray(0, take), this.#filled);
      this.#filled += take;
      rest = rest.subarray(take);
      if (this.#filled === want) {
        this.#filled = 0;
        await sink.unit(this.#buffer.subarray(0, want));
      }
    }
  }
}
