/**
 * The entries of `metadata.managedFields`: an `Apply` entry per server-side
 * apply manager, an `Update` entry per manager of other writes.
 *
 * @module
 */

import type { ManagedFieldsEntry } from "../api/meta.ts";
import { fieldSet } from "./_field_set.ts";
import { isJsonObject, type Json } from "./_json.ts";
import type { ResourceTable } from "./_object_store.ts";

/** Fields of a managedFields entry besides what it owns. */
export interface ManagedEntryOptions {
  /** The manager. */
  manager: string;
  /** `Apply` (server-side apply) or `Update` (any other write). */
  operation: "Apply" | "Update";
  /** The subresource written, if any. */
  subresource: string | undefined;
  /** The entry's time (RFC 3339). */
  time: string;
}

/**
 * The managedFields entry of a write of `config`. An `Update` owns the fields it set, but not
 * the server's own metadata (only labels, annotations and finalizers of it).
 */
export function managedEntry(
  table: ResourceTable,
  config: unknown,
  options: ManagedEntryOptions,
): ManagedFieldsEntry {
  if (options.operation === "Update" && isJsonObject(config)) {
    const { metadata, kind: _kind, apiVersion: _apiVersion, ...rest } = config;
    const meta = isJsonObject(metadata) ? metadata : {};
    const owned: Record<string, unknown> = {};
    if (meta.labels !== undefined) owned.labels = meta.labels;
    if (meta.annotations !== undefined) owned.annotations = meta.annotations;
    if (meta.finalizers !== undefined) owned.finalizers = meta.finalizers;
    config = Object.keys(owned).length > 0 ? { metadata: owned, ...rest } : rest;
  }
  const entry: ManagedFieldsEntry = {
    manager: options.manager,
    operation: options.operation,
    apiVersion: table.descriptor.apiVersion,
    time: options.time,
    fieldsType: "FieldsV1",
    fieldsV1: fieldSet(config as Json),
  };
  if (options.subresource !== undefined) entry.subresource = options.subresource;
  return entry;
}

/** Whether two entries belong to the same manager, operation and subresource. */
function sameOwner(a: ManagedFieldsEntry, b: ManagedFieldsEntry): boolean {
  return a.manager === b.manager && a.operation === b.operation &&
    (a.subresource ?? "") === (b.subresource ?? "");
}

/** managedFields with `entry` replacing the same owner's entry; appended when there is none. */
export function withEntry(
  entries: readonly ManagedFieldsEntry[],
  entry: ManagedFieldsEntry,
): ManagedFieldsEntry[] {
  const index = entries.findIndex((e) => sameOwner(e, entry));
  if (index < 0) return [...entries, entry];
  return entries.map((e, i) => i === index ? entry : e);
}

/** managedFields without the same owner's entry, then with `entry` appended. */
export function withEntryLast(
  entries: readonly ManagedFieldsEntry[],
  entry: ManagedFieldsEntry,
): ManagedFieldsEntry[] {
  return [...entries.filter((e) => !sameOwner(e, entry)), entry];
}
