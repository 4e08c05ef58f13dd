/**
 * The part of OpenAPI v3 / Kubernetes structural schemas that the type generators read, and
 * the rendering of one schema into TypeScript: interfaces for objects, aliases for the rest,
 * doc comments made of facts only (wire name, type, format, required, enum values, defaults,
 * list and map kinds), never of the schema's `description`.
 *
 * @module
 */

/** A JSON schema as Kubernetes publishes it (OpenAPI v3) or a CRD declares it. */
export interface JsonSchema {
  /** `object`, `array`, `string`, `integer`, `number` or `boolean`. */
  type?: string | undefined;
  /** Format such as `int32`, `date-time`, `byte`, `int-or-string`. */
  format?: string | undefined;
  /** Properties of an object. */
  properties?: Record<string, JsonSchema> | undefined;
  /** Names of the properties that must be set. */
  required?: string[] | undefined;
  /** Schema of array items. */
  items?: JsonSchema | undefined;
  /** Schema of map values, or whether other properties are allowed. */
  additionalProperties?: JsonSchema | boolean | undefined;
  /** Allowed values. */
  enum?: unknown[] | undefined;
  /** Whether `null` is allowed. */
  nullable?: boolean | undefined;
  /** Value the server sets when the field is absent. */
  default?: unknown;
  /** A reference to a named schema (`#/components/schemas/NAME`). */
  $ref?: string | undefined;
  /** Schemas that all apply (the spec wraps `$ref` in a one-element `allOf`). */
  allOf?: JsonSchema[] | undefined;
  /** Schemas of which exactly one applies. */
  oneOf?: JsonSchema[] | undefined;
  /** Schemas of which at least one applies. */
  anyOf?: JsonSchema[] | undefined;
  /** Smallest allowed number. */
  minimum?: number | undefined;
  /** Largest allowed number. */
  maximum?: number | undefined;
  /** Shortest allowed string. */
  minLength?: number | undefined;
  /** Longest allowed string. */
  maxLength?: number | undefined;
  /** Fewest allowed items. */
  minItems?: number | undefined;
  /** Most allowed items. */
  maxItems?: number | undefined;
  /** Regular expression a string must match. */
  pattern?: string | undefined;
  /** The value is an integer or a string (`IntOrString`). */
  "x-kubernetes-int-or-string"?: boolean | undefined;
  /** Fields beyond `properties` are kept as they are. */
  "x-kubernetes-preserve-unknown-fields"?: boolean | undefined;
  /** The value is a whole Kubernetes object (apiVersion, kind, metadata). */
  "x-kubernetes-embedded-resource"?: boolean | undefined;
  /** `atomic`, `set` or `map`. */
  "x-kubernetes-list-type"?: string | undefined;
  /** Keys of the items of a `map` list. */
  "x-kubernetes-list-map-keys"?: string[] | undefined;
  /** `atomic` or `granular`. */
  "x-kubernetes-map-type"?: string | undefined;
  /** Group, version and kind of a top-level kind. */
  "x-kubernetes-group-version-kind"?:
    | { group: string; version: string; kind: string }[]
    | undefined;
  /** Anything else the schema holds. */
  [key: string]: unknown;
}

/** One field of a generated interface. */
export interface FieldModel {
  /** Wire name. */
  readonly name: string;
  /** TypeScript type expression. */
  readonly type: string;
  /** Whether the field must be present. */
  readonly required: boolean;
  /** Lines of its doc comment. */
  readonly doc: readonly string[];
}

/** A generated named type: an interface (with fields) or an alias. */
export type TypeModel =
  | {
    readonly form: "interface";
    readonly name: string;
    readonly doc: readonly string[];
    /** Interfaces it extends, such as `KubeObject`. */
    readonly extends: readonly string[];
    readonly fields: readonly FieldModel[];
    /** An index signature's value type, for objects that keep unknown fields. */
    readonly rest?: string | undefined;
  }
  | {
    readonly form: "alias";
    readonly name: string;
    readonly doc: readonly string[];
    readonly type: string;
  };

/** How the converter names what a schema points at. */
export interface SchemaNaming {
  /** The TypeScript name of a `$ref` target. */
  ref(ref: string): string;
  /**
   * Names an inline object schema (one with properties) found at `path` and returns the name
   * to use; the caller generates its interface.
   */
  nested(schema: JsonSchema, path: readonly string[]): string;
}

/** The `$ref` a schema stands for: its own, or the one of a one-element `allOf`. */
export function refOf(schema: JsonSchema): string | undefined {
  if (schema.$ref !== undefined) return schema.$ref;
  if (schema.allOf?.length === 1 && schema.allOf[0]!.$ref !== undefined) {
    return schema.allOf[0]!.$ref;
  }
  return undefined;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property name as written in an interface: bare when it is an identifier, else quoted. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function literal(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? JSON.stringify(value)
    : value === null
    ? "null"
    : "unknown";
}

/**
 * The TypeScript type of a schema. Objects with properties get a name from
 * `naming.nested`; maps become `Record<string, V>`; int-or-string becomes `number | string`;
 * schemas that keep unknown fields without properties become `Record<string, unknown>`;
 * an empty schema is `unknown`. Enums of a CRD become unions of their literals.
 */
export function typeOf(schema: JsonSchema, naming: SchemaNaming, path: readonly string[]): string {
  const base = baseTypeOf(schema, naming, path);
  return schema.nullable === true && base !== "unknown" ? `${base} | null` : base;
}

function baseTypeOf(schema: JsonSchema, naming: SchemaNaming, path: readonly string[]): string {
  const ref = refOf(schema);
  if (ref !== undefined) return naming.ref(ref);
  if (schema["x-kubernetes-int-or-string"] === true || schema.format === "int-or-string") {
    return "number | string";
  }
  if (schema.enum !== undefined && schema.enum.length > 0) {
    return [...new Set(schema.enum.map(literal))].join(" | ");
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (schema.type === undefined && variants !== undefined && variants.length > 0) {
    const types = variants.map((v, i) => typeOf(v, naming, [...path, String(i)]));
    if (types.every((t) => t !== "unknown")) return [...new Set(types)].join(" | ");
  }
  switch (schema.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array": {
      const item = schema.items === undefined
        ? "unknown"
        : typeOf(schema.items, naming, [...path, "items"]);
      return /^[A-Za-z0-9_$.<>, ]+$/.test(item) && !item.includes(",")
        ? `${item}[]`
        : `(${item})[]`;
    }
  }
  if (schema.properties !== undefined && Object.keys(schema.properties).length > 0) {
    return naming.nested(schema, path);
  }
  if (schema["x-kubernetes-embedded-resource"] === true) {
    return "KubeObject & Record<string, unknown>";
  }
  const values = schema.additionalProperties;
  if (values !== undefined && typeof values === "object") {
    return `Record<string, ${typeOf(values, naming, [...path, "values"])}>`;
  }
  // Without a type, x-kubernetes-preserve-unknown-fields admits any JSON value.
  if (schema.type === "object") return "Record<string, unknown>";
  return "unknown";
}

/** The wire type of a schema as the doc comment names it (`array of Container`, `map of string`). */
function wireType(schema: JsonSchema, naming: SchemaNaming): string {
  const ref = refOf(schema);
  if (ref !== undefined) return `\`${naming.ref(ref)}\``;
  if (schema["x-kubernetes-int-or-string"] === true) return "integer or string";
  const variants = schema.oneOf ?? schema.anyOf;
  if (schema.type === undefined && variants !== undefined && variants.length > 0) {
    return [...new Set(variants.map((v) => wireType(v, naming)))].join(" or ");
  }
  if (schema.type === "array") {
    return `array of ${schema.items === undefined ? "anything" : wireType(schema.items, naming)}`;
  }
  if (schema.type === "object" || schema.type === undefined) {
    const values = schema.additionalProperties;
    if (schema.properties === undefined && values !== undefined && typeof values === "object") {
      return `map of ${wireType(values, naming)}`;
    }
    if (schema.type === undefined && schema.properties === undefined) return "any JSON value";
    return "object";
  }
  return schema.type;
}

function quoteValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Facts about a field as doc lines; no sentence of the schema's description. */
export function fieldDoc(
  name: string,
  schema: JsonSchema,
  required: boolean,
  naming: SchemaNaming,
): string[] {
  const facts: string[] = [];
  let type = wireType(schema, naming);
  if (schema.format !== undefined && schema.format !== "int-or-string") {
    type += ` (${schema.format})`;
  }
  facts.push(`\`${name}\`: ${type}${required ? ", required" : ""}`);
  if (schema.nullable === true) facts.push("may be null");
  const listType = schema["x-kubernetes-list-type"];
  const keys = schema["x-kubernetes-list-map-keys"];
  if (listType === "map" && keys !== undefined) {
    facts.push(`list map keyed by ${keys.map((k) => `\`${k}\``).join(", ")}`);
  } else if (listType === "set") {
    facts.push("set");
  }
  if (schema["x-kubernetes-map-type"] === "atomic") facts.push("replaced as a whole");
  if (schema["x-kubernetes-preserve-unknown-fields"] === true) facts.push("keeps unknown fields");
  if (schema["x-kubernetes-embedded-resource"] === true) facts.push("an embedded object");
  if (schema.enum !== undefined && schema.enum.length > 0) {
    facts.push(`one of ${schema.enum.map((v) => `\`${quoteValue(v)}\``).join(", ")}`);
  }
  if (schema.minimum !== undefined) facts.push(`minimum ${schema.minimum}`);
  if (schema.maximum !== undefined) facts.push(`maximum ${schema.maximum}`);
  if (schema.minLength !== undefined) facts.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) facts.push(`at most ${schema.maxLength} characters`);
  if (schema.minItems !== undefined) facts.push(`at least ${schema.minItems} items`);
  if (schema.maxItems !== undefined) facts.push(`at most ${schema.maxItems} items`);
  if (schema.pattern !== undefined) {
    facts.push(`matches \`${schema.pattern.replaceAll("*/", "*\\/")}\``);
  }
  const lines = [`${facts.join("; ")}.`];
  if (schema.default !== undefined && !isEmptyDefault(schema.default)) {
    lines.push(`@default {${quoteValue(schema.default).replaceAll("*/", "*\\/")}}`);
  }
  return lines;
}

/** `{}`, `[]` and `""`: the zero values the built-in spec declares as defaults. */
function isEmptyDefault(value: unknown): boolean {
  if (value === "") return true;
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

/**
 * The fields of an object schema, in wire order, with their types and doc lines.
 * `skip` names fields inherited from an extended interface.
 */
export function fieldsOf(
  schema: JsonSchema,
  naming: SchemaNaming,
  path: readonly string[],
  skip: ReadonlySet<string> = new Set(),
): FieldModel[] {
  const required = new Set(schema.required ?? []);
  const fields: FieldModel[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (skip.has(name)) continue;
    fields.push({
      name,
      type: typeOf(property, naming, [...path, name]),
      required: required.has(name),
      doc: fieldDoc(name, property, required.has(name), naming),
    });
  }
  return fields;
}

function docComment(lines: readonly string[], indent: string): string {
  if (lines.length === 0) return "";
  const safe = lines.map((l) => l.replaceAll("*/", "*\\/"));
  if (safe.length === 1 && safe[0]!.length + indent.length < 92) {
    return `${indent}/** ${safe[0]} */\n`;
  }
  return `${indent}/**\n${
    safe.map((l) => `${indent} * ${l}`.trimEnd()).join("\n")
  }\n${indent} */\n`;
}

/**
 * Renders named types as TypeScript. Optional fields are `T | undefined` so that users of
 * `exactOptionalPropertyTypes` may assign `undefined`.
 */
export function renderTypes(types: readonly TypeModel[]): string {
  const out: string[] = [];
  for (const t of types) {
    let text = docComment(t.doc, "");
    if (t.form === "alias") {
      text += `export type ${t.name} = ${t.type};\n`;
    } else {
      const ext = t.extends.length > 0 ? ` extends ${t.extends.join(", ")}` : "";
      text += `export interface ${t.name}${ext} {\n`;
      for (const f of t.fields) {
        text += docComment(f.doc, "  ");
        text += f.required
          ? `  ${propertyKey(f.name)}: ${f.type};\n`
          : `  ${propertyKey(f.name)}?: ${f.type} | undefined;\n`;
      }
      if (t.rest !== undefined) text += `  [key: string]: ${t.rest};\n`;
      text += "}\n";
    }
    out.push(text);
  }
  return out.join("\n");
}

/** `Pascal` spelling of a name part: `spec` -> `Spec`, `tls-config` -> `TlsConfig`. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== "")
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

/**
 * The camelCase name of a descriptor from its kind and plural: `ConfigMap` + `configmaps` ->
 * `configMaps`, `NetworkPolicy` + `networkpolicies` -> `networkPolicies`, `CSIDriver` ->
 * `csiDrivers`.
 */
export function descriptorName(kind: string, plural: string): string {
  let i = 0;
  let mixed = "";
  while (i < plural.length && i < kind.length && plural[i] === kind[i]!.toLowerCase()) {
    mixed += kind[i];
    i++;
  }
  mixed += plural.slice(i);
  const lead = /^[A-Z]+(?=[A-Z][a-z]|$)|^[A-Z]/.exec(mixed)?.[0] ?? "";
  return lead.toLowerCase() + mixed.slice(lead.length);
}

/** `ConfigMap` -> `config-map`, `CSIDriver` -> `csi-driver`, as the API reference spells pages. */
export function kebab(kind: string): string {
  return kind
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase();
}
