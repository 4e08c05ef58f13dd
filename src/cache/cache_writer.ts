/**
 * The cache writer: the one place that keeps an informer's cache consistent
 * with what the reflector hands over. It de-duplicates by resourceVersion,
 * runs the user's transform, freezes, stores, builds a relist aside and swaps
 * it in as a diff with tombstones for what vanished, and says what changed.
 * Per watch event it computes the key once and looks the cache up once.
 *
 * User code that fails on an object (a transform that throws or returns no
 * named object, an index function that throws) is reported with the object's
 * key, and the object is left out of the cache: an earlier version of it is
 * removed with a {@linkcode DeletedFinalStateUnknown}, so the cache never
 * serves a version older than what the server sent.
 *
 * @module
 */

import { shareUnchanged } from "./structural_sharing.ts";
import { UserCodeError } from "../api/errors.ts";
import type { KubeObject } from "../api/meta.ts";
import { DeletedFinalStateUnknown } from "./deleted_final_state_unknown.ts";
import type { KeyedIndexer } from "./indexer.ts";
import { metaNamespaceKey } from "./keys.ts";

/** What a write changed, for the handlers. */
export type CacheChange<T> =
  | { type: "add"; object: T; isInInitialList: boolean }
  | { type: "update"; oldObject: T; newObject: T }
  | { type: "delete"; object: T | DeletedFinalStateUnknown<T> };

/** Options of {@linkcode CacheWriter}. */
export interface CacheWriterOptions<T> {
  /** Runs on every new version of an object before it is stored (not on unchanged ones). */
  transform?: ((object: T) => T) | undefined;
  /** Protects a stored object against writes (returns it). */
  freeze: (object: T) => T;
  /** Receives what a watch event changed (a relist's changes are returned by `initDone`). */
  onChange: (change: CacheChange<T>) => void;
  /** Receives a failure of user code on one object (or a summary for a relist). */
  onFailure: (error: UserCodeError, key: string | undefined) => void;
}

/** A relist under construction: keys to their new object and the cached one it replaces. */
interface PendingRelist<T> {
  objects: Map<string, { object: T; old: T | undefined }>;
  failures: number;
  firstFailure: UserCodeError | undefined;
}

/**
 * Writes reflector changes into a cache.
 *
 * @typeParam T The object type.
 *
 * @example Writing a relist and a change
 * ```ts
 * import { CacheWriter } from "./cache_writer.ts";
 * import { createKeyedIndexer } from "./indexer.ts";
 * const cache = createKeyedIndexer();
 * const writer = new CacheWriter(cache, {
 *   freeze: (o) => Object.freeze(o),
 *   onChange: (c) => console.log(c.type),
 *   onFailure: (e) => console.log(e.message),
 * });
 * writer.init();
 * writer.initApply({ metadata: { namespace: "default", name: "a", resourceVersion: "1" } });
 * console.log(writer.initDone(true).map((c) => c.type)); // ["add"]
 * writer.apply({ metadata: { namespace: "default", name: "a", resourceVersion: "2" } }); // "update"
 * ```
 */
export class CacheWriter<T extends KubeObject> {
  readonly #cache: KeyedIndexer<T>;
  readonly #transform: ((object: T) => T) | undefined;
  readonly #freeze: (object: T) => T;
  readonly #onChange: (change: CacheChange<T>) => void;
  readonly #onFailure: (error: UserCodeError, key: string | undefined) => void;
  #pending: PendingRelist<T> | undefined;

  /**
   * Creates a writer.
   *
   * @param cache The cache it alone writes.
   * @param options Transform, freeze and where changes and failures go.
   */
  constructor(cache: KeyedIndexer<T>, options: CacheWriterOptions<T>) {
    this.#cache = cache;
    this.#transform = options.transform;
    this.#freeze = options.freeze;
    this.#onChange = options.onChange;
    this.#onFailure = options.onFailure;
  }

  /** A relist begins (dropping one that did not complete). */
  init(): void {
    this.#pending = { objects: new Map(), failures: 0, firstFailure: undefined };
  }

  /**
   * One object of the relist. An unchanged one (same resourceVersion as the
   * cached version) is kept as the cached instance at once, so a relist holds
   * one copy of what did not change.
   *
   * @param raw The object as the server sent it.
   */
  initApply(raw: T): void {
    const pending = this.#pending;
    if (pending === undefined) return this.apply(raw);
    const key = metaNamespaceKey(raw);
    const old = this.#cache.getByKey(key);
    if (old !== undefined && old.metadata?.resourceVersion === raw.metadata?.resourceVersion) {
      pending.objects.set(key, { object: old, old });
      return;
    }
    const prepared = this.#prepare(raw, key, old);
    if (prepared instanceof UserCodeError) {
      pending.objects.delete(key);
      pending.failures++;
      pending.firstFailure ??= prepared;
      return;
    }
    pending.objects.set(key, { object: prepared, old });
  }

  /**
   * The relist is complete: the cache becomes what it carried. Objects that
   * vanished are removed with a tombstone.
   *
   * @param initial Whether this is the first state (handlers see `isInInitialList`).
   * @returns What changed, in order, for the caller to hand out once it has
   *   recorded the new state (such as "synced").
   */
  initDone(initial: boolean): CacheChange<T>[] {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) return [];
    const changes: CacheChange<T>[] = [];
    const kept = new Set<string>();
    for (const [key, { object, old }] of pending.objects) {
      if (object === old) { // unchanged
        kept.add(key);
        continue;
      }
      const failed = this.#store(key, object);
      if (failed) {
        pending.failures++;
        pending.firstFailure ??= failed;
        continue; // left out: removed below like anything the relist does not hold
      }
      kept.add(key);
      changes.push(
        old === undefined
          ? { type: "add", object, isInInitialList: initial }
          : { type: "update", oldObject: old, newObject: object },
      );
    }
    if (kept.size !== this.#cache.size) {
      for (const key of this.#cache.listKeys()) {
        if (kept.has(key)) continue;
        const old = this.#cache.getByKey(key);
        this.#cache.deleteByKey(key);
        changes.push({ type: "delete", object: new DeletedFinalStateUnknown<T>(key, old) });
      }
    }
    if (pending.firstFailure !== undefined) {
      const error = pending.failures === 1
        ? pending.firstFailure
        : new UserCodeError(pending.firstFailure.stage, undefined, {
          cause: new Error(
            `${pending.failures} objects were left out; the first: ${pending.firstFailure.message}`,
          ),
        });
      this.#onFailure(error, undefined);
    }
    return changes;
  }

  /**
   * An object was added or changed (a watch ADDED or MODIFIED).
   *
   * @param raw The object as the server sent it.
   */
  apply(raw: T): void {
    const key = metaNamespaceKey(raw);
    const old = this.#cache.getByKey(key);
    if (old !== undefined && old.metadata?.resourceVersion === raw.metadata?.resourceVersion) {
      return; // the same version again
    }
    const prepared = this.#prepare(raw, key, old);
    const failed = prepared instanceof UserCodeError ? prepared : this.#store(key, prepared);
    if (failed) {
      this.#onFailure(failed, key);
      if (old !== undefined) this.#forget(key, old);
      return;
    }
    const object = prepared as T;
    this.#onChange(
      old === undefined
        ? { type: "add", object, isInInitialList: false }
        : { type: "update", oldObject: old, newObject: object },
    );
  }

  /**
   * An object went away (a watch DELETED; during a relist, it leaves the
   * relist instead).
   *
   * @param raw Its last state as the server sent it.
   */
  delete(raw: T): void {
    const key = metaNamespaceKey(raw);
    if (this.#pending !== undefined) {
      this.#pending.objects.delete(key);
      return;
    }
    const old = this.#cache.getByKey(key);
    if (old === undefined) return;
    this.#cache.deleteByKey(key);
    const last = this.#prepare(raw, key);
    this.#onChange({ type: "delete", object: last instanceof UserCodeError ? raw : last });
  }

  /**
   * Transform, share what did not change with the cached version, and freeze one new version; the
   * failure when the transform throws or returns no named object.
   */
  #prepare(raw: T, key: string, cached?: T): T | UserCodeError {
    let object = raw;
    if (this.#transform !== undefined) {
      try {
        object = this.#transform(raw);
      } catch (err) {
        return new UserCodeError("transform", key, { cause: err });
      }
      const name = (object as KubeObject | undefined)?.metadata?.name;
      if (typeof name !== "string" || name === "") return new UserCodeError("transform", key);
    }
    if (cached !== undefined) object = shareUnchanged(cached, object);
    return this.#freeze(object);
  }

  /** Stores one object; the failure when an index function threw (the cache is then unchanged). */
  #store(key: string, object: T): UserCodeError | undefined {
    try {
      this.#cache.updateWithKey(key, object);
      return undefined;
    } catch (err) {
      return new UserCodeError("index", key, { cause: err });
    }
  }

  /** Drops a key user code failed on, telling handlers its last state is unknown. */
  #forget(key: string, old: T): void {
    this.#cache.deleteByKey(key);
    this.#onChange({ type: "delete", object: new DeletedFinalStateUnknown<T>(key, old) });
  }
}
