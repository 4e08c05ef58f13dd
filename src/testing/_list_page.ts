/**
 * One page of a list: which state it reads (the resourceVersion and
 * resourceVersionMatch rules of "Resource versions" in the Kubernetes API
 * concepts, and continue tokens), then the namespace range, selectors and
 * limit applied to it.
 *
 * @module
 */

import { decodeContinue, encodeContinue, type ListOptions } from "./_list_options.ts";
import {
  lowerBound,
  type ObjectStore,
  type ResourceTable,
  type StoredObject,
} from "./_object_store.ts";
import {
  badRequest,
  expired,
  EXPIRED_CONTINUE,
  EXPIRED_LIST,
  StatusError,
  tooLargeResourceVersion,
} from "./_status.ts";
import { compileFilter } from "./_watch_filter.ts";

/** A list page. */
export interface ListPage {
  /** resourceVersion of the list. */
  rv: number;
  /** Items of the page. */
  items: StoredObject[];
  /** Token for the next page. */
  continueToken: string | undefined;
  /** Items left after this page (no selectors only). */
  remainingItemCount: number | undefined;
}

/** The key-sorted state a list reads, and where in it the page starts. */
interface ListSource {
  /** The state. */
  readonly items: readonly StoredObject[];
  /** Its resourceVersion. */
  readonly rv: number;
  /** First key of the page (a continue token's), if any. */
  readonly start: string | undefined;
  /** Largest page; 0 for all. */
  readonly limit: number;
}

/** Serves one list page. */
export function listPage(
  store: ObjectStore,
  table: ResourceTable,
  namespace: string | undefined,
  options: ListOptions,
): ListPage {
  const source = options.continueToken !== ""
    ? continuedSource(store, table, options)
    : requestedSource(store, table, options);
  const { items, start, limit } = source;
  let index = 0;
  let end = items.length;
  if (namespace !== undefined && table.descriptor.namespaced) {
    index = lowerBound(items, `${namespace}/`);
    end = lowerBound(items, `${namespace}0`);
  }
  if (start !== undefined) index = Math.max(index, lowerBound(items, start));

  const filtered = options.labelSelector !== undefined || options.fieldSelector !== undefined;
  const matches = filtered
    ? compileFilter(table, {
      namespace: undefined,
      name: undefined,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    })
    : undefined;
  const page: StoredObject[] = [];
  let i = index;
  for (; i < end; i++) {
    const stored = items[i]!;
    if (matches !== undefined && !matches(stored)) continue;
    if (limit > 0 && page.length === limit) break;
    page.push(stored);
  }
  let continueToken: string | undefined;
  let remainingItemCount: number | undefined;
  if (i < end && limit > 0 && page.length === limit) {
    const last = page[page.length - 1]!;
    continueToken = encodeContinue({ rv: source.rv, start: `${last.key}\u0000` });
    table.keepSnapshot(source.rv, items);
    if (!filtered) remainingItemCount = end - i;
  }
  return { rv: source.rv, items: page, continueToken, remainingItemCount };
}

/** The state a continue token names: its snapshot (410 once compacted), or the current one. */
function continuedSource(
  store: ObjectStore,
  table: ResourceTable,
  options: ListOptions,
): ListSource {
  if (options.resourceVersion !== "" && options.resourceVersion !== "0") {
    throw new StatusError(
      badRequest("specifying resource version is not allowed when using continue"),
    );
  }
  const token = decodeContinue(options.continueToken);
  const limit = options.limit;
  // A token of a 410 answer (rv -1) continues from the current state.
  if (token.rv < 0) {
    return { items: table.sorted(), rv: store.resourceVersion, start: token.start, limit };
  }
  if (token.rv > store.resourceVersion) {
    throw new StatusError(
      badRequest(
        "invalid continue token: continue key is not valid: resource version is in the future",
      ),
    );
  }
  const snapshot = token.rv < store.compactedRv ? undefined : store.snapshotAt(table, token.rv);
  if (snapshot === undefined) {
    throw new StatusError(
      expired(EXPIRED_CONTINUE, encodeContinue({ rv: -1, start: token.start })),
    );
  }
  return { items: snapshot, rv: token.rv, start: token.start, limit };
}

/**
 * The state a first page reads: the current one when no resourceVersion is given or when it is
 * `0` (not Exact, which also ignores the limit), else a snapshot for an exact match (Exact,
 * or a limit with no match given; 410 once compacted), else the current one if not older.
 */
function requestedSource(
  store: ObjectStore,
  table: ResourceTable,
  options: ListOptions,
): ListSource {
  const current = store.resourceVersion;
  const { rv, resourceVersionMatch: match, limit } = options;
  const latest = { items: table.sorted(), rv: current, start: undefined, limit };
  if (rv === undefined) return latest;
  if (rv === 0 && match !== "Exact") return { ...latest, limit: 0 };
  if (rv > current) {
    throw new StatusError(tooLargeResourceVersion(rv, current), { "Retry-After": "1" });
  }
  const exact = match === "Exact" || (match === "" && limit > 0);
  if (!exact) return latest;
  const snapshot = rv < store.compactedRv ? undefined : store.snapshotAt(table, rv);
  if (snapshot === undefined) throw new StatusError(expired(EXPIRED_LIST));
  return { items: snapshot, rv, start: undefined, limit };
}
