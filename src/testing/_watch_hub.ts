/**
 * {@linkcode WatchHub}: every open watch of one server, by resource. It
 * delivers each committed change to the watchers of its table (which encode
 * it at most once per representation between them), sends periodic and
 * on-demand bookmarks, and applies the stream faults to every watch.
 *
 * @module
 */

import type { Clock } from "../_internal/clock.ts";
import type { Change, ResourceTable } from "./_object_store.ts";
import { type LineCache, type OpenWatchOptions, Watcher } from "./_watcher.ts";

// Re-exported for tests/testing/fake_api_server_stream_test.ts, which reads them from here.
export { FLUSH_BYTES, Watcher } from "./_watcher.ts";

/** Options of {@linkcode WatchHub}. */
export interface WatchHubOptions {
  /** Timers. */
  clock: Clock;
  /** Period of automatic bookmarks; 0 or Infinity disables them. */
  bookmarkIntervalMs: number;
  /** The current resourceVersion (bookmarks carry it). */
  currentRv: () => number;
}

/** All open watches of one server. */
export class WatchHub {
  readonly #byTable = new Map<ResourceTable, Set<Watcher>>();
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #currentRv: () => number;
  #bookmarkWatchers = 0;
  #cancelTick: (() => void) | undefined;
  #count = 0;

  constructor(options: WatchHubOptions) {
    this.#clock = options.clock;
    this.#intervalMs = options.bookmarkIntervalMs;
    this.#currentRv = options.currentRv;
  }

  /** Open watches. */
  get count(): number {
    return this.#count;
  }

  /** Creates a watcher; the caller sends initial events, then calls {@linkcode WatchHub.attach}. */
  open(options: OpenWatchOptions): Watcher {
    return new Watcher(this, options, this.#clock);
  }

  /** Starts delivering live changes to a watcher. */
  attach(watcher: Watcher): void {
    if (watcher.closed) return;
    let set = this.#byTable.get(watcher.table);
    if (set === undefined) {
      set = new Set();
      this.#byTable.set(watcher.table, set);
    }
    set.add(watcher);
    this.#count++;
    if (watcher.allowBookmarks) {
      this.#bookmarkWatchers++;
      this.#arm();
    }
  }

  /** Forgets a watcher (called when it ends). */
  remove(watcher: Watcher): void {
    const set = this.#byTable.get(watcher.table);
    if (set === undefined || !set.delete(watcher)) return;
    if (set.size === 0) this.#byTable.delete(watcher.table);
    this.#count--;
    if (watcher.allowBookmarks && --this.#bookmarkWatchers === 0) {
      this.#cancelTick?.();
      this.#cancelTick = undefined;
    }
  }

  /** Delivers a committed change to the watchers of its table. */
  dispatch(change: Change): void {
    const set = this.#byTable.get(change.table);
    if (set === undefined) return;
    const cache: LineCache = new Map();
    for (const watcher of set) watcher.offer(change, cache);
  }

  /** Replays history changes to one watcher. */
  replay(watcher: Watcher, changes: Iterable<Change>): void {
    for (const change of changes) {
      if (change.silent || change.table !== watcher.table) continue;
      watcher.offer(change, new Map());
    }
  }

  /** Sends a bookmark at the current resourceVersion to every watcher that asked for them. */
  bookmark(): void {
    const rv = this.#currentRv();
    for (const watcher of this.#all()) watcher.bookmark(rv);
  }

  /** Ends every open watch cleanly. */
  closeAll(): number {
    const all = this.#all();
    for (const watcher of all) watcher.close();
    return all.length;
  }

  /** Stalls every open watch. */
  stallAll(): number {
    const all = this.#all();
    for (const watcher of all) watcher.stall();
    return all.length;
  }

  /** Writes raw text to every open (not stalled) watch. */
  writeAll(text: string): number {
    const all = this.#all();
    for (const watcher of all) watcher.writeRaw(text);
    return all.length;
  }

  /** Ends every watch and stops the bookmark timer. */
  shutdown(): void {
    this.closeAll();
    this.#cancelTick?.();
    this.#cancelTick = undefined;
  }

  #all(): Watcher[] {
    const all: Watcher[] = [];
    for (const set of this.#byTable.values()) all.push(...set);
    return all;
  }

  #arm(): void {
    if (this.#cancelTick !== undefined) return;
    if (!(this.#intervalMs > 0 && Number.isFinite(this.#intervalMs))) return;
    this.#cancelTick = this.#clock.setTimer(() => {
      this.#cancelTick = undefined;
      this.bookmark();
      if (this.#bookmarkWatchers > 0) this.#arm();
    }, this.#intervalMs);
  }
}
