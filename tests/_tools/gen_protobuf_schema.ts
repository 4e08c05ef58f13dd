/**
 * Generates `src/testing/_protobuf_schema.ts`: the protobuf field table of
 * every message reachable from the kinds the fake apiserver serves, read
 * from the `generated.proto` files of the `k8s.io/api` and
 * `k8s.io/apimachinery` Go modules in the local Go module cache.
 *
 * The `.proto` files give field numbers, wire types and message types. They
 * do not say which zero values JSON keeps (those of Go pointers, which are
 * on the wire only when set, and of fields without `omitempty`; the others
 * are on the wire but left out of JSON), nor which fields are embedded and inlined in JSON
 * (`Volume.volumeSource`): both come from the `protobuf:"…"` and `json:"…"`
 * struct tags of the `types.go` files next to each `.proto` file.
 *
 * Usage: `deno task gen:protobuf-schema [--check]` (fetch the modules first
 * with `go mod download -json k8s.io/api@v0.37.2 k8s.io/apimachinery@v0.37.2`).
 *
 * @module
 */

import { BUILTIN_RESOURCES } from "../../src/api/resources.ts";
import type { ResourceDescriptor } from "../../src/api/resource.ts";
import { FAKE_ONLY_RESOURCES } from "../../src/testing/_discovery.ts";

/** Module versions the table is generated from. */
export const API_MODULE = "k8s.io/api@v0.37.2";
/** The apimachinery module version. */
export const APIMACHINERY_MODULE = "k8s.io/apimachinery@v0.37.2";

/** Where the generated table is committed. */
export const SCHEMA_PATH: string =
  new URL("../../src/testing/_protobuf_schema.ts", import.meta.url).pathname;

const SCALARS = new Set([
  "string",
  "bool",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "sint32",
  "sint64",
  "double",
  "float",
  "fixed32",
  "fixed64",
  "sfixed32",
  "sfixed64",
  "bytes",
]);

/** Messages with a JSON form of their own (see the decoder for each). */
const SPECIAL: Readonly<Record<string, string>> = {
  "k8s.io.apimachinery.pkg.api.resource.Quantity": "=Quantity",
  "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "=Time",
  "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "=MicroTime",
  "k8s.io.apimachinery.pkg.apis.meta.v1.Duration": "=Duration",
  "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "=FieldsV1",
  "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "=IntOrString",
  "k8s.io.apimachinery.pkg.runtime.RawExtension": "=RawExtension",
};

interface ProtoField {
  name: string;
  number: number;
  label: "optional" | "repeated" | "map";
  /** Scalar name or fully qualified message name (value type for maps). */
  type: string;
}

interface ProtoMessage {
  fullName: string;
  /** Directory of the Go package, for its types.go. */
  dir: string;
  fields: ProtoField[];
}

interface GoField {
  /** A pointer, or a field without `omitempty`: JSON keeps its zero value. */
  keepsZero: boolean;
  inline: boolean;
  jsonName: string | undefined;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

/** Parses one generated.proto: its package, imports and messages. */
export function parseProto(
  text: string,
  dir: string,
): { pkg: string; imports: string[]; messages: ProtoMessage[] } {
  const body = stripComments(text);
  const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(body)?.[1];
  if (pkg === undefined) throw new Error(`no package in ${dir}`);
  const imports = [...body.matchAll(/^\s*import\s+"([^"]+)"\s*;/gm)].map((m) => m[1]!);
  const messages: ProtoMessage[] = [];
  for (const m of body.matchAll(/^message\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const fields: ProtoField[] = [];
    for (const line of m[2]!.split("\n")) {
      const t = line.trim();
      if (t === "") continue;
      let f = /^map<\s*(\w+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;$/.exec(t);
      if (f !== null) {
        if (f[1] !== "string") throw new Error(`${m[1]}.${f[3]}: map key ${f[1]} is not supported`);
        fields.push({ name: f[3]!, number: Number(f[4]), label: "map", type: resolve(f[2]!, pkg) });
        continue;
      }
      f = /^(optional|repeated)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;$/.exec(t);
      if (f === null) throw new Error(`cannot parse field "${t}" in ${pkg}.${m[1]}`);
      fields.push({
        name: f[3]!,
        number: Number(f[4]),
        label: f[1] as "optional" | "repeated",
        type: resolve(f[2]!, pkg),
      });
    }
    messages.push({ fullName: `${pkg}.${m[1]}`, dir, fields });
  }
  return { pkg, imports, messages };
}

function resolve(type: string, pkg: string): string {
  if (SCALARS.has(type)) return type;
  if (type.startsWith(".")) return type.slice(1);
  return `${pkg}.${type}`;
}

/**
 * Reads the Go struct tags of a package: struct name → protobuf field
 * number → pointer-ness, inlining and JSON name.
 */
export function parseGoTypes(text: string): Map<string, Map<number, GoField>> {
  const structs = new Map<string, Map<number, GoField>>();
  for (const m of text.matchAll(/^type\s+(\w+)\s+struct\s*\{[ \t]*\n([\s\S]*?)^\}/gm)) {
    const fields = new Map<number, GoField>();
    for (const line of m[2]!.split("\n")) {
      const f = /^\s*(?:(\w+)\s+)?(\*?[\w.\[\]*]+)\s+`([^`]*)`/.exec(line);
      if (f === null) continue;
      const tag = f[3]!;
      const proto = /protobuf:"\w+,(\d+),/.exec(tag);
      if (proto === null) continue;
      const json = /json:"([^"]*)"/.exec(tag)?.[1];
      const jsonName = json?.split(",")[0];
      const embedded = f[1] === undefined;
      fields.set(Number(proto[1]), {
        keepsZero: f[2]!.startsWith("*") || !(json?.split(",").includes("omitempty") ?? false),
        inline: (embedded && (jsonName === undefined || jsonName === "")) ||
          (json?.split(",").includes("inline") ?? false),
        jsonName: jsonName === "" ? undefined : jsonName,
      });
    }
    structs.set(m[1]!, fields);
  }
  return structs;
}

function shortName(fullName: string): string {
  const special = SPECIAL[fullName];
  if (special !== undefined) return special;
  if (fullName.startsWith("k8s.io.api.")) return fullName.slice("k8s.io.api.".length);
  if (fullName.startsWith("k8s.io.apimachinery.pkg.apis.")) {
    return fullName.slice("k8s.io.apimachinery.pkg.apis.".length);
  }
  if (fullName.startsWith("k8s.io.apimachinery.pkg.")) {
    return fullName.slice("k8s.io.apimachinery.pkg.".length);
  }
  return fullName;
}

/** The Go package directory of a group version in k8s.io/api. */
function apiDir(d: ResourceDescriptor): string {
  if (d.group === "") return `core/${d.version}`;
  const group = d.group === "rbac.authorization.k8s.io"
    ? "rbac"
    : d.group.replace(/\.k8s\.io$/, "");
  return `${group}/${d.version}`;
}

/** The Go module cache: `$GOMODCACHE`, `go env GOMODCACHE`, or `~/go/pkg/mod`. */
export async function goModuleCache(): Promise<string | undefined> {
  const fromEnv = Deno.env.get("GOMODCACHE");
  if (fromEnv) return fromEnv;
  try {
    const out = await new Deno.Command("go", {
      args: ["env", "GOMODCACHE"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const dir = new TextDecoder().decode(out.stdout).trim();
    if (out.success && dir !== "") return dir;
  } catch {
    // no go on PATH: fall through to the default location
  }
  const home = Deno.env.get("HOME");
  return home === undefined ? undefined : `${home}/go/pkg/mod`;
}

/** The directories holding the two modules, or undefined when either is missing. */
export async function moduleDirs(
  cache: string,
): Promise<{ api: string; apimachinery: string } | undefined> {
  const api = `${cache}/${API_MODULE}`;
  const apimachinery = `${cache}/${APIMACHINERY_MODULE}`;
  for (const dir of [api, apimachinery]) {
    try {
      await Deno.stat(`${dir}/${dir === api ? "core/v1" : "pkg/apis/meta/v1"}/generated.proto`);
    } catch {
      return undefined;
    }
  }
  return { api, apimachinery };
}

async function readGoTypes(dir: string): Promise<Map<string, Map<number, GoField>>> {
  const all = new Map<string, Map<number, GoField>>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".go") || entry.name.endsWith("_test.go")) continue;
    if (entry.name.startsWith("zz_generated") || entry.name.includes(".pb.")) continue;
    for (const [k, v] of parseGoTypes(await Deno.readTextFile(`${dir}/${entry.name}`))) {
      all.set(k, v);
    }
  }
  return all;
}

/** Generates the schema module's source text. */
export async function generateSchema(
  dirs: { api: string; apimachinery: string },
  resources: readonly ResourceDescriptor[] = [...BUILTIN_RESOURCES, ...FAKE_ONLY_RESOURCES],
): Promise<string> {
  const messages = new Map<string, ProtoMessage>();
  const loaded = new Set<string>();
  const load = async (importPath: string): Promise<void> => {
    if (loaded.has(importPath)) return;
    loaded.add(importPath);
    let file: string;
    if (importPath.startsWith("k8s.io/api/")) {
      file = `${dirs.api}/${importPath.slice("k8s.io/api/".length)}`;
    } else if (importPath.startsWith("k8s.io/apimachinery/")) {
      file = `${dirs.apimachinery}/${importPath.slice("k8s.io/apimachinery/".length)}`;
    } else throw new Error(`unknown import ${importPath}`);
    const dir = file.slice(0, file.lastIndexOf("/"));
    const parsed = parseProto(await Deno.readTextFile(file), dir);
    for (const m of parsed.messages) messages.set(m.fullName, m);
    for (const i of parsed.imports) await load(i);
  };
  const kinds: [string, string][] = [];
  for (const d of resources) {
    const dir = apiDir(d);
    await load(`k8s.io/api/${dir}/generated.proto`);
    const full = `k8s.io.api.${dir.replace("/", ".")}.${d.kind}`;
    if (!messages.has(full)) throw new Error(`no message ${full} for ${d.apiVersion} ${d.kind}`);
    kinds.push([`${d.apiVersion}/${d.kind}`, shortName(full)]);
  }

  // Every message reachable from the kinds, in first-visit order.
  const reachable: ProtoMessage[] = [];
  const seen = new Set<string>();
  const queue = kinds.map(([, short]) => short);
  const byShort = new Map([...messages.values()].map((m) => [shortName(m.fullName), m]));
  while (queue.length > 0) {
    const short = queue.shift()!;
    if (seen.has(short) || short.startsWith("=")) continue;
    seen.add(short);
    const m = byShort.get(short);
    if (m === undefined) throw new Error(`unknown message ${short}`);
    reachable.push(m);
    for (const f of m.fields) if (!SCALARS.has(f.type)) queue.push(shortName(f.type));
  }

  const goTypes = new Map<string, Map<string, Map<number, GoField>>>();
  const missingStructs: string[] = [];
  const renamed: string[] = [];
  const lines: string[] = [];
  for (const m of reachable) {
    let structs = goTypes.get(m.dir);
    if (structs === undefined) {
      structs = await readGoTypes(m.dir);
      goTypes.set(m.dir, structs);
    }
    const goName = m.fullName.slice(m.fullName.lastIndexOf(".") + 1);
    const goFields = structs.get(goName);
    if (goFields === undefined) missingStructs.push(m.fullName);
    const fields = m.fields.map((f) => {
      const go = goFields?.get(f.number);
      const type = SCALARS.has(f.type) ? f.type : shortName(f.type);
      let flags = 0;
      if (f.label === "repeated") flags |= 1;
      if (f.label === "map") flags |= 2;
      if (go?.keepsZero) flags |= 4;
      if (go?.inline) flags |= 8;
      const jsonName = go?.inline ? "" : go?.jsonName ?? f.name;
      if (jsonName !== f.name && !go?.inline) renamed.push(`${m.fullName}.${f.name}→${jsonName}`);
      const tuple = [f.number, jsonName, type];
      if (flags !== 0) tuple.push(flags);
      return JSON.stringify(tuple);
    });
    lines.push(`  ${JSON.stringify(shortName(m.fullName))}: [${fields.join(", ")}],`);
  }

  if (Deno.env.get("GEN_VERBOSE")) console.error({ missingStructs, renamed });
  return `// deno-fmt-ignore-file
// Generated by tests/_tools/gen_protobuf_schema.ts from the generated.proto and
// types.go files of ${API_MODULE} and ${APIMACHINERY_MODULE}. Do not edit:
// run \`deno task gen:protobuf-schema\`.

/**
 * The protobuf schema of the kinds the fake apiserver serves, for
 * \`_protobuf_decoder.ts\`.
 *
 * @module
 */

/**
 * One field: number, JSON name ("" when inlined), type, and flags (bit 1
 * repeated, 2 map with string keys, 4 zero values kept (a Go pointer, or no \`omitempty\`),
 * 8 embedded and inlined into the parent in JSON). A type is a scalar
 * (\`string\`, \`int64\`, …), a special JSON form (\`=Time\`, \`=Quantity\`, …)
 * or a message name in {@linkcode PROTOBUF_MESSAGES}.
 */
export type ProtobufField = readonly [number, string, string, number?];

/** \`apiVersion/kind\` → message name. */
export const PROTOBUF_KINDS: Readonly<Record<string, string>> = {
${kinds.map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`).join("\n")}
};

/** Message name → fields, in Go struct (and so JSON) order. */
export const PROTOBUF_MESSAGES: Readonly<Record<string, readonly ProtobufField[]>> = {
${lines.join("\n")}
};
`;
}

/** Generates the schema; undefined when the modules are not in the cache. */
export async function freshSchema(): Promise<string | undefined> {
  const cache = await goModuleCache();
  if (cache === undefined) return undefined;
  const dirs = await moduleDirs(cache);
  if (dirs === undefined) return undefined;
  return await generateSchema(dirs);
}

if (import.meta.main) {
  const source = await freshSchema();
  if (source === undefined) {
    console.error(
      `the Go module cache has no ${API_MODULE} or ${APIMACHINERY_MODULE}; run: ` +
        `go mod download -json ${API_MODULE} ${APIMACHINERY_MODULE}`,
    );
    Deno.exit(1);
  }
  if (Deno.args.includes("--check")) {
    const committed = await Deno.readTextFile(SCHEMA_PATH).catch(() => "");
    if (committed !== source) {
      console.error(`${SCHEMA_PATH} is out of date: run deno task gen:protobuf-schema`);
      Deno.exit(1);
    }
    console.log(`${SCHEMA_PATH} is up to date`);
  } else {
    await Deno.writeTextFile(SCHEMA_PATH, source);
    console.log(`wrote ${SCHEMA_PATH} (${new TextEncoder().encode(source).length} bytes)`);
  }
}
