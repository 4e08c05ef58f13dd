/**
 * {@linkcode Registry}: the storage and semantics of the fake apiserver,
 * shared by its HTTP routes and its direct test API. Each verb lives in its
 * own file (`_write_create.ts`, `_write_update.ts`, `_write_patch.ts`,
 * `_write_delete.ts`, `_list_page.ts`, `_watch_open.ts`); a write is told up
 * front which request-handling steps apply to it (`_write_context.ts`), so
 * HTTP requests and the direct API share one code path.
 *
 * Failures throw {@linkcode StatusError} with the Status a real server sends.
 *
 * @module
 */

import { seededRandom } from "../_internal/seeded_random.ts";
import type { Clock } from "../_internal/clock.ts";
import type { ResourceDescriptor } from "../api/resource.ts";
import type { ListOptions } from "./_list_options.ts";
import { type ListPage, listPage } from "./_list_page.ts";
import { rfc3339 } from "./_object_meta.ts";
import {
  type Change,
  ObjectStore,
  type ResourceTable,
  type StoredObject,
} from "./_object_store.ts";
import type { PatchType } from "./_patch.ts";
import { podLog } from "./_pod_log.ts";
import type { RegistryServices } from "./_registry_services.ts";
import { objectKey } from "./_resource_rules.ts";
import { notFound, StatusError } from "./_status.ts";
import { WatchHub } from "./_watch_hub.ts";
import { openWatch, type WatchRequest } from "./_watch_open.ts";
import type { Watcher } from "./_watcher.ts";
import { writeContext, type WriteRequest } from "./_write_context.ts";
import { createObject } from "./_write_create.ts";
import {
  deleteCollection,
  deleteObject,
  type DeletePreconditions,
  type DeleteResult,
} from "./_write_delete.ts";
import { patchObject, type PatchResult } from "./_write_patch.ts";
import { updateObject } from "./_write_update.ts";

export { seededRandom };

/** Characters of generated name suffixes (no vowels, no look-alikes), as kube-apiserver's. */
const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** Options of {@linkcode Registry}. */
export interface RegistryOptions {
  /** How many changes the event history keeps. */
  historySize: number;
  /** Period of automatic bookmarks; 0 disables them. */
  bookmarkIntervalMs: number;
  /** Whether streaming lists (`sendInitialEvents`) are served. */
  streamingLists: boolean;
  /** Timers. */
  clock: Clock;
  /** Wall clock, in epoch milliseconds. */
  now: () => number;
  /** Source of uids and generated-name suffixes, in [0, 1). */
  random: () => number;
  /** Told of every committed change, silent ones included (the namespace controller). */
  onCommit?: ((change: Change) => void) | undefined;
}

/** Storage plus semantics. */
export class Registry implements RegistryServices {
  /** The objects and their history. */
  readonly store: ObjectStore;
  /** The open watches. */
  readonly hub: WatchHub;
  readonly #builtinIds: Set<string>;
  readonly #options: RegistryOptions;

  constructor(options: RegistryOptions, builtins: readonly ResourceDescriptor[]) {
    this.#options = options;
    this.hub = new WatchHub({
      clock: options.clock,
      bookmarkIntervalMs: options.bookmarkIntervalMs,
      currentRv: () => this.store.resourceVersion,
    });
    this.store = new ObjectStore({
      historySize: options.historySize,
      onChange: (change: Change) => this.hub.dispatch(change),
      onCommit: options.onCommit,
    });
    this.#builtinIds = new Set(builtins.map((d) => `${d.group}/${d.plural}`));
    for (const d of builtins) this.store.register(d, true);
  }

  /** Whether streaming lists are served. */
  get streamingLists(): boolean {
    return this.#options.streamingLists;
  }

  /** Adds a resource. */
  register(descriptor: ResourceDescriptor): ResourceTable {
    return this.store.register(
      descriptor,
      this.#builtinIds.has(`${descriptor.group}/${descriptor.plural}`),
    );
  }

  /** A new random uid (version 4 layout). */
  uid(): string {
    const random = this.#options.random;
    const hex = (n: number) => {
      let s = "";
      for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
      return s;
    };
    const variant = "89ab"[Math.floor(random() * 4)]!;
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  }

  /** A random suffix of five characters for `generateName`. */
  nameSuffix(): string {
    let s = "";
    for (let i = 0; i < 5; i++) {
      s += NAME_CHARS[Math.floor(this.#options.random() * NAME_CHARS.length)]!;
    }
    return s;
  }

  /** The current time as the server writes timestamps. */
  now(): string {
    return rfc3339(this.#options.now());
  }

  /** The current object, or 404. */
  get(table: ResourceTable, namespace: string, name: string): StoredObject {
    const stored = this.find(table, namespace, name);
    if (stored === undefined) throw new StatusError(notFound(table.descriptor, name));
    return stored;
  }

  /** The current object, if any. */
  find(table: ResourceTable, namespace: string, name: string): StoredObject | undefined {
    return table.items.get(objectKey(table, namespace, name));
  }

  /** `GET pods/NAME/log` (see `_pod_log.ts`). */
  podLog(
    table: ResourceTable,
    namespace: string,
    name: string,
    container: string | null,
  ): Response {
    return podLog(this.store, table, this.get(table, namespace, name), container);
  }

  /** Serves one list page (see `_list_page.ts`). */
  list(table: ResourceTable, namespace: string | undefined, options: ListOptions): ListPage {
    return listPage(this.store, table, namespace, options);
  }

  /** Opens a watch (see `_watch_open.ts`). */
  watch(request: WatchRequest): Watcher {
    return openWatch(this.store, this.hub, request, this.#options.streamingLists);
  }

  /** Creates an object (POST, or the direct API). The input is not kept. */
  create(table: ResourceTable, body: unknown, request: WriteRequest): StoredObject {
    return createObject(this, table, body, writeContext(request));
  }

  /** Replaces an object (PUT, or the direct API). The input is not kept. */
  update(table: ResourceTable, body: unknown, request: WriteRequest): StoredObject {
    return updateObject(this, table, body, writeContext(request));
  }

  /** Applies a patch to the current object and stores the result (creating it for apply). */
  patch(
    table: ResourceTable,
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    request: WriteRequest,
  ): PatchResult {
    return patchObject(this, { table, namespace, name }, type, patch, writeContext(request));
  }

  /** Deletes an object; with finalizers it is only marked (deletionTimestamp). */
  delete(
    table: ResourceTable,
    namespace: string,
    name: string,
    request: WriteRequest & { preconditions?: DeletePreconditions | undefined },
  ): DeleteResult {
    const existing = this.get(table, namespace, name);
    return deleteObject(this, table, existing, {
      ...writeContext(request),
      preconditions: request.preconditions,
    });
  }

  /** Deletes every object of a namespace (or all) that matches the selectors. */
  deleteCollection(
    table: ResourceTable,
    namespace: string | undefined,
    options: ListOptions,
    request: WriteRequest,
  ): StoredObject[] {
    return deleteCollection(this, table, namespace, options, writeContext(request));
  }
}
