/**
 * An informer's health and progress as data: synced or not, how far the
 * current list has come, when the last change arrived, the last error, and
 * counters of lists, watches, reconnects and expired resourceVersions (what
 * client-go's reflector metrics count).
 *
 * @module
 */

import { isExpired } from "../api/errors.ts";
import type { ReflectorRecovery } from "../watch/recovery.ts";

/** The last error an informer reported. */
export interface InformerLastError {
  /** The error's message, one line. */
  message: string;
  /** The error's class name (`ApiError`, `TransportError`, `UserCodeError`, ...). */
  name: string;
  /** What the informer did about it. */
  recovery: ReflectorRecovery | "handler";
  /** When it was reported (clock ms). */
  at: number;
}

/**
 * A snapshot of one informer's health, from {@linkcode SharedIndexInformer.health}.
 * Times are the informer clock's milliseconds (epoch milliseconds by default, read from a monotonic
 * clock).
 */
export interface InformerHealth {
  /** The resource, as `plural` or `plural.group`. */
  resource: string;
  /** The cache holds a complete list (it stays true across later relists). */
  synced: boolean;
  /** `run()` has returned. */
  stopped: boolean;
  /** Objects in the cache now. */
  objects: number;
  /** A list (LIST pages or a streaming list) is being read. */
  listing: boolean;
  /** Objects received so far by the list being read, or by the last one: the initial sync's progress. */
  listedObjects: number;
  /** The resourceVersion of the last list, event or bookmark applied. */
  resourceVersion: string;
  /** When the last change or bookmark arrived; undefined before the first. */
  lastEventAt: number | undefined;
  /** When the cache last completed a list; undefined before the first sync. */
  lastSyncAt: number | undefined;
  /** The last error reported; undefined when there was none. */
  lastError: InformerLastError | undefined;
  /** Lists completed (the first sync and every relist). */
  lists: number;
  /** Relists: lists completed after the first. */
  relists: number;
  /** Watches opened (the first, every reconnect, and every re-watch after a server's timeout). */
  watches: number;
  /** Watches that broke or failed and were opened again (errors answered with `rewatch`). */
  reconnects: number;
  /** Errors that said a resourceVersion expired (410 Gone). */
  expired: number;
  /** Errors reported, of every kind (handler exceptions included). */
  errors: number;
  /** Notifications waiting for the slowest handler. */
  handlerBacklog: number;
}

/** The counters an informer keeps for {@linkcode InformerHealth}; it owns and updates them. */
export class HealthCounters {
  /** A list is being read. */
  listing = false;
  /** Objects received by the current or last list. */
  listedObjects = 0;
  /** See {@linkcode InformerHealth.lastEventAt}. */
  lastEventAt: number | undefined;
  /** See {@linkcode InformerHealth.lastSyncAt}. */
  lastSyncAt: number | undefined;
  /** See {@linkcode InformerHealth.lastError}. */
  lastError: InformerLastError | undefined;
  /** See {@linkcode InformerHealth.lists}. */
  lists = 0;
  /** See {@linkcode InformerHealth.watches}. */
  watches = 0;
  /** See {@linkcode InformerHealth.reconnects}. */
  reconnects = 0;
  /** See {@linkcode InformerHealth.expired}. */
  expired = 0;
  /** See {@linkcode InformerHealth.errors}. */
  errors = 0;

  /**
   * Counts one reported error.
   *
   * @param error What failed.
   * @param recovery What the informer does about it.
   * @param at When (clock ms).
   */
  error(error: unknown, recovery: ReflectorRecovery | "handler", at: number): void {
    this.errors++;
    if (recovery === "rewatch") this.reconnects++;
    if (isExpired(error)) this.expired++;
    this.lastError = {
      message: oneLine(error instanceof Error ? error.message : String(error)),
      name: error instanceof Error ? error.name : typeof error,
      recovery,
      at,
    };
  }
}

/** At most 300 characters of the first line of `text`. */
export function oneLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
