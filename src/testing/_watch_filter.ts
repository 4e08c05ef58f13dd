/**
 * Which stored objects a watch or a list sees: namespace, name, label and
 * field selectors, compiled once into a predicate.
 *
 * @module
 */

import { selectableFields } from "../api/field_selector.ts";
import type { FieldMatcher } from "../api/field_selector.ts";
import type { LabelMatcher } from "../api/label_selector.ts";
import type { ResourceTable, StoredObject } from "./_object_store.ts";

/** Which objects a watch sees. */
export interface WatchFilter {
  /** Only this namespace (undefined: all). */
  namespace: string | undefined;
  /** Only this name (watch on an object path or `metadata.name=` selector). */
  name: string | undefined;
  /** Label selector. */
  labelSelector: LabelMatcher | undefined;
  /** Field selector (already normalised). */
  fieldSelector: FieldMatcher | undefined;
}

const fieldsCache = new WeakMap<StoredObject, Record<string, string>>();

function fieldsOf(table: ResourceTable, stored: StoredObject): Record<string, string> {
  let fields = fieldsCache.get(stored);
  if (fields === undefined) {
    // A transient parse: only the few field values are kept, not the object.
    fields = selectableFields(table.descriptor.kind, JSON.parse(stored.json), {
      namespaced: table.descriptor.namespaced,
    });
    fieldsCache.set(stored, fields);
  }
  return fields;
}

/** Compiles a watch/list filter into a predicate over stored objects. */
export function compileFilter(
  table: ResourceTable,
  filter: WatchFilter,
): (stored: StoredObject) => boolean {
  const { namespace, name, labelSelector, fieldSelector } = filter;
  return (stored) => {
    if (namespace !== undefined && stored.namespace !== namespace) return false;
    if (name !== undefined && stored.name !== name) return false;
    if (labelSelector !== undefined && !labelSelector.matches(stored.metadata.labels)) {
      return false;
    }
    if (fieldSelector !== undefined && !fieldSelector.matches(fieldsOf(table, stored))) {
      return false;
    }
    return true;
  };
}
