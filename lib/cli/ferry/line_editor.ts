/**
 * A small line editor for the shell, fed the bytes a raw-mode terminal
 * sends: typing and pasting, Left/Right, Home/End (also Ctrl-A/Ctrl-E),
 * Backspace/Delete, Ctrl-U/Ctrl-K/Ctrl-W, history with Up/Down, Tab
 * completion, Ctrl-C (drops the line, as in sftp and bash) and Ctrl-D (the
 * end, on an empty line). It knows nothing of terminals: it writes what to
 * show through `write` (one line, redrawn in place), so tests drive it with
 * byte sequences.
 *
 * @module
 */

/** What Tab offers: the words that may replace the text from `start` to the cursor. */
export interface Completion {
  /** Where the word being completed starts. */
  start: number;
  /** What it may become (a folder ends with `/`, then no space is added). */
  candidates: string[];
}

/** Finds the completions of `line` with the cursor at `cursor`. */
export type Completer = (line: string, cursor: number) => Promise<Completion>;

/** What a key sequence ended with: a line, Ctrl-C, or the end (Ctrl-D). */
export type EditResult = { line: string } | { interrupted: true } | { end: true };

/** Options of {@linkcode LineEditor}. */
export interface LineEditorOptions {
  /** Shows text (the prompt line, redrawn; candidate lists). */
  write: (text: string) => void;
  /** Earlier lines, oldest first; accepted lines are added. */
  history?: string[];
  /** Tab completion. */
  complete?: Completer;
}

const ESC = "\u001b";

function commonPrefix(words: string[]): string {
  let prefix = words[0] ?? "";
  for (const word of words) {
    while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

/** Edits one line at a time; see the module documentation. */
export class LineEditor {
  /** The lines accepted so far (and any given at the start), oldest first. */
  readonly history: string[];
  #write: (text: string) => void;
  #complete: Completer | undefined;
  #prompt = "";
  #chars: string[] = [];
  #cursor = 0;
  #pending = "";
  #decoder = new TextDecoder();
  /** Where Up/Down is in the history (`history.length`: the line being typed). */
  #recall = 0;
  #typed: string[] = [];

  /** @param options Where to write, the history, the completer. */
  constructor(options: LineEditorOptions) {
    this.#write = options.write;
    this.history = options.history ?? [];
    this.#complete = options.complete;
  }

  /** Starts a new line: shows the prompt. Bytes already fed stay queued. */
  begin(prompt: string): void {
    this.#prompt = prompt;
    this.#chars = [];
    this.#cursor = 0;
    this.#recall = this.history.length;
    this.#write(prompt);
  }

  /** Queues bytes from the terminal (a sequence may be split across calls). */
  push(bytes: Uint8Array): void {
    this.#pending += this.#decoder.decode(bytes, { stream: true });
  }

  /**
   * Handles the queued keys until a line ends.
   *
   * @returns The result, or `undefined` when the queued keys did not end the line.
   */
  async step(): Promise<EditResult | undefined> {
    while (this.#pending.length > 0) {
      const key = this.#nextKey();
      if (key === undefined) return undefined; // an escape sequence not complete yet
      const result = await this.#handle(key);
      if (result) return result;
    }
    return undefined;
  }

  /** The text of the line being edited. */
  get line(): string {
    return this.#chars.join("");
  }

  /** Takes one key (a character or a whole escape sequence) from the queue. */
  #nextKey(): string | undefined {
    const text = this.#pending;
    if (text[0] !== ESC) {
      const char = String.fromCodePoint(text.codePointAt(0) as number);
      this.#pending = text.slice(char.length);
      return char;
    }
    if (text.length < 2) return undefined;
    let end: number;
    if (text[1] === "[") {
      const match = /^[0-9;]*[@-~]/.exec(text.slice(2));
      if (!match) return /^[0-9;]*$/.test(text.slice(2)) ? undefined : this.#drop(2);
      end = 2 + match[0].length;
    } else if (text[1] === "O") {
      if (text.length < 3) return undefined;
      end = 3;
    } else {
      return this.#drop(1); // a lone Escape: ignored
    }
    this.#pending = text.slice(end);
    return text.slice(0, end);
  }

  #drop(count: number): string {
    this.#pending = this.#pending.slice(count);
    return "";
  }

  async #handle(key: string): Promise<EditResult | undefined> {
    switch (key) {
      case "\r":
      case "\n":
        return this.#accept();
      case "\u0003": // Ctrl-C
        this.#write("^C\r\n");
        return { interrupted: true };
      case "\u0004": // Ctrl-D
        if (this.#chars.length === 0) return { end: true };
        this.#chars.splice(this.#cursor, 1);
        break;
      case "\u007f":
      case "\b":
        if (this.#cursor > 0) this.#chars.splice(--this.#cursor, 1);
        break;
      case "\t":
        await this.#tab();
        break;
      case "\u0001": // Ctrl-A
      case `${ESC}[H`:
      case `${ESC}OH`:
      case `${ESC}[1~`:
        this.#cursor = 0;
        break;
      case "\u0005": // Ctrl-E
      case `${ESC}[F`:
      case `${ESC}OF`:
      case `${ESC}[4~`:
        this.#cursor = this.#chars.length;
        break;
      case `${ESC}[D`:
      case `${ESC}OD`:
        this.#cursor = Math.max(0, this.#cursor - 1);
        break;
      case `${ESC}[C`:
      case `${ESC}OC`:
        this.#cursor = Math.min(this.#chars.length, this.#cursor + 1);
        break;
      case `${ESC}[3~`: // Delete
        this.#chars.splice(this.#cursor, 1);
        break;
      case `${ESC}[A`:
      case `${ESC}OA`:
        this.#recallLine(-1);
        break;
      case `${ESC}[B`:
      case `${ESC}OB`:
        this.#recallLine(1);
        break;
      case "\u0015": // Ctrl-U
        this.#chars.splice(0, this.#cursor);
        this.#cursor = 0;
        break;
      case "\u000b": // Ctrl-K
        this.#chars.splice(this.#cursor);
        break;
      case "\u0017": { // Ctrl-W: the word before the cursor
        let start = this.#cursor;
        while (start > 0 && this.#chars[start - 1] === " ") start--;
        while (start > 0 && this.#chars[start - 1] !== " ") start--;
        this.#chars.splice(start, this.#cursor - start);
        this.#cursor = start;
        break;
      }
      default:
        // Other control keys and unknown sequences do nothing.
        if (key === "" || key.startsWith(ESC) || key < " ") return undefined;
        this.#insert(key);
    }
    this.#redraw();
    return undefined;
  }

  #accept(): EditResult {
    const line = this.line;
    this.#write("\r\n");
    if (line.trim() !== "" && this.history.at(-1) !== line) this.history.push(line);
    return { line };
  }

  #insert(text: string): void {
    const chars = [...text];
    this.#chars.splice(this.#cursor, 0, ...chars);
    this.#cursor += chars.length;
  }

  #recallLine(direction: -1 | 1): void {
    const next = this.#recall + direction;
    if (next < 0 || next > this.history.length) return;
    if (this.#recall === this.history.length) this.#typed = this.#chars;
    this.#recall = next;
    this.#chars = next === this.history.length ? this.#typed : [...this.history[next] as string];
    this.#cursor = this.#chars.length;
  }

  async #tab(): Promise<void> {
    if (!this.#complete) return;
    const line = this.line;
    const { start, candidates } = await this.#complete(line, this.#cursor);
    if (candidates.length === 0) return;
    const typed = line.slice(start, this.#cursor);
    const prefix = commonPrefix(candidates);
    if (candidates.length === 1) {
      const only = candidates[0] as string;
      const rest = only.slice(typed.length) + (only.endsWith("/") ? "" : " ");
      if (only.startsWith(typed)) this.#insert(rest);
      return;
    }
    if (prefix.length > typed.length && prefix.startsWith(typed)) {
      this.#insert(prefix.slice(typed.length));
      return;
    }
    // Nothing more in common: show the choices, then the line again.
    const shown = candidates.map((word) => word.replace(/\\(.)/g, "$1").replace(/.*\/(?=.)/, ""));
    this.#write(`\r\n${shown.join("  ")}\r\n`);
  }

  /** Draws the prompt and the line again, the cursor where it is. */
  #redraw(): void {
    const back = this.#chars.length - this.#cursor;
    this.#write(`\r${this.#prompt}${this.line}${ESC}[K${back > 0 ? `${ESC}[${back}D` : ""}`);
  }
}
