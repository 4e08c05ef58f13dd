/**
 * Guards the zero-dependency, runtime-neutral rules of the library code:
 * `mod.ts` and `src/` import only relative paths, never use Node-only names,
 * and touch `Deno.` only inside `src/runtime/`; tests import nothing external.
 * Also guards the direction of dependencies (DESIGN.md, "Data flow"): no
 * file of `mod.ts`/`src/` imports one that imports it back, and each folder
 * imports only the folders listed for it in {@linkcode MAY_IMPORT}.
 */

import { assertEquals } from "./_helpers/assert.ts";

const root = new URL("../", import.meta.url);

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url);
    else if (entry.name.endsWith(".ts")) yield url;
  }
}

async function sources(...dirs: string[]): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const dir of dirs) {
    const url = new URL(dir, root);
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(url);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw err;
    }
    const files = stat.isDirectory ? walk(url) : (async function* () {
      yield url;
    })();
    for await (const file of files) {
      out.push({ path: file.href.slice(root.href.length), text: await Deno.readTextFile(file) });
    }
  }
  return out;
}

/** Removes comments and string/template contents so that only code is inspected. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:])\/\/.*$/gm, "$1");
}

const IMPORT_SPECIFIER =
  /(?:^|\s)(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;

function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT_SPECIFIER)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec) found.push(spec);
  }
  return found;
}

Deno.test("mod.ts and src/ import only relative paths", async () => {
  const offenders: string[] = [];
  for (const { path, text } of await sources("mod.ts", "src/")) {
    for (const spec of specifiers(codeOnly(text))) {
      if (!spec.startsWith("./") && !spec.startsWith("../")) offenders.push(`${path}: ${spec}`);
    }
  }
  assertEquals(offenders, []);
});

Deno.test("tests, examples and bench import only relative paths", async () => {
  const offenders: string[] = [];
  for (const { path, text } of await sources("tests/", "examples/", "bench/")) {
    // bench/compare/ runs other JavaScript clients next to kubesnap to compare them;
    // it imports them from npm and is never part of the library or its tests.
    if (path.startsWith("bench/compare/")) continue;
    for (const spec of specifiers(codeOnly(text))) {
      if (!spec.startsWith("./") && !spec.startsWith("../")) offenders.push(`${path}: ${spec}`);
    }
  }
  assertEquals(offenders, []);
});

Deno.test("src/ uses no Node-only globals", async () => {
  const offenders: string[] = [];
  const nodeOnly = /\b(process\.|Buffer\b|require\s*\(|__dirname|__filename|EventEmitter)/;
  for (const { path, text } of await sources("mod.ts", "src/")) {
    const lines = codeOnly(text).split("\n");
    lines.forEach((line, i) => {
      if (nodeOnly.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
    });
  }
  assertEquals(offenders, []);
});

Deno.test("src/ touches Deno only inside src/runtime/", async () => {
  const offenders: string[] = [];
  for (const { path, text } of await sources("mod.ts", "src/")) {
    if (path.startsWith("src/runtime/")) continue;
    const lines = codeOnly(text).split("\n");
    lines.forEach((line, i) => {
      if (/\bDeno\s*[.?[]/.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
    });
  }
  assertEquals(offenders, []);
});

Deno.test("both entry points load in a runtime without the Deno global", async () => {
  const script = `
    Reflect.deleteProperty(globalThis, "Deno");
    const main = await import(${JSON.stringify(new URL("mod.ts", root).href)});
    const testing = await import(${JSON.stringify(new URL("src/testing/mod.ts", root).href)});
    console.log(JSON.stringify([Object.keys(main).length, Object.keys(testing).length]));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assertEquals(output.success, true, stderr);
  const [mainExports, testingExports] = JSON.parse(new TextDecoder().decode(output.stdout));
  assertEquals(mainExports > 0 && testingExports > 0, true);
});

// ---------------------------------------------------------------------------
// Direction of dependencies

/**
 * Which folders of `src/` each folder (and `mod.ts`) may import, type-only
 * imports and re-exports included. The core is a chain, each folder importing
 * only itself and the folders before it: api, client, watch, cache, informer,
 * controller.
 * `_internal` is shared by all and sits just above `api`; `runtime` is an
 * edge the core may use but that uses nothing of it; `testing` is the other
 * edge: it may use anything, and nothing in `src/` or `mod.ts` uses it.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  api: ["api"],
  _internal: ["api", "_internal"],
  runtime: ["api", "_internal", "runtime"],
  client: ["api", "_internal", "runtime", "client"],
  watch: ["api", "_internal", "runtime", "client", "watch"],
  cache: ["api", "_internal", "client", "watch", "cache"],
  informer: ["api", "_internal", "runtime", "client", "watch", "cache", "informer"],
  controller: ["api", "_internal", "runtime", "client", "watch", "cache", "informer", "controller"],
  testing: ["api", "_internal", "runtime", "client", "watch", "cache", "informer", "testing"],
  codegen: ["api", "_internal", "runtime", "client", "codegen"],
  "mod.ts": ["api", "_internal", "runtime", "client", "watch", "cache", "informer", "controller"],
};

/** `mod.ts`, or the folder of `src/` a root-relative path is in; undefined outside the library. */
function layerOf(path: string): string | undefined {
  if (path === "mod.ts") return "mod.ts";
  return /^src\/([^/]+)\//.exec(path)?.[1];
}

/** Root-relative file to the root-relative files of `mod.ts`/`src/` it imports. */
type ImportGraph = Map<string, string[]>;

async function libraryImports(): Promise<ImportGraph> {
  const graph: ImportGraph = new Map();
  for (const { path, text } of await sources("mod.ts", "src/")) {
    const targets = specifiers(codeOnly(text))
      .filter((spec) => spec.startsWith("./") || spec.startsWith("../"))
      .map((spec) => new URL(spec, new URL(path, root)).href.slice(root.href.length));
    graph.set(path, [...new Set(targets)]);
  }
  return graph;
}

/**
 * Every import cycle of `graph`, each as the path that leaves a file and
 * comes back to it (`["a.ts", "b.ts", "a.ts"]`), starting at its smallest
 * file so that one cycle is reported once.
 */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found = new Map<string, string[]>();
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (node: string): void => {
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (onStack.has(next)) {
        const loop = stack.slice(stack.indexOf(next));
        const start = loop.indexOf([...loop].sort()[0]!);
        const rotated = [...loop.slice(start), ...loop.slice(0, start)];
        found.set(rotated.join(" -> "), [...rotated, rotated[0]!]);
      } else if (!done.has(next) && graph.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    onStack.delete(node);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) {
    if (!done.has(node)) visit(node);
  }
  return [...found.values()].sort((a, b) => a.join().localeCompare(b.join()));
}

Deno.test("findCycles finds a cycle and its path, and nothing in a chain", () => {
  const graph = new Map([
    ["src/a.ts", ["src/b.ts"]],
    ["src/b.ts", ["src/c.ts"]],
    ["src/c.ts", ["src/a.ts", "src/d.ts"]],
    ["src/d.ts", []],
    ["src/e.ts", ["src/e.ts"]],
  ]);
  assertEquals(findCycles(graph), [
    ["src/a.ts", "src/b.ts", "src/c.ts", "src/a.ts"],
    ["src/e.ts", "src/e.ts"],
  ]);
  assertEquals(findCycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]])), []);
});

Deno.test("no file of mod.ts and src/ imports one that imports it back", async () => {
  const cycles = findCycles(await libraryImports()).map((cycle) => cycle.join(" -> "));
  assertEquals(cycles, []);
});

Deno.test("each folder of src/ imports only the folders below it", async () => {
  const offenders: string[] = [];
  for (const [path, targets] of await libraryImports()) {
    const from = layerOf(path);
    const allowed = from === undefined ? undefined : MAY_IMPORT[from];
    if (allowed === undefined) {
      offenders.push(`${path}: its folder has no entry in MAY_IMPORT`);
      continue;
    }
    for (const target of targets) {
      const to = layerOf(target);
      if (to === undefined || !allowed.includes(to)) {
        offenders.push(`${path} imports ${target} (${from} -> ${to ?? "outside the library"})`);
      }
    }
  }
  assertEquals(offenders, []);
});
