/**
 * Update (PUT, the result of a patch, and the direct API): optimistic
 * concurrency, validation, which parts of the input a subresource writes, the
 * fields the server owns, generation, and deletion once the last finalizer
 * goes.
 *
 * @module
 */

import type { ObjectMeta } from "../api/meta.ts";
import { managedEntry, withEntry } from "./_managed_fields.ts";
import { finalizerNameErrors, NAMESPACES_ID, specFinalizers } from "./_namespace_rules.ts";
import { orderMeta, setOrDelete } from "./_object_meta.ts";
import {
  type ObjectParts,
  partsOf,
  type ResourceTable,
  type StoredObject,
} from "./_object_store.ts";
import type { RegistryServices } from "./_registry_services.ts";
import { dataKeyFields, hasStatus, objectKey, tracksGeneration } from "./_resource_rules.ts";
import {
  badRequest,
  conflict,
  type FieldError,
  forbiddenField,
  invalid,
  invalidField,
  notFound,
  qualifiedResource,
  requiredField,
  StatusError,
} from "./_status.ts";
import { decodeInput, type ObjectInput } from "./_validation_kind.ts";
import { validateContent } from "./_validation_meta.ts";
import { validatePodSpecUpdate } from "./_validation_pod.ts";
import type { WriteContext } from "./_write_context.ts";
import { objectNamespace } from "./_write_namespace.ts";

/** An update's input and the stored object it replaces. */
interface UpdateTarget {
  readonly input: ObjectInput;
  readonly bodyMeta: ObjectMeta;
  readonly name: string;
  readonly namespace: string;
  readonly existing: StoredObject;
}

/**
 * Replaces an object. A non-empty `metadata.resourceVersion` must equal the current one (409
 * otherwise); a custom resource updated over the API must name one. The input is not kept.
 */
export function updateObject(
  registry: RegistryServices,
  table: ResourceTable,
  body: unknown,
  ctx: WriteContext,
): StoredObject {
  const target = findTarget(table, body, ctx);
  checkPreconditions(table, target, ctx);
  if (ctx.admission.validate) validateUpdate(table, target, ctx);
  const { existing } = target;
  const old = existing.system;
  const parts = writtenParts(table, target, ctx);
  stampServerFields(table, target, parts.metadata, ctx);
  if (tracksGeneration(table)) {
    const meta = parts.metadata;
    const base = old.generation ?? 1;
    if (ctx.admission.prepare || meta.generation === undefined) {
      meta.generation = parts.specInner === existing.specInner ? base : base + 1;
    }
  } else if (ctx.admission.prepare) {
    delete parts.metadata.generation;
  }
  parts.metadata = orderMeta(parts.metadata);

  // A namespace also waits for its spec.finalizers (`ShouldDeleteNamespaceDuringUpdate`).
  const deleting = old.deletionTimestamp !== undefined &&
    (parts.metadata.finalizers ?? []).length === 0 &&
    (table.id !== NAMESPACES_ID || specFinalizers(parts.specInner).length === 0);
  if (deleting && ctx.admission.gracefulDeletion && !ctx.dryRun) {
    return deleteAsStored(registry, table, existing, parts, ctx);
  }
  if (ctx.dryRun || (ctx.admission.skipNoOpUpdates && !deleting)) {
    parts.metadata.resourceVersion = old.resourceVersion ?? "";
    const candidate = table.encode(parts, existing.rv);
    if (ctx.dryRun) return candidate;
    if (candidate.json === existing.json) return existing;
    parts.metadata.resourceVersion = "";
  }
  if (ctx.admission.recordManager && ctx.manager !== undefined && ctx.fieldManager === undefined) {
    const entry = managedEntry(table, ctx.managedConfig ?? target.input, {
      manager: ctx.manager,
      operation: "Update",
      subresource: ctx.subresource,
      time: registry.now(),
    });
    parts.metadata.managedFields = withEntry(parts.metadata.managedFields ?? [], entry);
    parts.metadata = orderMeta(parts.metadata);
  }
  return registry.store.commit(
    table,
    deleting ? "DELETED" : "MODIFIED",
    parts,
    ctx.silent ?? false,
  );
}

/** The input, its name and namespace, and the object it replaces (400, 422 or 404 otherwise). */
function findTarget(table: ResourceTable, body: unknown, ctx: WriteContext): UpdateTarget {
  const d = table.descriptor;
  const input = decodeInput(table, body, ctx.admission);
  const bodyMeta = (input.metadata ?? {}) as ObjectMeta;
  const bodyName = bodyMeta.name ?? "";
  if (ctx.pathName !== undefined && bodyName !== ctx.pathName) {
    throw new StatusError(
      badRequest(
        `the name of the object (${bodyName}) does not match the name on the URL (${ctx.pathName})`,
      ),
    );
  }
  const name = ctx.pathName ?? bodyName;
  if (name === "") {
    throw new StatusError(
      invalid(d.group, d.kind, "", [
        requiredField("metadata.name", "name or generateName is required"),
      ]),
    );
  }
  const namespace = objectNamespace(table, bodyMeta.namespace ?? "", ctx);
  const existing = table.items.get(objectKey(table, namespace, name));
  if (existing === undefined) throw new StatusError(notFound(d, name));
  return { input, bodyMeta, name, namespace, existing };
}

/** resourceVersion (409, or 422 when a custom resource names none) and uid preconditions. */
function checkPreconditions(table: ResourceTable, target: UpdateTarget, ctx: WriteContext): void {
  const d = table.descriptor;
  const { bodyMeta, name, namespace } = target;
  const old = target.existing.system;
  const requested = bodyMeta.resourceVersion ?? "";
  if (requested === "") {
    if (ctx.admission.validate && !table.builtin) {
      throw new StatusError(
        invalid(d.group, d.kind, name, [
          invalidField("metadata.resourceVersion", "0x0", "must be specified for an update"),
        ]),
      );
    }
  } else if (requested !== old.resourceVersion) {
    throw new StatusError(conflict(d, name));
  }
  const requestedUid = bodyMeta.uid ?? "";
  if (ctx.admission.validate && requestedUid !== "" && requestedUid !== old.uid) {
    // The storage layer's precondition error, worded as etcd3's StorageError.
    const key = d.namespaced
      ? `/registry/${qualifiedResource(d)}/${namespace}/${name}`
      : `/registry/${qualifiedResource(d)}/${name}`;
    throw new StatusError(
      conflict(
        d,
        name,
        `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${requestedUid}, UID in object meta: ${
          old.uid ?? ""
        }`,
      ),
    );
  }
}

/** The strategy's ValidateUpdate: content (not for `status`), pod spec changes, finalizer names. */
function validateUpdate(table: ResourceTable, target: UpdateTarget, ctx: WriteContext): void {
  const d = table.descriptor;
  const { input, bodyMeta, name, existing } = target;
  const errors: FieldError[] = ctx.subresource === "status"
    ? []
    : validateContent(bodyMeta, input, dataKeyFields(table));
  if (table.id === "/pods" && ctx.subresource === undefined) {
    errors.push(...validatePodSpecUpdate(JSON.parse(existing.json).spec, input.spec));
  }
  if (errors.length > 0) throw new StatusError(invalid(d.group, d.kind, name, errors));
  if (table.id === NAMESPACES_ID && ctx.subresource === "finalize") {
    const finalizerErrors = finalizerNameErrors(specFinalizers(partsOf(input).specInner));
    if (finalizerErrors.length > 0) {
      throw new StatusError(invalid(d.group, d.kind, name, finalizerErrors));
    }
  }
}

/**
 * The parts the write stores: a `status` write changes only the status; with `prepare`, a write
 * of the main resource keeps the status, and only `finalize` changes a namespace's spec.
 */
function writtenParts(table: ResourceTable, target: UpdateTarget, ctx: WriteContext): ObjectParts {
  const { input, existing } = target;
  if (ctx.subresource === "status") {
    return {
      metadata: { ...existing.metadata },
      specInner: existing.specInner,
      statusJson: input.status === undefined ? undefined : JSON.stringify(input.status),
    };
  }
  const parts = partsOf(input);
  if (ctx.admission.prepare) {
    if (hasStatus(table)) parts.statusJson = existing.statusJson;
    if (table.id === NAMESPACES_ID && ctx.subresource !== "finalize") {
      // Only `finalize` writes spec.finalizers (the namespace strategy's PrepareForUpdate).
      parts.specInner = existing.specInner;
    }
  }
  return parts;
}

/** Sets the metadata the server owns from the stored object; refuses new finalizers while deleting. */
function stampServerFields(
  table: ResourceTable,
  target: UpdateTarget,
  meta: ObjectMeta,
  ctx: WriteContext,
): void {
  const d = table.descriptor;
  const { name, namespace, existing } = target;
  const old = existing.system;
  meta.name = name;
  if (d.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  setOrDelete(meta, "uid", old.uid);
  setOrDelete(meta, "creationTimestamp", old.creationTimestamp);
  meta.resourceVersion = "";
  if (old.deletionTimestamp !== undefined) {
    meta.deletionTimestamp = old.deletionTimestamp;
    setOrDelete(meta, "deletionGracePeriodSeconds", old.deletionGracePeriodSeconds);
    const before = new Set(existing.metadata.finalizers ?? []);
    const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length > 0) {
      throw new StatusError(
        invalid(d.group, d.kind, name, [
          forbiddenField(
            "metadata.finalizers",
            // Go's %#v of a []string.
            `no new finalizers can be added if the object is being deleted, found new finalizers []string{${
              added.map((f) => JSON.stringify(f)).join(", ")
            }}`,
          ),
        ]),
      );
    }
  } else if (ctx.admission.prepare) {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  if (meta.managedFields === undefined && old.hasManagedFields) {
    setOrDelete(meta, "managedFields", existing.metadata.managedFields);
  }
}

/**
 * Removing the last finalizer deletes the object as it was stored: the DELETED event carries
 * that state, finalizers included, not the update's; the answer is the update's result at the
 * old resourceVersion, without finalizers and managedFields.
 */
function deleteAsStored(
  registry: RegistryServices,
  table: ResourceTable,
  existing: StoredObject,
  parts: ObjectParts,
  ctx: WriteContext,
): StoredObject {
  const last: ObjectParts = {
    metadata: structuredClone(existing.metadata),
    specInner: existing.specInner,
    statusJson: existing.statusJson,
  };
  last.metadata.resourceVersion = "";
  registry.store.commit(table, "DELETED", last, ctx.silent ?? false);
  const answer = parts.metadata;
  answer.resourceVersion = existing.system.resourceVersion ?? "";
  delete answer.finalizers;
  delete answer.managedFields;
  parts.metadata = orderMeta(answer);
  return table.encode(parts, existing.rv);
}
