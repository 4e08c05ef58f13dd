/**
 * Bundles the library and the runtime entry points with `deno bundle`, for the runtime matrix
 * and the real-apiserver runtime suite.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url);
const HERE = new URL("./", import.meta.url);
const path = (url: URL) => decodeURIComponent(url.pathname);

async function deno(args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: path(ROOT),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`deno ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
}

/**
 * Bundles `mod.ts` into `OUT/kubesnap.bundle.js` and each entry point of this folder (with the
 * library left external) into `OUT/<entry>.js`, whose import of `../../mod.ts` becomes
 * `./kubesnap.bundle.js`.
 */
export async function bundleRuntimeEntries(
  out: URL,
  entries: readonly string[],
): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(new URL("package.json", out), '{ "type": "module" }\n');
  const bundle = new URL("kubesnap.bundle.js", out);
  await deno(["bundle", "--quiet", "--platform", "browser", "-o", path(bundle), "mod.ts"]);
  const text = await Deno.readTextFile(bundle);
  const imports = text.match(/^\s*import\b.*$/gm) ?? [];
  if (imports.length > 0) throw new Error(`the bundle imports something: ${imports.join("; ")}`);
  if (/\brequire\s*\(|\bprocess\.|\bBuffer\b/.test(text)) {
    throw new Error("the bundle refers to require, process or Buffer");
  }
  await Promise.all(entries.map(async (entry) => {
    const file = new URL(`${entry}.js`, out);
    await deno([
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--external",
      "../../mod.ts",
      "-o",
      path(file),
      path(new URL(`${entry}.ts`, HERE)),
    ]);
    const code = await Deno.readTextFile(file);
    const parts = code.split('from "../../mod.ts"');
    if (parts.length !== 2) {
      throw new Error(`${entry}.js should import ../../mod.ts once, found ${parts.length - 1}`);
    }
    await Deno.writeTextFile(file, parts.join('from "./kubesnap.bundle.js"'));
  }));
  return { bytes: new TextEncoder().encode(text).length, ms: performance.now() - started };
}
