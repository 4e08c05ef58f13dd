/**
 * Opening a watch: where it starts (the current state sent as synthetic
 * ADDED events, the history after a resourceVersion, or only what comes),
 * and the refusals a real server sends as an ERROR event (410 for a
 * compacted resourceVersion, a too-large one for a streaming list).
 *
 * @module
 */

import type { ListOptions } from "./_list_options.ts";
import { lowerBound, type ObjectStore, type ResourceTable } from "./_object_store.ts";
import {
  badRequest,
  StatusError,
  tooLargeResourceVersion,
  tooOldResourceVersion,
} from "./_status.ts";
import type { WatchHub } from "./_watch_hub.ts";
import type { OpenWatchOptions, Watcher } from "./_watcher.ts";

/** The longest delay a timer can hold: 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Watch request, after parsing. */
export interface WatchRequest {
  /** The watched resource. */
  table: ResourceTable;
  /** Namespace from the path, if any. */
  namespace: string | undefined;
  /** Name from the path, if any. */
  name: string | undefined;
  /** List options of the query. */
  options: ListOptions;
  /** Representation of the events' objects. */
  view: OpenWatchOptions["view"];
  /** Table rows' object (table view only). */
  includeObject: OpenWatchOptions["includeObject"];
  /** The request's signal. */
  signal: AbortSignal;
}

/** Where a watch starts. */
type WatchStart = "currentState" | "history" | "now";

/**
 * `sendInitialEvents=true`, or no such parameter with resourceVersion "" or "0": the current
 * state first; another resourceVersion: the history after it; else only what comes.
 */
function watchStart(options: ListOptions): WatchStart {
  const { rv, sendInitialEvents: send } = options;
  if (send === true || (send === undefined && (rv === undefined || rv === 0))) {
    return "currentState";
  }
  return rv !== undefined && rv !== 0 ? "history" : "now";
}

/**
 * Opens a watch. Returns the watcher whose `body` is the response stream; it may already carry
 * an ERROR event.
 */
export function openWatch(
  store: ObjectStore,
  hub: WatchHub,
  request: WatchRequest,
  streamingLists: boolean,
): Watcher {
  const { table, options } = request;
  const fieldName = options.fieldSelector?.requirements.find((r) =>
    r.field === "metadata.name" && r.operator === "="
  )?.value;
  if (request.name !== undefined && fieldName !== undefined && fieldName !== request.name) {
    throw new StatusError(
      badRequest(
        `fieldSelector metadata.name=${fieldName} conflicts with the name in the path (${request.name})`,
      ),
    );
  }
  // Timers hold at most 2^31-1 ms (about 24.8 days); a longer timer would fire at once.
  const timeoutMs = options.timeoutSeconds !== undefined && options.timeoutSeconds > 0
    ? Math.min(options.timeoutSeconds * 1000, MAX_TIMER_MS)
    : undefined;
  const watcher = hub.open({
    table,
    filter: {
      namespace: table.descriptor.namespaced ? request.namespace : undefined,
      name: request.name,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    },
    view: request.view,
    includeObject: request.includeObject,
    allowBookmarks: options.allowWatchBookmarks,
    timeoutMs,
    signal: request.signal,
  });
  const current = store.resourceVersion;
  const rv = options.rv;
  switch (watchStart(options)) {
    case "currentState": {
      const send = options.sendInitialEvents;
      if (send === true && rv !== undefined && rv > current) {
        watcher.error(tooLargeResourceVersion(rv, current));
        return watcher;
      }
      const items = table.sorted();
      let start = 0;
      let end = items.length;
      if (request.namespace !== undefined && table.descriptor.namespaced) {
        start = lowerBound(items, `${request.namespace}/`);
        end = lowerBound(items, `${request.namespace}0`);
      }
      watcher.startInitial(items, start, end, current, send === true || streamingLists);
      break;
    }
    case "history":
      if (rv! < store.compactedRv) {
        watcher.error(tooOldResourceVersion(rv!, store.compactedRv));
        return watcher;
      }
      watcher.after = rv!;
      hub.replay(watcher, store.changesSince(rv!));
      break;
    case "now":
      break;
  }
  hub.attach(watcher);
  return watcher;
}
