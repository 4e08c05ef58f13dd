/**
 * The fake's stand-in for kube-controller-manager's namespace controller
 * (`pkg/controller/namespace/deletion/namespaced_resources_deleter.go`): once
 * a namespace is Terminating and still carries the `kubernetes` finalizer in
 * `spec.finalizers`, it deletes every namespaced object in it, records what
 * is left in the namespace's status conditions, and when nothing is left
 * removes `kubernetes` through the `finalize` subresource, which deletes the
 * namespace when no other finalizer holds it.
 *
 * Guarantees:
 * - it runs on a timer after the write that calls for it, never inside a
 *   request, as the real controller does;
 * - objects with finalizers are only marked for deletion; the namespace
 *   waits until they are gone (each DELETED in a Terminating namespace runs
 *   another pass);
 * - after {@linkcode NamespaceController.close} no timer is left.
 *
 * @module
 */

import type { Clock } from "../_internal/clock.ts";
import type { Change, ResourceTable, StoredObject } from "./_object_store.ts";
import { StatusError } from "./_status.ts";
import { KUBERNETES_FINALIZER, specFinalizers } from "./_namespace_rules.ts";
import { rfc3339 } from "./_object_meta.ts";
import type { Registry } from "./_registry.ts";

/** The finalizer the namespace controller owns. */

/** Options of {@linkcode NamespaceController}. */
export interface NamespaceControllerOptions {
  /** Schedules the passes. */
  clock: Clock;
  /** Milliseconds between the write that calls for a pass and the pass. */
  delayMs: number;
  /** Wall clock for the conditions' `lastTransitionTime`. */
  now: () => number;
}

interface Condition {
  type: string;
  status: "True" | "False";
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** What a pass left in a namespace. */
interface Remaining {
  /** Objects left, by `resource.group`. */
  readonly resources: Map<string, number>;
  /** Objects holding each finalizer. */
  readonly finalizers: Map<string, number>;
}

/** Runs the namespace controller's passes against a registry. */
export class NamespaceController {
  readonly #registry: Registry;
  readonly #options: NamespaceControllerOptions;
  readonly #timers = new Map<string, () => void>();
  #syncing = false;
  #closed = false;

  constructor(registry: Registry, options: NamespaceControllerOptions) {
    this.#registry = registry;
    this.#options = options;
  }

  /** Schedules a pass when a change calls for one (a registry's `onCommit`). */
  observe(change: Change): void {
    if (this.#closed || this.#syncing) return;
    if (change.table.id === "/namespaces") {
      if (change.type !== "DELETED" && change.object.system.deletionTimestamp !== undefined) {
        this.#schedule(change.object.name);
      }
      return;
    }
    if (change.type === "DELETED" && change.table.descriptor.namespaced) {
      const namespace = this.#namespace(change.object.namespace);
      if (namespace?.system.deletionTimestamp !== undefined) this.#schedule(namespace.name);
    }
  }

  /** Cancels every scheduled pass; later changes schedule none. */
  close(): void {
    this.#closed = true;
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
  }

  #namespaces(): ResourceTable | undefined {
    for (const table of this.#registry.store.tables()) {
      if (table.id === "/namespaces") return table;
    }
    return undefined;
  }

  #namespace(name: string): StoredObject | undefined {
    return this.#namespaces()?.items.get(name);
  }

  #schedule(name: string): void {
    if (this.#timers.has(name)) return;
    const cancel = this.#options.clock.setTimer(() => {
      this.#timers.delete(name);
      this.#sync(name);
    }, this.#options.delayMs);
    this.#timers.set(name, cancel);
  }

  #sync(name: string): void {
    const table = this.#namespaces();
    const namespace = table?.items.get(name);
    if (table === undefined || namespace === undefined) return;
    if (namespace.system.deletionTimestamp === undefined) return;
    // A namespace without the `kubernetes` finalizer is already finalized: nothing to do.
    if (!specFinalizers(namespace.specInner).includes(KUBERNETES_FINALIZER)) return;
    this.#syncing = true;
    try {
      const remaining = this.#deleteContent(name);
      this.#writeConditions(table, name, remaining);
      if (remaining.resources.size === 0) this.#finalize(table, name);
    } catch (err) {
      // A write that lost a race (the namespace changed or went away meanwhile) retries on the
      // next change, as the real controller requeues.
      if (!(err instanceof StatusError)) throw err;
    } finally {
      this.#syncing = false;
    }
  }

  /** Deletes every object in the namespace; returns what stays (held by finalizers). */
  #deleteContent(namespace: string): Remaining {
    const resources = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const table of [...this.#registry.store.tables()]) {
      const d = table.descriptor;
      if (!d.namespaced || table.id === "/namespaces") continue;
      for (const stored of table.sorted()) {
        if (stored.namespace !== namespace) continue;
        try {
          this.#registry.delete(table, namespace, stored.name, { http: true });
        } catch (err) {
          if (!(err instanceof StatusError)) throw err;
        }
      }
      let left = 0;
      for (const stored of table.sorted()) {
        if (stored.namespace !== namespace) continue;
        left++;
        for (const finalizer of stored.metadata.finalizers ?? []) {
          finalizers.set(finalizer, (finalizers.get(finalizer) ?? 0) + 1);
        }
      }
      if (left > 0) resources.set(`${d.plural}.${d.group}`, left);
    }
    return { resources, finalizers };
  }

  /** The five deletion conditions the real controller keeps on a Terminating namespace. */
  #conditions(remaining: Remaining): Condition[] {
    const list = (counts: Map<string, number>, format: (key: string, n: number) => string) =>
      [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, n]) => format(key, n)).join(", ");
    const conditions: Condition[] = [
      {
        type: "NamespaceDeletionDiscoveryFailure",
        status: "False",
        reason: "ResourcesDiscovered",
        message: "All resources successfully discovered",
      },
      {
        type: "NamespaceDeletionGroupVersionParsingFailure",
        status: "False",
        reason: "ParsedGroupVersions",
        message: "All legacy kube types successfully parsed",
      },
      {
        type: "NamespaceDeletionContentFailure",
        status: "False",
        reason: "ContentDeleted",
        message: "All content successfully deleted, may be waiting on finalization",
      },
    ];
    conditions.push(
      remaining.resources.size > 0
        ? {
          type: "NamespaceContentRemaining",
          status: "True",
          reason: "SomeResourcesRemain",
          message: `Some resources are remaining: ${
            list(remaining.resources, (r, n) => `${r} has ${n} resource instances`)
          }`,
        }
        : {
          type: "NamespaceContentRemaining",
          status: "False",
          reason: "ContentRemoved",
          message: "All content successfully removed",
        },
      remaining.finalizers.size > 0
        ? {
          type: "NamespaceFinalizersRemaining",
          status: "True",
          reason: "SomeFinalizersRemain",
          message: `Some content in the namespace has finalizers remaining: ${
            list(remaining.finalizers, (f, n) => `${f} in ${n} resource instances`)
          }`,
        }
        : {
          type: "NamespaceFinalizersRemaining",
          status: "False",
          reason: "ContentHasNoFinalizers",
          message: "All content-preserving finalizers finished",
        },
    );
    return conditions;
  }

  /** Writes the conditions through the status subresource when they changed. */
  #writeConditions(table: ResourceTable, name: string, remaining: Remaining): void {
    const namespace = table.items.get(name);
    if (namespace === undefined) return;
    const object = JSON.parse(namespace.json) as {
      status?: { phase?: string; conditions?: Condition[] };
    };
    const previous = new Map((object.status?.conditions ?? []).map((c) => [c.type, c]));
    let changed = false;
    const now = rfc3339(this.#options.now());
    const conditions = this.#conditions(remaining).map((c) => {
      const old = previous.get(c.type);
      if (old?.status === c.status && old.reason === c.reason && old.message === c.message) {
        return old;
      }
      changed = true;
      // Field order as the API writes a NamespaceCondition.
      return {
        type: c.type,
        status: c.status,
        lastTransitionTime: old?.status === c.status ? old.lastTransitionTime ?? now : now,
        reason: c.reason,
        message: c.message,
      };
    });
    if (!changed) return;
    object.status = { phase: "Terminating", conditions };
    this.#registry.update(table, object, {
      pathName: name,
      subresource: "status",
      http: true,
    });
  }

  /** Removes `kubernetes` from spec.finalizers (deleting the namespace when nothing else holds it). */
  #finalize(table: ResourceTable, name: string): void {
    const namespace = table.items.get(name);
    if (namespace === undefined) return;
    const object = JSON.parse(namespace.json) as { spec?: { finalizers?: string[] } };
    const finalizers = (object.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER);
    object.spec = { ...object.spec, finalizers };
    this.#registry.update(table, object, {
      pathName: name,
      subresource: "finalize",
      http: true,
    });
  }
}
