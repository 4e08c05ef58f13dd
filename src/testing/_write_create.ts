/**
 * Create (POST, the direct API, and server-side apply of a missing object):
 * generateName, namespace, validation, the server-set metadata, and the
 * initial status.
 *
 * @module
 */

import { isJsonObject } from "./_json.ts";
import { managedEntry } from "./_managed_fields.ts";
import {
  checkNamespaceAcceptsWrites,
  KUBERNETES_FINALIZER,
  NAMESPACE_NAME_LABEL,
  NAMESPACES_ID,
} from "./_namespace_rules.ts";
import { orderMeta } from "./_object_meta.ts";
import { partsOf, type ResourceTable, type StoredObject } from "./_object_store.ts";
import type { RegistryServices } from "./_registry_services.ts";
import {
  dataKeyFields,
  hasStatus,
  initialStatusJson,
  objectKey,
  tracksGeneration,
} from "./_resource_rules.ts";
import {
  alreadyExists,
  failure,
  type FieldError,
  invalid,
  invalidField,
  requiredField,
  StatusError,
} from "./_status.ts";
import { decodeInput } from "./_validation_kind.ts";
import { validateContent } from "./_validation_meta.ts";
import { DNS1123_LABEL, validateName } from "./_validation_name.ts";
import type { WriteContext } from "./_write_context.ts";
import { objectNamespace } from "./_write_namespace.ts";

/** Attempts at a generated name that is not taken. */
const GENERATE_NAME_ATTEMPTS = 16;

/** Creates an object. The input is not kept. */
export function createObject(
  registry: RegistryServices,
  table: ResourceTable,
  body: unknown,
  ctx: WriteContext,
): StoredObject {
  const d = table.descriptor;
  const admission = ctx.admission;
  const input = decodeInput(table, body, admission);
  if (admission.prepare && table.id === NAMESPACES_ID) {
    const spec = isJsonObject(input.spec) ? input.spec : {};
    if (spec.finalizers === undefined) input.spec = { ...spec, finalizers: [KUBERNETES_FINALIZER] };
  }
  const parts = partsOf(input);
  const meta = parts.metadata;
  const namespace = objectNamespace(table, meta.namespace ?? "", ctx);
  if (d.namespaced) meta.namespace = namespace;
  else delete meta.namespace;

  const errors: FieldError[] = [];
  let name = meta.name ?? "";
  if (name === "") {
    const prefix = meta.generateName ?? "";
    if (prefix === "") {
      errors.push(requiredField("metadata.name", "name or generateName is required"));
    } else {
      name = generateName(registry, table, namespace, prefix);
      meta.name = name;
    }
  }
  if (name !== "") errors.push(...validateName(table, name));
  if (d.namespaced && ctx.pathNamespace === undefined && !DNS1123_LABEL.pattern.test(namespace)) {
    errors.push(invalidField("metadata.namespace", namespace, DNS1123_LABEL.message));
  }
  if (admission.validate) errors.push(...validateContent(meta, input, dataKeyFields(table)));
  if (errors.length > 0) throw new StatusError(invalid(d.group, d.kind, name, errors));
  if (admission.validate && meta.resourceVersion !== undefined && meta.resourceVersion !== "") {
    // A real server answers this without a reason (an untyped error from its storage layer).
    const status = failure(500, "", "resourceVersion should not be set on objects to be created");
    delete status.reason;
    throw new StatusError(status);
  }
  if (admission.namespaceLifecycle && d.namespaced && table.id !== NAMESPACES_ID) {
    checkNamespaceAcceptsWrites(registry.store, table, namespace, name);
  }
  if (table.items.has(objectKey(table, namespace, name))) {
    throw new StatusError(alreadyExists(d, name));
  }

  // What the server sets; the direct API keeps what the test gave.
  if (admission.prepare || meta.uid === undefined || meta.uid === "") meta.uid = registry.uid();
  meta.resourceVersion = "";
  if (admission.prepare || meta.creationTimestamp === undefined) {
    meta.creationTimestamp = registry.now();
  }
  if (tracksGeneration(table)) meta.generation = admission.prepare ? 1 : (meta.generation ?? 1);
  if (admission.prepare) {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (table.id === NAMESPACES_ID) {
      meta.labels = { ...meta.labels, [NAMESPACE_NAME_LABEL]: name };
    }
    if (hasStatus(table)) parts.statusJson = initialStatusJson(table);
  }
  if (ctx.fieldManager !== undefined) {
    meta.managedFields = [
      managedEntry(table, input, {
        manager: ctx.fieldManager,
        operation: "Apply",
        subresource: ctx.subresource,
        time: registry.now(),
      }),
    ];
  } else if (admission.recordManager && ctx.manager !== undefined) {
    meta.managedFields = [
      managedEntry(table, input, {
        manager: ctx.manager,
        operation: "Update",
        subresource: ctx.subresource,
        time: registry.now(),
      }),
    ];
  }
  parts.metadata = orderMeta(meta);
  if (ctx.dryRun) {
    delete parts.metadata.resourceVersion;
    return table.encode(parts, 0);
  }
  return registry.store.commit(table, "ADDED", parts, ctx.silent ?? false);
}

/** `prefix` and a random suffix, retried while the name is taken (then left to conflict). */
function generateName(
  registry: RegistryServices,
  table: ResourceTable,
  namespace: string,
  prefix: string,
): string {
  const base = prefix.length + 5 > 63 ? prefix.slice(0, 58) : prefix;
  let name = "";
  for (let attempt = 0; attempt < GENERATE_NAME_ATTEMPTS; attempt++) {
    name = base + registry.nameSuffix();
    if (!table.items.has(objectKey(table, namespace, name))) break;
  }
  return name;
}
