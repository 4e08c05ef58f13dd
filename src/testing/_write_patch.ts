/**
 * Patch (PATCH): JSON, merge and strategic merge patches applied to the
 * current object, and server-side apply (which creates a missing object and
 * records the manager's fields). The result is written as an update.
 *
 * @module
 */

import type { ObjectMeta } from "../api/meta.ts";
import { isJsonObject, type Json, stripNulls } from "./_json.ts";
import { managedEntry, withEntryLast } from "./_managed_fields.ts";
import { applyMergePatch } from "./_merge_patch.ts";
import type { ResourceTable, StoredObject } from "./_object_store.ts";
import { applyPatch, type DocumentPatchType, type PatchType } from "./_patch.ts";
import type { RegistryServices } from "./_registry_services.ts";
import { objectKey } from "./_resource_rules.ts";
import {
  badRequest,
  conflict,
  invalid,
  notFound,
  requiredField,
  StatusError,
  unsupportedMediaType,
} from "./_status.ts";
import { applyStrategicMergePatch } from "./_strategic_merge_patch.ts";
import type { WriteContext } from "./_write_context.ts";
import { createObject } from "./_write_create.ts";
import { updateObject } from "./_write_update.ts";

/** The object a patch wrote, and whether it was created (apply of a missing object). */
export interface PatchResult {
  /** The stored (or, for a dry run, computed) object. */
  stored: StoredObject;
  /** True when the patch created the object. */
  created: boolean;
}

/** Where a patch goes. */
export interface PatchTarget {
  /** The resource. */
  table: ResourceTable;
  /** Namespace from the path (`""` for cluster-scoped resources). */
  namespace: string;
  /** Name from the path. */
  name: string;
}

/** Applies a patch to the current object and stores the result (creating it for apply). */
export function patchObject(
  registry: RegistryServices,
  target: PatchTarget,
  type: PatchType,
  patch: unknown,
  ctx: WriteContext,
): PatchResult {
  const { table, namespace, name } = target;
  if (type === "strategic" && !table.builtin) {
    throw new StatusError(
      unsupportedMediaType("application/strategic-merge-patch+json", [
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/apply-patch+yaml",
      ]),
    );
  }
  const existing = table.items.get(objectKey(table, namespace, name));
  if (type === "apply") return serverSideApply(registry, target, existing, patch, ctx);
  if (existing === undefined) throw new StatusError(notFound(table.descriptor, name));
  const result = patchedObject(table, existing, type, patch, name);
  return {
    stored: updateObject(registry, table, result, {
      ...ctx,
      pathNamespace: namespace,
      pathName: name,
    }),
    created: false,
  };
}

/**
 * The object a JSON, merge or strategic patch turns `existing` into, with its name and the
 * current resourceVersion (a different resourceVersion in the result is 409).
 */
function patchedObject(
  table: ResourceTable,
  existing: StoredObject,
  type: DocumentPatchType,
  patch: unknown,
  name: string,
): Record<string, unknown> {
  const result = applyPatch(JSON.parse(existing.json) as Json, type, patch);
  if (!isJsonObject(result)) {
    throw new StatusError(
      badRequest("the patch turned the object into something that is not an object"),
    );
  }
  const resultMeta = isJsonObject(result.metadata) ? result.metadata : {};
  const requested = typeof resultMeta.resourceVersion === "string"
    ? resultMeta.resourceVersion
    : "";
  const current = existing.metadata.resourceVersion ?? "";
  if (requested !== "" && requested !== current) {
    throw new StatusError(conflict(table.descriptor, name));
  }
  checkNameMatches(resultMeta.name, name);
  result.metadata = { ...resultMeta, name, resourceVersion: current };
  return result;
}

/**
 * Server-side apply, as far as the fake goes: the configuration is merged into the object
 * (strategic merge for built-in kinds), and the manager's Apply entry is replaced.
 */
function serverSideApply(
  registry: RegistryServices,
  target: PatchTarget,
  existing: StoredObject | undefined,
  patch: unknown,
  ctx: WriteContext,
): PatchResult {
  const { table, namespace, name } = target;
  const fieldManager = ctx.fieldManager;
  if (fieldManager === undefined || fieldManager === "") {
    throw new StatusError(
      invalid("meta.k8s.io", "PatchOptions", "", [
        requiredField("fieldManager", "is required for apply patch"),
      ]),
    );
  }
  if (!isJsonObject(patch)) {
    throw new StatusError(
      badRequest("error decoding YAML: the apply configuration must be a JSON object"),
    );
  }
  const configMeta = isJsonObject(patch.metadata) ? patch.metadata : {};
  checkNameMatches(configMeta.name, name);
  if (existing === undefined) {
    if (ctx.subresource !== undefined) throw new StatusError(notFound(table.descriptor, name));
    const body = { ...patch, metadata: { ...configMeta, name } };
    return {
      stored: createObject(registry, table, body, { ...ctx, pathNamespace: namespace }),
      created: true,
    };
  }
  const base = JSON.parse(existing.json) as Json;
  const merged =
    (table.builtin
      ? applyStrategicMergePatch(base, stripNulls(patch) as Json)
      : applyMergePatch(base, patch as Json)) as Record<string, unknown>;
  const mergedMeta = merged.metadata as ObjectMeta;
  const entry = managedEntry(table, patch, {
    manager: fieldManager,
    operation: "Apply",
    subresource: ctx.subresource,
    time: registry.now(),
  });
  mergedMeta.managedFields = withEntryLast(mergedMeta.managedFields ?? [], entry);
  mergedMeta.resourceVersion = existing.metadata.resourceVersion ?? "";
  const stored = updateObject(registry, table, merged, {
    ...ctx,
    pathNamespace: namespace,
    pathName: name,
    fieldManager: undefined,
    manager: undefined,
  });
  return { stored, created: false };
}

/** A name in a patch or configuration must be the path's (400 otherwise). */
function checkNameMatches(given: unknown, name: string): void {
  if (given === undefined || given === name) return;
  throw new StatusError(
    badRequest(
      `the name of the object (${String(given)}) does not match the name on the URL (${name})`,
    ),
  );
}
