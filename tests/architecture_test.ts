/**
 * Guards the zero-dependency, runtime-neutral rules of the library code:
 * `mod.ts` and `src/` import only relative paths, never use Node-only names,
 * and touch `Deno.` only inside `src/runtime/`; tests import nothing external.
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
