/**
 * Field selectors: the `fieldSelector=` query language, and the field values
 * a kube-apiserver lets each kind be selected by.
 *
 * A selector is comma-separated terms `field=value`, `field==value` or
 * `field!=value`, all of which must hold. In values, `\,`, `\=` and `\\`
 * stand for `,`, `=` and `\`; any other backslash sequence, and an unescaped
 * `,` or `=` in a value, is an error. A field missing from an object compares
 * as `""`, so `spec.nodeName=` selects unscheduled pods.
 *
 * The server side of field selection takes three steps, all in this module:
 *
 * 1. {@linkcode parseFieldSelector} the query parameter;
 * 2. {@linkcode unsupportedFieldLabel} answers which field label, if any, the
 *    kind does not support (a real server answers 400 BadRequest,
 *    `field label not supported: <label>`);
 * 3. {@linkcode normalizeFieldSelector} rewrites legacy aliases (see
 *    {@linkcode FIELD_LABEL_ALIASES}; pods accept `spec.host` for
 *    `spec.nodeName`) to the canonical labels, after which
 *    `matcher.matches(selectableFields(kind, object))` decides per object.
 *
 * @module
 */

import type { KubeObject } from "./meta.ts";
import type { Event, Node, Pod, Secret, Service } from "./core_v1.ts";

/** One term of a field selector. */
export interface FieldRequirement {
  /** The field label, such as `spec.nodeName`. */
  readonly field: string;
  /** Equality (`=`, also written `==`) or inequality (`!=`). */
  readonly operator: "=" | "!=";
  /** The unescaped value; `""` matches a missing field. */
  readonly value: string;
}

/** A compiled field selector. */
export interface FieldMatcher {
  /** The terms, sorted by their canonical text. */
  readonly requirements: readonly FieldRequirement[];
  /** True when the selector has no term and so matches everything. */
  readonly empty: boolean;
  /**
   * Tests an object's field values (see {@linkcode selectableFields}).
   *
   * @param fields Field label to value; a missing field compares as `""`.
   * @returns Whether every term holds.
   */
  matches(fields: Readonly<Record<string, string>>): boolean;
  /**
   * The canonical selector string: terms sorted, `==` written as `=`, values
   * escaped. Parsing it gives an equal matcher.
   *
   * @returns The selector in query-string form (`""` for the empty selector).
   */
  toString(): string;
}

// ---------------------------------------------------------------------------
// Escaping.

/**
 * Escapes a value for use in a field selector: `\` becomes `\\`, `,` becomes
 * `\,` and `=` becomes `\=`.
 *
 * @param value The raw value.
 * @returns The escaped value.
 *
 * @example Escaping a value with a comma
 * ```ts
 * import { escapeFieldSelectorValue } from "@kubesnap/kubesnap";
 * console.log(escapeFieldSelectorValue("a,b=c")); // "a\\,b\\=c"
 * ```
 */
export function escapeFieldSelectorValue(value: string): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 44 || c === 61) { // "\" "," "="
      out += value.slice(last, i) + "\\" + value[i];
      last = i + 1;
    }
  }
  return last === 0 ? value : out + value.slice(last);
}

function termToString(req: FieldRequirement): string {
  return `${req.field}${req.operator}${escapeFieldSelectorValue(req.value)}`;
}

// ---------------------------------------------------------------------------
// Matching.

type Fields = Readonly<Record<string, string>>;

function fieldOf(fields: Fields, field: string): string {
  const v: unknown = fields[field];
  return typeof v === "string" ? v : "";
}

function buildMatcher(terms: FieldRequirement[]): FieldMatcher {
  const texts = terms.map(termToString);
  const order = texts.map((_, i) => i).sort((a, b) => {
    const x = texts[a] as string;
    const y = texts[b] as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const requirements = Object.freeze(order.map((i) => terms[i] as FieldRequirement));
  const text = order.map((i) => texts[i]).join(",");
  const count = requirements.length;
  const fieldNames = requirements.map((r) => r.field);
  const values = requirements.map((r) => r.value);
  const equal = requirements.map((r) => r.operator === "=");
  return Object.freeze({
    requirements,
    empty: count === 0,
    matches(fields: Fields): boolean {
      for (let i = 0; i < count; i++) {
        const same = fieldOf(fields, fieldNames[i] as string) === values[i];
        if (same !== equal[i]) return false;
      }
      return true;
    },
    toString(): string {
      return text;
    },
  });
}

// ---------------------------------------------------------------------------
// Parsing.

function parseError(source: string, message: string): never {
  throw new TypeError(`invalid field selector ${JSON.stringify(source)}: ${message}`);
}

/** Splits on commas not preceded by an escaping backslash. */
function splitTerms(text: string): { term: string; pos: number }[] {
  const terms: { term: string; pos: number }[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (escaped) escaped = false;
    else if (c === 92) escaped = true;
    else if (c === 44) {
      terms.push({ term: text.slice(start, i), pos: start });
      start = i + 1;
    }
  }
  terms.push({ term: text.slice(start), pos: start });
  return terms;
}

function unescapeValue(source: string, value: string, pos: number): string {
  if (!value.includes("\\") && !value.includes("=") && !value.includes(",")) return value;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === "\\") {
      const next = value[i + 1];
      if (next === "\\" || next === "," || next === "=") {
        out += next;
        i++;
      } else {
        const seq = next === undefined ? "\\" : `\\${next}`;
        parseError(source, `at position ${pos + i}: invalid escape sequence '${seq}'`);
      }
    } else if (ch === "=" || ch === ",") {
      parseError(source, `at position ${pos + i}: unescaped '${ch}' in a value`);
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Parses a field selector string.
 *
 * @param text The selector, such as `spec.nodeName=node-1,status.phase!=Failed`.
 * @returns The compiled matcher; `""` matches everything. Empty terms
 * (`a=b,,c=d`) are ignored, as Kubernetes does.
 * @throws {TypeError} On a term without an operator, an empty field name, an
 * invalid escape sequence, or an unescaped `=` or `,` in a value.
 *
 * @example Selecting pods on a node
 * ```ts
 * import { parseFieldSelector } from "@kubesnap/kubesnap";
 * const sel = parseFieldSelector("spec.nodeName=node-1,status.phase!=Failed");
 * console.log(sel.matches({ "spec.nodeName": "node-1", "status.phase": "Running" })); // true
 * console.log(sel.matches({ "spec.nodeName": "node-2", "status.phase": "Running" })); // false
 * ```
 */
export function parseFieldSelector(text: string): FieldMatcher {
  if (typeof text !== "string") {
    throw new TypeError(`field selector must be a string, got ${typeof text}`);
  }
  const terms: FieldRequirement[] = [];
  for (const { term, pos } of splitTerms(text)) {
    if (term === "") continue;
    // The first operator in the term splits it; "!=" and "==" win over "=".
    let at = -1;
    let op = "";
    for (let i = 0; i < term.length; i++) {
      const c = term.charCodeAt(i);
      if (c === 33 && term.charCodeAt(i + 1) === 61) op = "!=";
      else if (c === 61) op = term.charCodeAt(i + 1) === 61 ? "==" : "=";
      else continue;
      at = i;
      break;
    }
    if (at === -1) {
      parseError(text, `at position ${pos}: term ${JSON.stringify(term)} has no '=', '==' or '!='`);
    }
    const field = term.slice(0, at);
    if (field === "") parseError(text, `at position ${pos}: empty field name`);
    const valuePos = pos + at + op.length;
    const value = unescapeValue(text, term.slice(at + op.length), valuePos);
    terms.push(Object.freeze({ field, operator: op === "!=" ? "!=" : "=", value }));
  }
  return buildMatcher(terms);
}

/**
 * Formats a field selector for the `fieldSelector` query parameter. A string
 * is validated and returned in canonical form; a record means equality terms
 * (`{ "spec.nodeName": "n1" }` becomes `spec.nodeName=n1`), with values
 * escaped.
 *
 * @param selector A selector string or a record of required field values.
 * @returns The canonical query-string form.
 * @throws {TypeError} When a string selector is invalid, or a record has an
 * empty field name or a non-string value.
 *
 * @example Formatting a record
 * ```ts
 * import { formatFieldSelector } from "@kubesnap/kubesnap";
 * console.log(formatFieldSelector({ "metadata.name": "a,b", "spec.nodeName": "n1" }));
 * // "metadata.name=a\\,b,spec.nodeName=n1"
 * ```
 */
export function formatFieldSelector(selector: string | Readonly<Record<string, string>>): string {
  if (typeof selector === "string") return parseFieldSelector(selector).toString();
  if (typeof selector !== "object" || selector === null) {
    throw new TypeError(`field selector must be a string or an object, got ${typeof selector}`);
  }
  const terms: FieldRequirement[] = [];
  for (const [field, value] of Object.entries(selector)) {
    if (field === "") throw new TypeError("field selector: empty field name");
    if (/[=,!\\]/.test(field)) {
      throw new TypeError(`field selector: invalid field name ${JSON.stringify(field)}`);
    }
    if (typeof value !== "string") {
      throw new TypeError(`field selector: value of ${JSON.stringify(field)} must be a string`);
    }
    terms.push({ field, operator: "=", value });
  }
  return buildMatcher(terms).toString();
}

// ---------------------------------------------------------------------------
// Selectable fields per kind.

function str(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  return String(value);
}

function bool(value: unknown): string {
  return value === true ? "true" : "false";
}

type FieldExtractor = (object: KubeObject) => Record<string, string>;

interface KindFields {
  /** Field labels beyond the metadata ones. */
  readonly labels: readonly string[];
  /** Reads those fields from an object. */
  readonly extract: FieldExtractor;
}

const KIND_FIELDS: Readonly<Record<string, KindFields>> = {
  Pod: {
    labels: [
      "spec.nodeName",
      "spec.restartPolicy",
      "spec.schedulerName",
      "spec.serviceAccountName",
      "spec.hostNetwork",
      "status.phase",
      "status.podIP",
      "status.nominatedNodeName",
    ],
    extract(object) {
      const pod = object as Pod;
      const spec = pod.spec;
      const status = pod.status;
      return {
        "spec.nodeName": str(spec?.nodeName),
        "spec.restartPolicy": str(spec?.restartPolicy),
        "spec.schedulerName": str(spec?.schedulerName),
        "spec.serviceAccountName": str(spec?.serviceAccountName),
        "spec.hostNetwork": bool(spec?.hostNetwork),
        "status.phase": str(status?.phase),
        "status.podIP": str(status?.podIPs?.[0]?.ip ?? status?.podIP),
        "status.nominatedNodeName": str(status?.nominatedNodeName),
      };
    },
  },
  Node: {
    labels: ["spec.unschedulable"],
    extract: (object) => ({ "spec.unschedulable": bool((object as Node).spec?.unschedulable) }),
  },
  Namespace: {
    labels: ["status.phase"],
    extract: (object) => ({
      "status.phase": str((object as { status?: { phase?: string } }).status?.phase),
    }),
  },
  Secret: {
    labels: ["type"],
    extract: (object) => ({ "type": str((object as Secret).type) }),
  },
  Service: {
    labels: ["spec.clusterIP", "spec.type"],
    extract(object) {
      const spec = (object as Service).spec;
      return { "spec.clusterIP": str(spec?.clusterIP), "spec.type": str(spec?.type) };
    },
  },
  ReplicationController: {
    labels: ["status.replicas"],
    extract: (object) => ({
      "status.replicas": String(
        (object as { status?: { replicas?: number } }).status?.replicas ?? 0,
      ),
    }),
  },
  Event: {
    labels: [
      "involvedObject.kind",
      "involvedObject.namespace",
      "involvedObject.name",
      "involvedObject.uid",
      "involvedObject.apiVersion",
      "involvedObject.resourceVersion",
      "involvedObject.fieldPath",
      "reason",
      "reportingComponent",
      "source",
      "type",
    ],
    extract(object) {
      const ev = object as Partial<Event>;
      const io = ev.involvedObject;
      const reporting = str(ev.reportingComponent);
      const source = str(ev.source?.component);
      return {
        "involvedObject.kind": str(io?.kind),
        "involvedObject.namespace": str(io?.namespace),
        "involvedObject.name": str(io?.name),
        "involvedObject.uid": str(io?.uid),
        "involvedObject.apiVersion": str(io?.apiVersion),
        "involvedObject.resourceVersion": str(io?.resourceVersion),
        "involvedObject.fieldPath": str(io?.fieldPath),
        "reason": str(ev.reason),
        "reportingComponent": reporting,
        // Events written through the newer API carry only the reporting controller.
        "source": source === "" ? reporting : source,
        "type": str(ev.type),
      };
    },
  },
};

/** Built-in kinds that are cluster-scoped, for the default of `namespaced`. */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Node",
  "Namespace",
  "PersistentVolume",
]);

/**
 * Legacy field labels a server still accepts, by kind: alias to canonical
 * label. {@linkcode normalizeFieldSelector} applies them.
 *
 * @example Looking up the pod alias
 * ```ts
 * import { FIELD_LABEL_ALIASES } from "@kubesnap/kubesnap";
 * console.log(FIELD_LABEL_ALIASES["Pod"]?.["spec.host"]); // "spec.nodeName"
 * ```
 */
export const FIELD_LABEL_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> =
  Object.freeze({
    Pod: Object.freeze({ "spec.host": "spec.nodeName" }),
  });

function aliasOf(kind: string, field: string): string | undefined {
  const aliases = Object.hasOwn(FIELD_LABEL_ALIASES, kind) ? FIELD_LABEL_ALIASES[kind] : undefined;
  return aliases !== undefined && Object.hasOwn(aliases, field) ? aliases[field] : undefined;
}

function kindFields(kind: string): KindFields | undefined {
  return Object.hasOwn(KIND_FIELDS, kind) ? KIND_FIELDS[kind] : undefined;
}

/** Options of {@linkcode selectableFields}. */
export interface SelectableFieldsOptions {
  /**
   * Whether the kind is namespaced, which adds `metadata.namespace`.
   *
   * @default {false for Node, Namespace and PersistentVolume; true otherwise}
   */
  namespaced?: boolean;
}

/**
 * The field values an object can be selected by, as a kube-apiserver computes
 * them: `metadata.name`, `metadata.namespace` for namespaced kinds, and the
 * kind's own fields (by kind name, whatever the group). Missing values are
 * `""`; booleans are `"true"`/`"false"`. Unknown kinds (custom resources) get
 * only the metadata fields.
 *
 * | Kind | Extra field labels |
 * | --- | --- |
 * | Pod | `spec.nodeName`, `spec.restartPolicy`, `spec.schedulerName`, `spec.serviceAccountName`, `spec.hostNetwork`, `status.phase`, `status.podIP` (first pod IP), `status.nominatedNodeName` |
 * | Node | `spec.unschedulable` |
 * | Namespace | `status.phase` |
 * | Secret | `type` |
 * | Service | `spec.clusterIP`, `spec.type` |
 * | ReplicationController | `status.replicas` |
 * | Event | `involvedObject.{kind,namespace,name,uid,apiVersion,resourceVersion,fieldPath}`, `reason`, `reportingComponent`, `source` (`source.component`, else `reportingComponent`), `type` |
 *
 * @param kind The object's kind, such as `Pod`.
 * @param object The object.
 * @param options Whether the kind is namespaced.
 * @returns Field label to value.
 *
 * @example Fields of a pod
 * ```ts
 * import { selectableFields } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * const pod: Pod = {
 *   metadata: { name: "web-0", namespace: "default" },
 *   spec: { nodeName: "node-1", containers: [] },
 * };
 * const fields = selectableFields("Pod", pod);
 * console.log(fields["spec.nodeName"], fields["spec.hostNetwork"]); // "node-1" "false"
 * ```
 */
export function selectableFields(
  kind: string,
  object: KubeObject,
  options?: SelectableFieldsOptions,
): Record<string, string> {
  const namespaced = options?.namespaced ?? !CLUSTER_SCOPED_KINDS.has(kind);
  const meta = object.metadata;
  const own = kindFields(kind)?.extract(object);
  const fields: Record<string, string> = own ?? {};
  fields["metadata.name"] = str(meta?.name);
  if (namespaced) fields["metadata.namespace"] = str(meta?.namespace);
  return fields;
}

/**
 * Rewrites legacy field labels (see {@linkcode FIELD_LABEL_ALIASES}) to their
 * canonical names, so the matcher can be run against
 * {@linkcode selectableFields}. Call it after {@linkcode unsupportedFieldLabel}
 * and before matching.
 *
 * @param kind The kind the selector applies to.
 * @param matcher The parsed selector.
 * @returns `matcher` itself when nothing is aliased, else a new matcher.
 *
 * @example Selecting pods by the legacy `spec.host`
 * ```ts
 * import { normalizeFieldSelector, parseFieldSelector } from "@kubesnap/kubesnap";
 * const sel = normalizeFieldSelector("Pod", parseFieldSelector("spec.host=node-1"));
 * console.log(sel.toString()); // "spec.nodeName=node-1"
 * ```
 */
export function normalizeFieldSelector(kind: string, matcher: FieldMatcher): FieldMatcher {
  let changed = false;
  const terms = matcher.requirements.map((req) => {
    const canonical = aliasOf(kind, req.field);
    if (canonical === undefined) return req;
    changed = true;
    return Object.freeze({ field: canonical, operator: req.operator, value: req.value });
  });
  return changed ? buildMatcher(terms) : matcher;
}

/**
 * The first field label of `matcher` that a kube-apiserver would refuse for
 * this kind (it answers 400 BadRequest, `field label not supported: <label>`),
 * or `undefined` when every label is supported. Aliases count as supported.
 *
 * @param kind The kind the selector applies to.
 * @param namespaced Whether the kind is namespaced (`metadata.namespace` is
 * supported only then).
 * @param matcher The parsed selector.
 * @returns The unsupported label, or `undefined`.
 *
 * @example Refusing an unknown label
 * ```ts
 * import { parseFieldSelector, unsupportedFieldLabel } from "@kubesnap/kubesnap";
 * const sel = parseFieldSelector("metadata.name=a,spec.replicas=3");
 * console.log(unsupportedFieldLabel("Deployment", true, sel)); // "spec.replicas"
 * ```
 */
export function unsupportedFieldLabel(
  kind: string,
  namespaced: boolean,
  matcher: FieldMatcher,
): string | undefined {
  const own = kindFields(kind)?.labels;
  for (const { field } of matcher.requirements) {
    if (field === "metadata.name") continue;
    if (field === "metadata.namespace" && namespaced) continue;
    if (own !== undefined && own.includes(field)) continue;
    if (aliasOf(kind, field) !== undefined) continue;
    return field;
  }
  return undefined;
}
