/**
 * Delete (DELETE, deletecollection, the direct API and the namespace
 * controller): preconditions, then one of four outcomes, chosen up front by
 * {@linkcode deletionOutcome}.
 *
 * @module
 */

import type { Status } from "../api/meta.ts";
import type { ListOptions } from "./_list_options.ts";
import { NAMESPACES_ID, specFinalizers } from "./_namespace_rules.ts";
import { orderMeta } from "./_object_meta.ts";
import type { ObjectParts, ResourceTable, StoredObject } from "./_object_store.ts";
import type { RegistryServices } from "./_registry_services.ts";
import { objectKey, tracksGeneration } from "./_resource_rules.ts";
import { listPage } from "./_list_page.ts";
import { failure, notFound, StatusError } from "./_status.ts";
import type { WriteContext } from "./_write_context.ts";

/** Result of a delete. */
export interface DeleteResult {
  /** The object: deleted (stamped with the deletion's RV) or marked for deletion. */
  stored: StoredObject;
  /** True when the object is gone, false when finalizers keep it. */
  deleted: boolean;
}

/** Storage preconditions of a delete (`DeleteOptions.preconditions`). */
export interface DeletePreconditions {
  /** The object's uid must be this. */
  uid?: string;
  /** The object's resourceVersion must be this. */
  resourceVersion?: string;
}

/**
 * What a delete does:
 * - `markFinalizing`: finalizers keep the object; it gets a deletionTimestamp (MODIFIED);
 * - `markTerminating`: finalizers keep a namespace Terminating, the `kubernetes` one until the
 *   namespace controller (or a `finalize` write) removes it;
 * - `removePodGracefully`: an unscheduled pod is deleted with grace period 0, in two writes as
 *   on a real server: the deletion marks (MODIFIED), then the marked pod goes (DELETED). (A real
 *   server keeps a scheduled pod until its kubelet confirms; the fake has no kubelets and
 *   removes every pod at once.)
 * - `remove`: the object goes (DELETED).
 */
export type DeletionOutcome =
  | "markFinalizing"
  | "markTerminating"
  | "removePodGracefully"
  | "remove";

/** Chooses what deleting `existing` does. */
export function deletionOutcome(
  table: ResourceTable,
  existing: StoredObject,
  ctx: WriteContext,
): DeletionOutcome {
  const hasFinalizers = (existing.metadata.finalizers ?? []).length > 0;
  const graceful = ctx.admission.gracefulDeletion;
  if (
    graceful && table.id === NAMESPACES_ID &&
    (hasFinalizers || specFinalizers(existing.specInner).length > 0)
  ) {
    return "markTerminating";
  }
  if (hasFinalizers) return "markFinalizing";
  if (graceful && table.id === "/pods" && !ctx.dryRun) return "removePodGracefully";
  return "remove";
}

/** Deletes an object; with finalizers it is only marked (deletionTimestamp). */
export function deleteObject(
  registry: RegistryServices,
  table: ResourceTable,
  existing: StoredObject,
  ctx: WriteContext & { preconditions?: DeletePreconditions | undefined },
): DeleteResult {
  checkPreconditions(table, existing, ctx.preconditions);
  const meta = existing.metadata;
  const silent = ctx.silent ?? false;
  const parts: ObjectParts = {
    metadata: structuredClone(meta),
    specInner: existing.specInner,
    statusJson: existing.statusJson,
  };
  const outcome = deletionOutcome(table, existing, ctx);
  switch (outcome) {
    case "markFinalizing":
    case "markTerminating": {
      if (meta.deletionTimestamp !== undefined) return { stored: existing, deleted: false };
      const marked = parts.metadata;
      marked.resourceVersion = "";
      marked.deletionTimestamp = registry.now();
      if (outcome === "markFinalizing") {
        marked.deletionGracePeriodSeconds = 0;
        if (tracksGeneration(table)) marked.generation = (meta.generation ?? 1) + 1;
      } else {
        parts.statusJson = '{"phase":"Terminating"}';
      }
      parts.metadata = orderMeta(marked);
      if (ctx.dryRun) {
        parts.metadata.resourceVersion = meta.resourceVersion ?? "";
        return { stored: table.encode(parts, existing.rv), deleted: false };
      }
      return { stored: registry.store.commit(table, "MODIFIED", parts, silent), deleted: false };
    }
    case "removePodGracefully": {
      const marked = parts.metadata;
      marked.resourceVersion = "";
      marked.deletionTimestamp = registry.now();
      marked.deletionGracePeriodSeconds = 0;
      marked.generation = (meta.generation ?? 1) + 1;
      parts.metadata = orderMeta(marked);
      const markedStored = registry.store.commit(table, "MODIFIED", parts, silent);
      const last: ObjectParts = {
        metadata: structuredClone(markedStored.metadata),
        specInner: markedStored.specInner,
        statusJson: markedStored.statusJson,
      };
      last.metadata.resourceVersion = "";
      return { stored: registry.store.commit(table, "DELETED", last, silent), deleted: true };
    }
    case "remove":
      if (ctx.dryRun) return { stored: existing, deleted: true };
      return { stored: registry.store.commit(table, "DELETED", parts, silent), deleted: true };
    default: {
      const never: never = outcome;
      throw new TypeError(`unknown deletion outcome: ${String(never)}`);
    }
  }
}

/** Deletes every object of a namespace (or all) that matches the selectors. */
export function deleteCollection(
  registry: RegistryServices,
  table: ResourceTable,
  namespace: string | undefined,
  options: ListOptions,
  ctx: WriteContext,
): StoredObject[] {
  const page = listPage(registry.store, table, namespace, {
    ...options,
    limit: 0,
    continueToken: "",
    rv: undefined,
    resourceVersion: "",
    resourceVersionMatch: "",
  });
  const out: StoredObject[] = [];
  for (const stored of page.items) {
    const current = table.items.get(objectKey(table, stored.namespace, stored.name));
    if (current === undefined) throw new StatusError(notFound(table.descriptor, stored.name));
    out.push(deleteObject(registry, table, current, ctx).stored);
  }
  return out;
}

/** The storage layer checks preconditions; its conflicts name the kind, not the resource. */
function checkPreconditions(
  table: ResourceTable,
  existing: StoredObject,
  pre: DeletePreconditions | undefined,
): void {
  const meta = existing.metadata;
  if (pre?.uid !== undefined && pre.uid !== meta.uid) {
    throw preconditionFailed(
      table,
      existing.name,
      `the UID in the precondition (${pre.uid}) does not match the UID in record (${
        meta.uid ?? ""
      }). The object might have been deleted and then recreated`,
    );
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
    throw preconditionFailed(
      table,
      existing.name,
      `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${
        meta.resourceVersion ?? ""
      }). The object might have been modified`,
    );
  }
}

function preconditionFailed(table: ResourceTable, name: string, detail: string): StatusError {
  const d = table.descriptor;
  const kind = d.group === "" ? d.kind : `${d.kind}.${d.group}`;
  const details: Status["details"] = { name };
  if (d.group !== "") details.group = d.group;
  details.kind = d.kind;
  return new StatusError(
    failure(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${kind} "${name}": ${detail}`,
      details,
    ),
  );
}
