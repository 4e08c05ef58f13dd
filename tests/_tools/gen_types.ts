/**
 * Generates `src/api/<group>_<version>.ts` (interfaces of every kind a kube-apiserver serves
 * in its preferred versions, and of every type they reference, plus one typed descriptor per
 * resource), `src/api/meta_v1.ts` (the apimachinery types not written by hand in `meta.ts`)
 * and `src/api/resources.ts` (every descriptor), from the OpenAPI v3 spec of Kubernetes in the
 * Go module cache and the discovery facts of `gen_types_discovery.json`.
 *
 * ```sh
 * deno task gen:types          # writes the files
 * deno task gen:types --check  # exits 1 when a committed file differs from a fresh generation
 * ```
 *
 * @module
 */

import {
  descriptorName,
  fieldDoc,
  fieldsOf,
  type JsonSchema,
  kebab,
  pascal,
  refOf,
  renderTypes,
  type SchemaNaming,
  type TypeModel,
} from "../../src/codegen/schema.ts";
import type { DiscoveredResource, DiscoveryFixture } from "./gen_types_discovery.ts";

/** The verbs `defineResource` assumes when none are given. */
const ALL_VERBS = "create,delete,deletecollection,get,list,patch,update,watch";
const KUBERNETES_MODULE = "k8s.io/kubernetes";
const SCHEMA_PREFIX = "#/components/schemas/";
const META_PACKAGE = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** apimachinery types `meta.ts` writes by hand (with looser docs and shared helpers). */
const HAND_WRITTEN: Readonly<Record<string, string>> = {
  [`${META_PACKAGE}.ObjectMeta`]: "ObjectMeta",
  [`${META_PACKAGE}.ListMeta`]: "ListMeta",
  [`${META_PACKAGE}.LabelSelector`]: "LabelSelector",
  [`${META_PACKAGE}.LabelSelectorRequirement`]: "LabelSelectorRequirement",
  [`${META_PACKAGE}.OwnerReference`]: "OwnerReference",
  [`${META_PACKAGE}.ManagedFieldsEntry`]: "ManagedFieldsEntry",
  [`${META_PACKAGE}.Status`]: "Status",
  [`${META_PACKAGE}.StatusDetails`]: "StatusDetails",
  [`${META_PACKAGE}.StatusCause`]: "StatusCause",
};

/** Names taken by `meta.ts` and the rest of the public API. */
const RESERVED = new Set([
  ...Object.values(HAND_WRITTEN),
  "KubeObject",
  "KubeList",
  "PartialObjectMetadata",
  "WatchEvent",
]);

/**
 * Names kubesnap exported before its types were generated, kept as aliases of the generated
 * types they described: `[module stem, name, target, doc]`.
 */
const COMPATIBILITY_ALIASES: readonly (readonly [string, string, string, string])[] = [
  [
    "core_v1",
    "KeySelector",
    "ConfigMapKeySelector",
    "A reference to one key of a ConfigMap or Secret.",
  ],
  ["apps_v1", "WorkloadCondition", "DeploymentCondition", "A condition of a workload."],
  [
    "apps_v1",
    "RollingUpdateStrategy",
    "StatefulSetUpdateStrategy | DaemonSetUpdateStrategy",
    "How a StatefulSet or DaemonSet replaces its pods.",
  ],
];

/**
 * The resources kubesnap described by hand before its types were generated, by
 * `group/plural`: `BUILTIN_RESOURCES` keeps listing exactly these (`KUBERNETES_RESOURCES`
 * lists every resource).
 */
const LONG_STANDING = [
  "/pods",
  "/services",
  "/endpoints",
  "/nodes",
  "/namespaces",
  "/configmaps",
  "/secrets",
  "/events",
  "apps/replicasets",
  "apps/deployments",
  "apps/statefulsets",
  "apps/daemonsets",
  "batch/jobs",
  "batch/cronjobs",
  "networking.k8s.io/ingresses",
  "coordination.k8s.io/leases",
];

/** The package name, quoted, as the examples of generated docs import it. */
const PACKAGE = JSON.stringify("@kubesnap/kubesnap");

/** Where the generated files go, relative to the repository root. */
export const OUTPUT_DIR = "src/api/";

/** The spec folder of `k8s.io/kubernetes@version` in the Go module cache, downloaded if needed. */
export async function specDir(version: string): Promise<string> {
  const output = await new Deno.Command("go", {
    args: ["mod", "download", "-json", `${KUBERNETES_MODULE}@${version}`],
    env: { GOFLAGS: "-mod=mod" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(output.stdout) || "{}") as {
    Dir?: string;
    Error?: string;
  };
  if (!output.success || info.Dir === undefined) {
    throw new Error(
      `go mod download ${KUBERNETES_MODULE}@${version} failed: ${
        info.Error ?? new TextDecoder().decode(output.stderr)
      }`,
    );
  }
  return `${info.Dir}/api/openapi-spec/v3`;
}

/** The discovery fixture committed beside this file. */
export async function readDiscovery(): Promise<DiscoveryFixture> {
  return JSON.parse(
    await Deno.readTextFile(new URL("./gen_types_discovery.json", import.meta.url)),
  ) as DiscoveryFixture;
}

interface SpecDocument {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema> };
}

/** One resource with the facts of the spec and of discovery joined. */
interface ResourceFacts {
  group: string;
  version: string;
  discovery: DiscoveredResource;
  schemaName: string;
  namespaced: boolean;
  subresources: string[];
  descriptor: string;
}

/** `""` -> `core`, `rbac.authorization.k8s.io` -> `rbac_authorization`, `apps` -> `apps`. */
function groupStem(group: string): string {
  return group === "" ? "core" : group.replace(/\.k8s\.io$/, "").replaceAll(".", "_");
}

function groupLabel(group: string): string {
  return group === "" ? "core" : group.split(".")[0]!;
}

function gvPath(group: string, version: string): string {
  return group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
}

function specFile(group: string, version: string): string {
  return group === "" ? `api__${version}_openapi.json` : `apis__${group}__${version}_openapi.json`;
}

function packageOf(schemaName: string): string {
  return schemaName.slice(0, schemaName.lastIndexOf("."));
}

function simpleName(schemaName: string): string {
  return schemaName.slice(schemaName.lastIndexOf(".") + 1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Scope and subresources of a resource, read from the paths of its group version's spec. */
function pathFacts(spec: SpecDocument, group: string, version: string, plural: string) {
  const base = escapeRegExp(gvPath(group, version));
  const namespacedPath = new RegExp(`^${base}/namespaces/\\{namespace\\}/${plural}(/|$)`);
  const subresourcePath = new RegExp(
    `^${base}(?:/namespaces/\\{namespace\\})?/${plural}/\\{name\\}/([a-z]+)(?:/\\{path\\})?$`,
  );
  let namespaced = false;
  const subresources = new Set<string>();
  for (const path of Object.keys(spec.paths)) {
    if (namespacedPath.test(path)) namespaced = true;
    const sub = subresourcePath.exec(path)?.[1];
    if (sub !== undefined) subresources.add(sub);
  }
  return { namespaced, subresources: [...subresources].sort() };
}

/** Files of the generated API, by path relative to the repository root. */
export type GeneratedFiles = Map<string, string>;

/** Builds every generated file in memory. */
export async function generate(
  fixture: DiscoveryFixture,
  dir: string,
): Promise<GeneratedFiles> {
  const schemas = new Map<string, JsonSchema>();
  const resources: ResourceFacts[] = [];
  for (const g of fixture.groups) {
    const version = g.versions[0]!;
    const spec = JSON.parse(
      await Deno.readTextFile(`${dir}/${specFile(g.group, version)}`),
    ) as SpecDocument;
    for (const [name, schema] of Object.entries(spec.components.schemas)) schemas.set(name, schema);
    for (const r of g.resources) {
      const schemaName = Object.entries(spec.components.schemas).find(([, s]) =>
        (s["x-kubernetes-group-version-kind"] ?? []).some((gvk) =>
          gvk.group === g.group && gvk.version === version && gvk.kind === r.kind
        )
      )?.[0];
      if (schemaName === undefined) {
        throw new Error(`no schema for ${g.group}/${version} ${r.kind}`);
      }
      const facts = pathFacts(spec, g.group, version, r.resource);
      if (facts.namespaced !== (r.scope === "Namespaced")) {
        throw new Error(`${r.resource}: the spec's paths and discovery disagree on the scope`);
      }
      const fromDiscovery = r.subresources.map((s) => s.name).sort();
      if (facts.subresources.join() !== fromDiscovery.join()) {
        throw new Error(
          `${r.resource}: subresources ${facts.subresources} in the spec, ${fromDiscovery} in discovery`,
        );
      }
      resources.push({
        group: g.group,
        version,
        discovery: r,
        schemaName,
        ...facts,
        descriptor: "",
      });
    }
  }

  // Modules by package: the package of each resource's kind names its group's module.
  const moduleOfPackage = new Map<string, string>();
  for (const r of resources) {
    const pkg = packageOf(r.schemaName);
    if (!moduleOfPackage.has(pkg)) moduleOfPackage.set(pkg, `${groupStem(r.group)}_${r.version}`);
  }
  const groupOfModule = new Map<string, string>();
  for (const r of resources) groupOfModule.set(`${groupStem(r.group)}_${r.version}`, r.group);
  const moduleOf = (schemaName: string): string => {
    if (schemaName.startsWith("io.k8s.apimachinery.")) return "meta_v1";
    const pkg = packageOf(schemaName);
    return moduleOfPackage.get(pkg) ?? pkg.split(".").slice(-2).join("_");
  };

  // Types reachable from the kinds, in a stable order.
  const reachable = new Set<string>();
  const visit = (name: string): void => {
    if (reachable.has(name) || HAND_WRITTEN[name] !== undefined) return;
    const schema = schemas.get(name);
    if (schema === undefined) throw new Error(`unknown schema ${name}`);
    reachable.add(name);
    walk(schema);
  };
  const walk = (schema: JsonSchema): void => {
    const ref = refOf(schema);
    if (ref !== undefined) return visit(ref.slice(SCHEMA_PREFIX.length));
    for (const s of Object.values(schema.properties ?? {})) walk(s);
    if (schema.items !== undefined) walk(schema.items);
    if (typeof schema.additionalProperties === "object") walk(schema.additionalProperties);
    for (const s of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) {
      walk(s);
    }
  };
  for (const r of resources) visit(r.schemaName);

  // Globally unique names: the module listed first keeps the plain name.
  const moduleOrder = ["meta_v1", ...new Set(resources.map((r) => moduleOf(r.schemaName)))];
  const rank = (m: string) => {
    const i = moduleOrder.indexOf(m);
    return i < 0 ? moduleOrder.length : i;
  };
  const ordered = [...reachable].sort((a, b) =>
    rank(moduleOf(a)) - rank(moduleOf(b)) || a.localeCompare(b)
  );
  // Kinds pick their names first (resource.k8s.io's ResourceClaim over core's helper type).
  const kindNames = new Set(resources.map((r) => r.schemaName));
  const naming = [
    ...ordered.filter((n) => kindNames.has(n)),
    ...ordered.filter((n) => !kindNames.has(n)),
  ];
  const taken = new Set(RESERVED);
  for (const [, name] of COMPATIBILITY_ALIASES.map(([m, n]) => [m, n])) taken.add(name!);
  const tsName = new Map<string, string>(Object.entries(HAND_WRITTEN));
  const prefixOf = (module: string) =>
    pascal(module.split("_")[0]!) + pascal(module.slice(module.lastIndexOf("_") + 1));
  for (const name of naming) {
    let ts = simpleName(name);
    if (taken.has(ts)) ts = prefixOf(moduleOf(name)) + ts;
    if (taken.has(ts)) throw new Error(`name ${ts} taken twice`);
    taken.add(ts);
    tsName.set(name, ts);
  }
  const takenDescriptors = new Set<string>();
  for (const r of resources) {
    let name = descriptorName(r.discovery.kind, r.discovery.resource);
    if (takenDescriptors.has(name)) {
      const module = `${groupStem(r.group)}_${r.version}`;
      const prefix = prefixOf(module);
      name = prefix[0]!.toLowerCase() + prefix.slice(1) + name[0]!.toUpperCase() + name.slice(1);
    }
    takenDescriptors.add(name);
    r.descriptor = name;
  }

  // Render each module.
  const files: GeneratedFiles = new Map();
  const modules = new Map<string, string[]>();
  for (const name of ordered) {
    const m = moduleOf(name);
    if (!modules.has(m)) modules.set(m, []);
    modules.get(m)!.push(name);
  }
  for (const [module, names] of modules) {
    const imports = new Map<string, Set<string>>();
    const use = (from: string, name: string) => {
      if (from === module) return;
      if (!imports.has(from)) imports.set(from, new Set());
      imports.get(from)!.add(name);
    };
    const naming: SchemaNaming = {
      ref(ref) {
        const target = ref.slice(SCHEMA_PREFIX.length);
        const ts = tsName.get(target);
        if (ts === undefined) throw new Error(`unnamed schema ${target}`);
        use(HAND_WRITTEN[target] !== undefined ? "meta" : moduleOf(target), ts);
        return ts;
      },
      nested(_schema, path) {
        throw new Error(`inline object schema at ${path.join(".")}`);
      },
    };
    const types: TypeModel[] = [];
    for (const name of names) {
      const schema = schemas.get(name)!;
      const ts = tsName.get(name)!;
      const resource = resources.find((r) => r.schemaName === name);
      const gvk = schema["x-kubernetes-group-version-kind"]?.[0];
      const doc = [`Schema \`${name}\`${gvk === undefined ? "" : ` (kind \`${gvk.kind}\`)`}.`];
      if (resource !== undefined) {
        doc.push(
          "",
          `Served as \`${resource.discovery.resource}\` (${
            resource.namespaced ? "namespaced" : "cluster-scoped"
          }) in \`${
            gvPath(resource.group, resource.version).slice(1)
          }\`; descriptor \`${resource.descriptor}\`.`,
          "",
          `@see {@link ${referenceUrl(resource)}}`,
        );
      }
      if (schema.properties !== undefined && Object.keys(schema.properties).length > 0) {
        const isKind = gvk !== undefined && schema.properties.metadata !== undefined &&
          refOf(schema.properties.metadata)?.endsWith(".ObjectMeta") === true;
        if (isKind) use("meta", "KubeObject");
        types.push({
          form: "interface",
          name: ts,
          doc,
          extends: isKind ? ["KubeObject"] : [],
          // A kind's own fields stay optional even when the spec requires them (the doc says
          // so): transforms and metadata-only lists drop them, and `KubeObject` must stay
          // assignable to every kind, as the informer factory's maps need.
          fields: fieldsOf(
            schema,
            naming,
            [ts],
            isKind ? new Set(["apiVersion", "kind", "metadata"]) : new Set(),
          ).map((f) => (isKind ? { ...f, required: false } : f)),
          rest: schema["x-kubernetes-preserve-unknown-fields"] === true ? "unknown" : undefined,
        });
      } else {
        const facts = fieldDoc(ts, schema, false, naming)[0]!;
        types.push({
          form: "alias",
          name: ts,
          doc: [...doc, "", `Wire type: ${facts.replace(/^`[^`]*`: /, "")}`],
          type: aliasType(name, schema),
        });
      }
    }
    for (const [m, name, target, doc] of COMPATIBILITY_ALIASES) {
      if (m !== module) continue;
      for (const t of target.split(" | ")) {
        const schemaName = [...tsName].find(([, v]) => v === t)?.[0];
        if (schemaName === undefined) throw new Error(`alias target ${t} is not generated`);
        use(moduleOf(schemaName), t);
      }
      types.push({ form: "alias", name, doc: [`${doc} Same as \`${target}\`.`], type: target });
    }
    const own = resources.filter((r) => moduleOf(r.schemaName) === module);
    if (own.length > 0) {
      imports.set("resource", new Set(["defineResource", "ResourceDescriptor"]));
    }
    files.set(
      `${OUTPUT_DIR}${module}.ts`,
      renderModule(fixture, module, groupOfModule.get(module), imports, types, own, tsName),
    );
  }
  files.set(`${OUTPUT_DIR}resources.ts`, renderIndex(fixture, resources, moduleOf));
  return files;
}

/** Types the spec leaves open or models as a string, spelled as kubesnap does. */
function aliasType(name: string, schema: JsonSchema): string {
  if (name === "io.k8s.apimachinery.pkg.api.resource.Quantity") return "string | number";
  // metav1.Time marshals its zero value as JSON null (pod conditions' `lastProbeTime`).
  if (schema.format === "date-time") return "string | null";
  if (schema.format === "int-or-string") return "number | string";
  if (schema.type === "string") return "string";
  if (schema.type === "object") return "Record<string, unknown>";
  if (schema.type === "integer" || schema.type === "number") return "number";
  if (schema.type === "boolean") return "boolean";
  return "unknown";
}

function referenceUrl(r: ResourceFacts): string {
  return `https://kubernetes.io/docs/reference/kubernetes-api/${groupLabel(r.group)}/${
    kebab(r.discovery.kind)
  }-${r.version}/`;
}

const HEADER = (version: string) =>
  `// Generated by \`deno task gen:types\` from the OpenAPI v3 spec of Kubernetes ${version}` +
  " and its\n// discovery. Do not edit: change tests/_tools/gen_types.ts and regenerate.\n";

function listOf(items: readonly string[]): string {
  return items.map((i) => `\`${i}\``).join(", ");
}

function renderModule(
  fixture: DiscoveryFixture,
  module: string,
  group: string | undefined,
  imports: Map<string, Set<string>>,
  types: TypeModel[],
  own: ResourceFacts[],
  tsName: Map<string, string>,
): string {
  const gv = module === "meta_v1"
    ? "apimachinery (`meta/v1`, quantities, int-or-string, raw extensions)"
    : group === undefined
    ? `the \`${module}\` package, referenced by served kinds`
    : `\`${gvPath(group, module.slice(module.lastIndexOf("_") + 1)).slice(1)}\``;
  let text = HEADER(fixture.kubernetesVersion);
  text += `\n/**\n * Types${own.length > 0 ? " and resource descriptors" : ""} of ${gv}`;
  text += own.length > 0 ? `: ${listOf(own.map((r) => r.discovery.kind))}.\n` : ".\n";
  text += " * Optional fields accept `undefined`; field names keep their wire spelling.\n";
  text += " *\n * @module\n */\n\n";
  for (const [from, names] of [...imports].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...names].sort();
    const values = from === "resource" ? ["defineResource"] : [];
    const typeNames = sorted.filter((n) => !values.includes(n));
    const spec = [...values, ...typeNames.map((n) => (values.length > 0 ? `type ${n}` : n))];
    text += values.length > 0
      ? `import { ${spec.join(", ")} } from "./${from}.ts";\n`
      : `import type { ${spec.join(", ")} } from "./${from}.ts";\n`;
  }
  if (imports.size > 0) text += "\n";
  text += renderTypes(types);
  for (const r of own) text += "\n" + renderDescriptor(r, tsName.get(r.schemaName)!);
  return text;
}

function renderDescriptor(r: ResourceFacts, type: string): string {
  const d = r.discovery;
  const facts = [
    `\`${r.group === "" ? r.version : `${r.group}/${r.version}`}\``,
    r.namespaced ? "namespaced" : "cluster-scoped",
  ];
  if (d.shortNames.length > 0) facts.push(`short names ${listOf(d.shortNames)}`);
  if (d.categories.length > 0) facts.push(`categories ${listOf(d.categories)}`);
  facts.push(`verbs ${listOf(d.verbs)}`);
  if (r.subresources.length > 0) facts.push(`subresources ${listOf(r.subresources)}`);
  const fields: string[] = [];
  if (r.group !== "") fields.push(`group: ${JSON.stringify(r.group)}`);
  fields.push(`version: ${JSON.stringify(r.version)}`);
  fields.push(`kind: ${JSON.stringify(d.kind)}`);
  fields.push(`plural: ${JSON.stringify(d.resource)}`);
  if (d.singular !== d.kind.toLowerCase()) fields.push(`singular: ${JSON.stringify(d.singular)}`);
  fields.push(`namespaced: ${r.namespaced}`);
  if (d.shortNames.length > 0) fields.push(`shortNames: ${JSON.stringify(d.shortNames)}`);
  if (d.categories.length > 0) fields.push(`categories: ${JSON.stringify(d.categories)}`);
  fields.push(`subresources: ${JSON.stringify(r.subresources)}`);
  if (d.verbs.join() !== ALL_VERBS) fields.push(`verbs: ${JSON.stringify(d.verbs)}`);
  return `/**
 * ${d.kind} resources, \`${d.resource}\`: ${facts.join(", ")}.
 *
 * @see {@link ${referenceUrl(r)}}
 *
 * @example Reading the descriptor
 * \`\`\`ts
 * import { ${r.descriptor} } from ${PACKAGE};
 * console.log(${r.descriptor}.plural); // "${d.resource}"
 * \`\`\`
 */
export const ${r.descriptor}: ResourceDescriptor<${type}> = defineResource<${type}>({
  ${fields.join(",\n  ")},
});
`;
}

function renderIndex(
  fixture: DiscoveryFixture,
  resources: ResourceFacts[],
  moduleOf: (schemaName: string) => string,
): string {
  let text = HEADER(fixture.kubernetesVersion);
  text += `
/**
 * Typed descriptors of the ${resources.length} built-in resources a kube-apiserver
 * ${fixture.kubernetesVersion} serves in its preferred versions, each re-exported from the module
 * of its API group, {@linkcode KUBERNETES_RESOURCES} listing them all and
 * {@linkcode BUILTIN_RESOURCES} the ones kubesnap has always exported.
 *
 * @example Building a request path from a descriptor
 * \`\`\`ts
 * import { pods } from ${PACKAGE};
 * console.log(\`/api/\${pods.version}/namespaces/default/\${pods.plural}\`);
 * // "/api/v1/namespaces/default/pods"
 * \`\`\`
 *
 * @module
 */

import type { ResourceDescriptor } from "./resource.ts";
`;
  const byModule = new Map<string, string[]>();
  for (const r of resources) {
    const m = moduleOf(r.schemaName);
    if (!byModule.has(m)) byModule.set(m, []);
    byModule.get(m)!.push(r.descriptor);
  }
  for (const [m, names] of byModule) {
    text += `import { ${[...names].sort().join(", ")} } from "./${m}.ts";\n`;
  }
  text += "\n";
  for (const [m, names] of byModule) {
    text += `export { ${[...names].sort().join(", ")} } from "./${m}.ts";\n`;
  }
  const longStanding = LONG_STANDING.map((id) => {
    const r = resources.find((r) => `${r.group}/${r.discovery.resource}` === id);
    if (r === undefined) throw new Error(`${id} is no longer served`);
    return r.descriptor;
  });
  text += `
/**
 * The descriptors of every built-in resource, in discovery order (core group first): the
 * ${resources.length} resources of a kube-apiserver ${fixture.kubernetesVersion}, all of which
 * the fake apiserver serves.
 *
 * @example Finding a descriptor by short name
 * \`\`\`ts
 * import { KUBERNETES_RESOURCES } from ${PACKAGE};
 * const found = KUBERNETES_RESOURCES.find((r) => r.shortNames.includes("hpa"));
 * console.log(found?.apiVersion); // "autoscaling/v2"
 * \`\`\`
 */
export const KUBERNETES_RESOURCES: readonly ResourceDescriptor[] = Object.freeze([
${resources.map((r) => `  ${r.descriptor},`).join("\n")}
]);

/**
 * The ${longStanding.length} descriptors kubesnap has exported from its first release (pods,
 * services, workloads, jobs, ingresses, leases...), core group first; every other resource is
 * in {@linkcode KUBERNETES_RESOURCES}.
 *
 * @example Finding a descriptor by short name
 * \`\`\`ts
 * import { BUILTIN_RESOURCES } from ${PACKAGE};
 * const found = BUILTIN_RESOURCES.find((r) => r.shortNames.includes("deploy"));
 * console.log(found?.plural); // "deployments"
 * \`\`\`
 */
export const BUILTIN_RESOURCES: readonly ResourceDescriptor[] = Object.freeze([
${longStanding.map((d) => `  ${d},`).join("\n")}
]);
`;
  return text;
}

/** Formats generated files with `deno fmt` so that they match what is committed. */
export async function formatFiles(files: GeneratedFiles): Promise<GeneratedFiles> {
  const dir = await Deno.makeTempDir({ prefix: "kubesnap-gen-types-" });
  try {
    const root = new URL("../../", import.meta.url).pathname;
    await Deno.copyFile(`${root}deno.json`, `${dir}/deno.json`);
    for (const [path, text] of files) {
      await Deno.mkdir(`${dir}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${path}`, text);
    }
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", ...[...files.keys()]],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
    const formatted: GeneratedFiles = new Map();
    for (const path of files.keys()) formatted.set(path, await Deno.readTextFile(`${dir}/${path}`));
    return formatted;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The generated files, formatted, from the pinned Kubernetes version. */
export async function generateAll(): Promise<GeneratedFiles> {
  const fixture = await readDiscovery();
  const dir = await specDir(fixture.kubernetesVersion);
  return await formatFiles(await generate(fixture, dir));
}

if (import.meta.main) {
  const root = new URL("../../", import.meta.url);
  const files = await generateAll();
  const check = Deno.args.includes("--check");
  let stale = 0;
  let bytes = 0;
  for (const [path, text] of files) {
    bytes += new TextEncoder().encode(text).length;
    const url = new URL(path, root);
    const current = await Deno.readTextFile(url).catch(() => undefined);
    if (current === text) continue;
    stale++;
    if (check) console.error(`stale: ${path}`);
    else await Deno.writeTextFile(url, text);
  }
  console.log(`${files.size} files, ${bytes} bytes, ${stale} ${check ? "stale" : "written"}`);
  if (check && stale > 0) Deno.exit(1);
}
