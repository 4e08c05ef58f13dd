/**
 * Generates a TypeScript module from a CustomResourceDefinition: one interface per served
 * version's `openAPIV3Schema` (with an interface for every nested object) and a typed
 * resource descriptor, the way kopium does for kube-rs.
 *
 * @module
 */

import { readYaml } from "../_internal/yaml_reader.ts";
import {
  descriptorName,
  fieldsOf,
  type JsonSchema,
  pascal,
  renderTypes,
  type SchemaNaming,
  type TypeModel,
} from "./schema.ts";

/** A printer column of a CRD version (`kubectl get` shows it). */
export interface CrdPrinterColumn {
  /** Column header. */
  name: string;
  /** `string`, `integer`, `number`, `boolean` or `date`. */
  type: string;
  /** JSONPath into the object. */
  jsonPath: string;
  /** Format such as `date`. */
  format?: string | undefined;
  /** 0 shows in `kubectl get`, higher only with `-o wide`. */
  priority?: number | undefined;
}

/** One version of a CustomResourceDefinition. */
export interface CrdVersion {
  /** Version name, such as `v1`. */
  name: string;
  /** Whether the API serves the version. */
  served?: boolean | undefined;
  /** Whether objects are stored in this version. */
  storage?: boolean | undefined;
  /** Whether the version is deprecated. */
  deprecated?: boolean | undefined;
  /** The version's schema. */
  schema?: { openAPIV3Schema?: JsonSchema | undefined } | undefined;
  /** The `status` and `scale` subresources. */
  subresources?: {
    status?: Record<string, unknown> | undefined;
    scale?: {
      specReplicasPath: string;
      statusReplicasPath: string;
      labelSelectorPath?: string | undefined;
    } | undefined;
  } | undefined;
  /** Columns `kubectl get` prints. */
  additionalPrinterColumns?: CrdPrinterColumn[] | undefined;
}

/** The part of an `apiextensions.k8s.io/v1` CustomResourceDefinition the generator reads. */
export interface CustomResourceDefinitionInput {
  /** `apiextensions.k8s.io/v1`. */
  apiVersion?: string | undefined;
  /** `CustomResourceDefinition`. */
  kind?: string | undefined;
  /** Its name is `<plural>.<group>`. */
  metadata?: { name?: string | undefined } | undefined;
  /** Group, names, scope and versions. */
  spec: {
    group: string;
    names: {
      kind: string;
      plural: string;
      singular?: string | undefined;
      shortNames?: string[] | undefined;
      categories?: string[] | undefined;
      listKind?: string | undefined;
    };
    scope: "Namespaced" | "Cluster";
    versions: CrdVersion[];
  };
}

/** Options of {@linkcode generateCrdModule}. */
export interface GenerateCrdOptions {
  /**
   * Versions to generate; the others are left out.
   *
   * @default {every served version}
   */
  versions?: readonly string[] | undefined;
  /**
   * Where the generated module imports `defineResource`, `KubeObject` and
   * `ResourceDescriptor` from.
   *
   * @default {"@kubesnap/kubesnap"}
   */
  importFrom?: string | undefined;
  /** A line naming where the CRD came from, written into the module's header. */
  source?: string | undefined;
}

/**
 * Reads CustomResourceDefinitions from YAML or JSON text: one document, several separated by
 * `---` lines, or a `List` of items.
 *
 * @param text The file's text.
 * @param source A name for error messages, such as the file name.
 * @returns The definitions found, in order.
 * @throws {TypeError} When a document is not a CustomResourceDefinition.
 *
 * @example Reading a small CRD
 * ```ts
 * import { parseCrdDocuments } from "@kubesnap/kubesnap/codegen";
 * const [crd] = parseCrdDocuments(`
 * apiVersion: apiextensions.k8s.io/v1
 * kind: CustomResourceDefinition
 * metadata:
 *   name: widgets.example.com
 * spec:
 *   group: example.com
 *   scope: Namespaced
 *   names: {kind: Widget, plural: widgets}
 *   versions:
 *   - name: v1
 *     served: true
 *     storage: true
 * `);
 * console.log(crd?.spec.names.kind); // "Widget"
 * ```
 */
export function parseCrdDocuments(text: string, source = "CRD"): CustomResourceDefinitionInput[] {
  const documents = text.trimStart().startsWith("{") ? [text] : text.split(/^---[ \t]*$/m);
  const found: CustomResourceDefinitionInput[] = [];
  for (const doc of documents) {
    if (doc.replace(/#.*$/gm, "").trim() === "") continue;
    const value = readYaml(doc, { source }).value as Record<string, unknown> | null;
    const items = value?.kind === "List" || value?.kind === "CustomResourceDefinitionList"
      ? (value.items as unknown[] ?? [])
      : [value];
    for (const item of items) found.push(asCrd(item, source));
  }
  return found;
}

function asCrd(value: unknown, source: string): CustomResourceDefinitionInput {
  const crd = value as CustomResourceDefinitionInput | null;
  const spec = crd?.spec;
  if (
    crd === null || typeof crd !== "object" || crd.kind !== "CustomResourceDefinition" ||
    typeof spec?.group !== "string" || typeof spec.names?.kind !== "string" ||
    typeof spec.names.plural !== "string" || !Array.isArray(spec.versions)
  ) {
    throw new TypeError(`${source}: not an apiextensions.k8s.io/v1 CustomResourceDefinition`);
  }
  return crd;
}

const IMPORTED = ["KubeObject", "ResourceDescriptor"];

/**
 * Generates the TypeScript module of a CRD: for each selected version, an interface for the
 * kind (extending `KubeObject`), one for every nested object of its schema (named after the
 * path: `CertificateSpecPrivateKey`), and a descriptor built with `defineResource`. The
 * storage version (else the first selected) gets plain names; the other versions' names end
 * in their version (`CertificateV1beta1`, `certificatesV1beta1`).
 *
 * The schema's facts become doc comments (types, formats, required, enums, defaults, list
 * kinds, printer columns, subresources); `x-kubernetes-int-or-string` becomes
 * `number | string`, `x-kubernetes-preserve-unknown-fields` an index signature or a record,
 * `x-kubernetes-embedded-resource` an object extending `KubeObject`, `nullable` a `| null`,
 * and enums unions of their values.
 *
 * @param crd The definition, as {@linkcode parseCrdDocuments} returns it.
 * @param options Versions to generate and the import specifier.
 * @returns The module's text (unformatted; run `deno fmt` on it if you like).
 * @throws {RangeError} When no selected version is served.
 *
 * @example Generating a module
 * ```ts
 * import { generateCrdModule, parseCrdDocuments } from "@kubesnap/kubesnap/codegen";
 * const [crd] = parseCrdDocuments(`{"apiVersion":"apiextensions.k8s.io/v1",
 *   "kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
 *   "spec":{"group":"example.com","scope":"Namespaced","names":{"kind":"Widget","plural":"widgets"},
 *   "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{
 *   "type":"object","properties":{"spec":{"type":"object","properties":{"size":{"type":"integer"}}}}}}}]}}`);
 * const text = generateCrdModule(crd!);
 * console.log(text.includes("export interface WidgetSpec")); // true
 * ```
 */
export function generateCrdModule(
  crd: CustomResourceDefinitionInput,
  options?: GenerateCrdOptions,
): string {
  options ??= {};
  const { group, names, scope } = crd.spec;
  const selected = crd.spec.versions.filter((v) =>
    v.served !== false && (options.versions === undefined || options.versions.includes(v.name))
  );
  if (selected.length === 0) {
    throw new RangeError(
      `${crd.metadata?.name ?? names.plural}: no served version among ${
        JSON.stringify(options.versions ?? crd.spec.versions.map((v) => v.name))
      }`,
    );
  }
  const primary = selected.find((v) => v.storage === true) ?? selected[0]!;
  const importFrom = options.importFrom ?? "@kubesnap/kubesnap";
  const taken = new Set<string>(IMPORTED);
  const types: TypeModel[] = [];
  const descriptors: string[] = [];
  for (const version of selected) {
    const suffix = version === primary ? "" : pascal(version.name);
    const kindName = unique(`${names.kind}${suffix}`, taken);
    const root: JsonSchema = version.schema?.openAPIV3Schema ?? {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    };
    const pending: { schema: JsonSchema; name: string; path: readonly string[] }[] = [];
    const naming: SchemaNaming = {
      ref(ref) {
        throw new TypeError(`${names.plural}: CRD schemas have no $ref (found ${ref})`);
      },
      nested(schema, path) {
        const parts = path.slice(1).filter((p) =>
          p !== "items" && p !== "values" && !/^\d+$/.test(p)
        );
        const name = unique(kindName + parts.map(pascal).join(""), taken);
        pending.push({ schema, name, path });
        return name;
      },
    };
    const kindFields = fieldsOf(
      root,
      naming,
      [kindName],
      new Set(["apiVersion", "kind", "metadata"]),
    )
      .map((f) => ({ ...f, required: false }));
    types.push({
      form: "interface",
      name: kindName,
      doc: kindDoc(crd, version),
      extends: ["KubeObject"],
      fields: kindFields,
      rest: keepsUnknownFields(root) ? "unknown" : undefined,
    });
    while (pending.length > 0) {
      const { schema, name, path } = pending.shift()!;
      const embedded = schema["x-kubernetes-embedded-resource"] === true;
      types.push({
        form: "interface",
        name,
        doc: [
          `\`${readablePath(path.slice(1))}\` of \`${kindName}\`${
            embedded ? ", an embedded object" : ""
          }.`,
        ],
        extends: embedded ? ["KubeObject"] : [],
        fields: fieldsOf(
          schema,
          naming,
          path,
          embedded ? new Set(["apiVersion", "kind", "metadata"]) : new Set(),
        ),
        rest: keepsUnknownFields(schema) ? "unknown" : undefined,
      });
    }
    const descriptor = unique(
      descriptorName(names.kind, names.plural) + suffix,
      taken,
    );
    descriptors.push(renderDescriptor(crd, version, kindName, descriptor, importFrom));
  }
  const header = [
    `// Generated by kubesnap's CRD generator from ${
      options.source ??
        `the CustomResourceDefinition ${crd.metadata?.name ?? `${names.plural}.${group}`}`
    }.`,
    "// Do not edit: regenerate instead.",
    "",
    "/**",
    ` * Types and descriptors of \`${names.kind}\` (\`${group}\`, ${
      selected.map((v) => `\`${v.name}\``).join(", ")
    }, ${scope === "Namespaced" ? "namespaced" : "cluster-scoped"}).`,
    " *",
    " * @module",
    " */",
    "",
    `import { defineResource, type KubeObject, type ResourceDescriptor } from ${
      JSON.stringify(importFrom)
    };`,
    "",
  ].join("\n");
  return `${header}\n${renderTypes(types)}\n${descriptors.join("\n")}`;
}

/** Whether an object keeps fields beyond its properties (an index signature of `unknown`). */
function keepsUnknownFields(schema: JsonSchema): boolean {
  return schema["x-kubernetes-preserve-unknown-fields"] === true ||
    schema.additionalProperties === true;
}

/** `spec.matrix.items.items` -> `spec.matrix[][]`, `spec.map.values` -> `spec.map.*`. */
function readablePath(parts: readonly string[]): string {
  let text = "";
  for (const part of parts) {
    if (part === "items") text += "[]";
    else if (part === "values") text += ".*";
    else text += text === "" ? part : `.${part}`;
  }
  return text;
}

function unique(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let i = 2; taken.has(candidate); i++) candidate = `${name}${i}`;
  taken.add(candidate);
  return candidate;
}

function kindDoc(crd: CustomResourceDefinitionInput, version: CrdVersion): string[] {
  const { group, names, scope } = crd.spec;
  const lines = [
    `\`${names.kind}\` of \`${group}/${version.name}\`, served as \`${names.plural}\` (${
      scope === "Namespaced" ? "namespaced" : "cluster-scoped"
    })${version.deprecated === true ? "; deprecated" : ""}${
      version.storage === true ? "; the storage version" : ""
    }.`,
  ];
  if ((names.shortNames ?? []).length > 0) {
    lines.push(`Short names: ${names.shortNames!.map((n) => `\`${n}\``).join(", ")}.`);
  }
  const subresources = version.subresources ?? {};
  if (subresources.status !== undefined) lines.push("Subresource `status`.");
  if (subresources.scale !== undefined) {
    const s = subresources.scale;
    lines.push(
      `Subresource \`scale\`: replicas at \`${s.specReplicasPath}\` and \`${s.statusReplicasPath}\`${
        s.labelSelectorPath === undefined ? "" : `, selector at \`${s.labelSelectorPath}\``
      }.`,
    );
  }
  const columns = version.additionalPrinterColumns ?? [];
  if (columns.length > 0) {
    lines.push("", "Printer columns:");
    for (const c of columns) {
      lines.push(
        `- \`${c.name}\` (${c.type}${c.format === undefined ? "" : `, ${c.format}`}${
          (c.priority ?? 0) > 0 ? ", wide only" : ""
        }): \`${c.jsonPath}\``,
      );
    }
  }
  return lines;
}

function renderDescriptor(
  crd: CustomResourceDefinitionInput,
  version: CrdVersion,
  kindName: string,
  descriptor: string,
  importFrom: string,
): string {
  const { group, names, scope } = crd.spec;
  const subresources = [
    ...(version.subresources?.status !== undefined ? ["status"] : []),
    ...(version.subresources?.scale !== undefined ? ["scale"] : []),
  ];
  const fields = [
    `group: ${JSON.stringify(group)}`,
    `version: ${JSON.stringify(version.name)}`,
    `kind: ${JSON.stringify(names.kind)}`,
    `plural: ${JSON.stringify(names.plural)}`,
    `singular: ${JSON.stringify(names.singular ?? names.kind.toLowerCase())}`,
    `namespaced: ${scope === "Namespaced"}`,
    `shortNames: ${JSON.stringify(names.shortNames ?? [])}`,
    `categories: ${JSON.stringify(names.categories ?? [])}`,
    `subresources: ${JSON.stringify(subresources)}`,
  ];
  return [
    "/**",
    ` * The \`${names.plural}\` resource of \`${group}/${version.name}\`.`,
    " *",
    " * @example Listing them",
    " * ```ts ignore",
    ` * import { KubeClient } from ${JSON.stringify(importFrom)};`,
    " * const client = await KubeClient.autoDetect();",
    ` * const list = await client.resource(${descriptor}).list();`,
    " * console.log(list.items.length);",
    " * ```",
    " */",
    `export const ${descriptor}: ResourceDescriptor<${kindName}> = defineResource<${kindName}>({`,
    ...fields.map((f) => `  ${f},`),
    "});",
    "",
  ].join("\n");
}
