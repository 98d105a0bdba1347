/**
 * The description of a file or folder, as storage, protocol and client describe it.
 *
 * @module
 */

/** What kind of thing an entry is. */
export type EntryKind = "file" | "dir";

/** A file or folder. */
export interface Entry {
  /** The last segment of the path (`""` for the root). */
  name: string;
  /** Whether it is a file or a folder. */
  kind: EntryKind;
  /** Size in bytes (0 for folders). */
  size: number;
  /** Modification time, milliseconds since the epoch (0 when unknown). */
  mtime: number;
  /**
   * Set by `list` and `stat` on a file that starts like an end-to-end
   * encrypted file (`docs/ENCRYPTION.md`); absent otherwise. The server only
   * looks at the first bytes: a hint, not a guarantee.
   */
  encrypted?: true;
  /**
   * Set by `list` with `hash` on a file: its SHA-256 (lower-case hex), from
   * the server's index or read for the listing. Absent otherwise.
   */
  sha256?: string;
}
