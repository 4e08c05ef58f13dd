/**
 * The type checks a real kube-apiserver does while decoding a JSON body into its Go structs:
 * a field of the wrong JSON type is a 400 BadRequest naming the Go field and type, before any
 * validation runs (`metadata.name: 5` never reaches the name rules).
 *
 * @module
 */

import type { ResourceDescriptor } from "../api/resource.ts";
import { badRequest, StatusError } from "./_status.ts";

type GoType = "string" | "map[string]string" | "[]string";

/** ObjectMeta fields with a fixed Go type, as `encoding/json` names them. */
const OBJECT_META_FIELDS: Readonly<Record<string, GoType>> = {
  name: "string",
  generateName: "string",
  namespace: "string",
  uid: "string",
  resourceVersion: "string",
  labels: "map[string]string",
  annotations: "map[string]string",
  finalizers: "[]string",
};

/** Top-level fields of built-in kinds with a fixed Go type, by `group/plural`. */
const TOP_LEVEL_FIELDS: Readonly<Record<string, Readonly<Record<string, GoType>>>> = {
  "/configmaps": { data: "map[string]string", binaryData: "map[string]string" },
  "/secrets": { data: "map[string]string", stringData: "map[string]string", type: "string" },
};

/** How Go's `encoding/json` names the JSON type of a value in an unmarshal error. */
function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  switch (typeof value) {
    case "number":
      return "number";
    case "boolean":
      return "bool";
    case "string":
      return "string";
    default:
      return "object";
  }
}

/** The Go type a value does not fit, or undefined when it fits (null always fits). */
function mismatch(value: unknown, type: GoType): GoType | "string" | undefined {
  if (value === null || value === undefined) return undefined;
  switch (type) {
    case "string":
      return typeof value === "string" ? undefined : "string";
    case "[]string":
      if (!Array.isArray(value)) return "[]string";
      return value.every((v) => typeof v === "string" || v === null) ? undefined : "string";
    case "map[string]string":
      if (typeof value !== "object" || Array.isArray(value)) return "map[string]string";
      return Object.values(value).every((v) => typeof v === "string" || v === null)
        ? undefined
        : "string";
  }
}

function offending(value: unknown, type: GoType): unknown {
  if (type === "[]string" && Array.isArray(value)) {
    return value.find((v) => typeof v !== "string" && v !== null);
  }
  if (type === "map[string]string" && typeof value === "object" && value !== null) {
    const inner = Object.values(value).find((v) => typeof v !== "string" && v !== null);
    if (!Array.isArray(value) && inner !== undefined) return inner;
  }
  return value;
}

/**
 * Throws the 400 a real server answers when a known field has the wrong JSON type, e.g.
 * `ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number
 * into Go struct field ObjectMeta.metadata.name of type string`.
 */
export function checkDecodable(
  resource: ResourceDescriptor,
  builtin: boolean,
  body: Record<string, unknown>,
): void {
  const fail = (value: unknown, struct: string, type: string): never => {
    throw new StatusError(
      badRequest(
        `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: json: cannot unmarshal ${
          jsonTypeName(value)
        } into Go struct field ${struct} of type ${type}`,
      ),
    );
  };
  const meta = body.metadata;
  if (typeof meta === "object" && meta !== null && !Array.isArray(meta)) {
    for (const [field, type] of Object.entries(OBJECT_META_FIELDS)) {
      const value = (meta as Record<string, unknown>)[field];
      const wrong = mismatch(value, type);
      if (wrong !== undefined) {
        fail(offending(value, type), `ObjectMeta.metadata.${field}`, wrong);
      }
    }
  }
  if (!builtin) return;
  const fields = TOP_LEVEL_FIELDS[`${resource.group}/${resource.plural}`] ?? {};
  for (const [field, type] of Object.entries(fields)) {
    const wrong = mismatch(body[field], type);
    if (wrong !== undefined) fail(offending(body[field], type), `${resource.kind}.${field}`, wrong);
  }
}
