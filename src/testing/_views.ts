/**
 * The representations a response can ask for (plain objects,
 * `PartialObjectMetadata`, `meta.k8s.io/v1` Table) and the Accept-header
 * negotiation that picks one. Encodings reuse each stored object's JSON.
 *
 * @module
 */

import type { StoredObject } from "./_object_store.ts";
import { notAcceptable, StatusError } from "./_status.ts";
import { TABLE_PRINTERS } from "./_table_printers.ts";

/** What a response carries. */
export type ViewKind = "object" | "metadata" | "metadataList" | "table";

/** How Table rows embed the object (`includeObject`). */
export type IncludeObject = "Metadata" | "Object" | "None";

const ACCEPTED_TYPES = [
  "application/json",
  "application/json;as=Table;v=v1;g=meta.k8s.io",
  "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io",
  "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
];

/**
 * Picks the representation from an Accept header: the first acceptable media
 * range wins. `list` says whether the request returns a list; asking for the
 * list form of a single object (or the reverse) is 406, like a real server.
 */
export function negotiateView(accept: string | null, list: boolean): ViewKind {
  if (accept === null || accept.trim() === "") return "object";
  for (const range of accept.split(",")) {
    const [typePart, ...paramParts] = range.split(";");
    const type = (typePart ?? "").trim().toLowerCase();
    const params = new Map<string, string>();
    for (const p of paramParts) {
      const eq = p.indexOf("=");
      if (eq < 0) continue;
      params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
    }
    if (type !== "application/json" && type !== "application/*" && type !== "*/*") continue;
    const as = params.get("as");
    if (as === undefined) return "object";
    const group = params.get("g");
    const version = params.get("v");
    if (group !== "meta.k8s.io" || (version !== "v1" && version !== "v1beta1")) continue;
    if (as === "Table") return "table";
    if (as === "PartialObjectMetadata") {
      if (list) throw new StatusError(notAcceptable(ACCEPTED_TYPES));
      return "metadata";
    }
    if (as === "PartialObjectMetadataList") {
      if (!list) throw new StatusError(notAcceptable(ACCEPTED_TYPES));
      return "metadataList";
    }
  }
  throw new StatusError(notAcceptable(ACCEPTED_TYPES));
}

const metadataCache = new WeakMap<StoredObject, string>();

/** `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{…}}`. */
export function metadataJson(stored: StoredObject): string {
  let json = metadataCache.get(stored);
  if (json === undefined) {
    json = `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${
      JSON.stringify(stored.metadata)
    }}`;
    metadataCache.set(stored, json);
  }
  return json;
}

/** The two columns of the default table converter (kinds without a printer). */
export const TABLE_COLUMNS_JSON: string = JSON.stringify([
  {
    name: "Name",
    type: "string",
    format: "name",
    description: "Name must be unique within a namespace; it identifies the object.",
    priority: 0,
  },
  {
    name: "Created At",
    type: "date",
    format: "",
    description:
      "CreationTimestamp is the server time when the object was created (RFC 3339, UTC).",
    priority: 0,
  },
]);

const columnsCache = new Map<string, string>();

/**
 * The column definitions of a kind's Table: kube-apiserver's printer columns
 * for the kinds in `_table_printers.ts`, else the default two.
 */
export function tableColumnsJson(apiVersion: string, kind: string): string {
  const key = `${apiVersion}/${kind}`;
  let json = columnsCache.get(key);
  if (json === undefined) {
    const printer = TABLE_PRINTERS.get(key);
    json = printer === undefined ? TABLE_COLUMNS_JSON : JSON.stringify(printer.columns);
    columnsCache.set(key, json);
  }
  return json;
}

const TYPE_PREFIX = /^\{"kind":"([^"\\]*)","apiVersion":"([^"\\]*)"/;

/** `apiVersion/kind` of a stored object, read from the head of its JSON when possible. */
function typeOf(stored: StoredObject): [apiVersion: string, kind: string] {
  const m = TYPE_PREFIX.exec(stored.json);
  return m === null ? [stored.object.apiVersion ?? "", stored.object.kind ?? ""] : [m[2]!, m[1]!];
}

/** The column definitions for the Table of one stored object. */
export function tableColumnsJsonOf(stored: StoredObject): string {
  return tableColumnsJson(...typeOf(stored));
}

/** One Table row for an object; `now` (the server clock) ages the Age column. */
export function tableRowJson(
  stored: StoredObject,
  include: IncludeObject,
  now: number = Date.now(),
): string {
  const [apiVersion, kind] = typeOf(stored);
  const printer = TABLE_PRINTERS.get(`${apiVersion}/${kind}`);
  let head: string;
  if (printer === undefined) {
    const meta = stored.metadata;
    head = `{"cells":${JSON.stringify([meta.name ?? "", meta.creationTimestamp ?? null])}`;
  } else {
    head = `{"cells":${JSON.stringify(printer.cells(stored.object, now))}`;
    const conditions = printer.conditions?.(stored.object);
    if (conditions !== undefined) head += `,"conditions":${JSON.stringify(conditions)}`;
  }
  switch (include) {
    case "None":
      return `${head}}`;
    case "Object":
      return `${head},"object":${stored.json}}`;
    case "Metadata":
      return `${head},"object":${metadataJson(stored)}}`;
  }
}

/**
 * A Table of rows; `headers` false writes `"columnDefinitions":null` (watch
 * events after the first). `columnsJson` comes from {@linkcode tableColumnsJson}.
 */
export function tableJson(
  listMetaJson: string,
  rows: readonly string[],
  headers: boolean,
  columnsJson: string = TABLE_COLUMNS_JSON,
): string {
  return `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":${listMetaJson},"columnDefinitions":${
    headers ? columnsJson : "null"
  },"rows":[${rows.join(",")}]}`;
}

/** The JSON of an object in a view (single-object forms). */
export function objectViewJson(
  stored: StoredObject,
  view: ViewKind,
  include: IncludeObject,
): string {
  switch (view) {
    case "object":
      return stored.json;
    case "metadata":
    case "metadataList":
      return metadataJson(stored);
    case "table":
      return tableJson(
        JSON.stringify({ resourceVersion: String(stored.rv) }),
        [tableRowJson(stored, include)],
        true,
        tableColumnsJsonOf(stored),
      );
  }
}

/** Parses `includeObject`; anything but Metadata/Object/None is 400. */
export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === null || value === "" || value === "Metadata") return "Metadata";
  if (value === "Object" || value === "None") return value;
  throw new StatusError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `includeObject: Unsupported value: ${
      JSON.stringify(value)
    }: supported values: "Metadata", "None", "Object"`,
    reason: "BadRequest",
    code: 400,
  });
}
