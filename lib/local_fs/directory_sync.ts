/**
 * Group commit for folder `fsync`: a file moved into place is durable only
 * once its folder is synced, and many uploads into one folder at once would
 * each pay for that. A caller joins the sync that has not started yet, so
 * one `fsync` covers every link made before it began.
 *
 * @module
 */

interface Batch {
  started: boolean;
  done: Promise<void>;
}

async function syncFolder(folder: string): Promise<void> {
  try {
    using dir = await Deno.open(folder, { read: true });
    await dir.sync();
  } catch {
    // Best effort: the entry is already visible; only its durability is at stake.
  }
}

/** Coalesced folder syncs, per folder. */
export class DirectorySyncs {
  #batches = new Map<string, Batch>();

  /**
   * Makes what was linked or renamed into `folder` so far durable.
   *
   * @param folder An absolute folder path.
   */
  sync(folder: string): Promise<void> {
    const current = this.#batches.get(folder);
    if (current && !current.started) return current.done;
    const batch: Batch = { started: false, done: Promise.resolve() };
    batch.done = (current?.done ?? Promise.resolve()).then(async () => {
      batch.started = true;
      await syncFolder(folder);
    }).finally(() => {
      if (this.#batches.get(folder) === batch) this.#batches.delete(folder);
    });
    this.#batches.set(folder, batch);
    return batch.done;
  }
}
