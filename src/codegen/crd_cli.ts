/**
 * Command line of the CRD generator:
 *
 * ```sh
 * deno task gen:crd path/to/crd.yaml [--out types.ts] [--version v1] [--import SPECIFIER]
 * deno task gen:crd --crd certificates.cert-manager.io [--kubeconfig FILE] [--context NAME] [--out types.ts]
 * ```
 *
 * A file may hold several CRDs (`---` separated, or a `List`): each becomes its own section of
 * the output. Without `--out` the module is printed. Without `--kubeconfig`, `--crd` uses the
 * kubeconfig `KubeClient.autoDetect` finds.
 *
 * @module
 */

import { KubeClient } from "../client/kube_client.ts";
import { parseKubeConfig } from "../client/kube_config.ts";
import { type CliProcess, cliProcess } from "../runtime/cli_process.ts";
import { fetchCrd } from "./crd_source.ts";
import {
  type CustomResourceDefinitionInput,
  generateCrdModule,
  parseCrdDocuments,
} from "./crd_types.ts";

export type { CliProcess };

/** Parsed command line of the CRD generator. */
export interface CrdCliOptions {
  /** CRD files to read. */
  files: string[];
  /** CRD names to read from the cluster. */
  crds: string[];
  /** Kubeconfig file for `crds`. */
  kubeconfig: string | undefined;
  /** Context of that kubeconfig. */
  context: string | undefined;
  /** Output file; printed when undefined. */
  out: string | undefined;
  /** Versions to generate; every served one when empty. */
  versions: string[];
  /** Import specifier of the generated module. */
  importFrom: string | undefined;
}

const USAGE = "usage: gen:crd FILE... | --crd NAME [--kubeconfig FILE] [--context NAME]" +
  " [--out FILE] [--version V] [--import SPECIFIER]";

/**
 * Parses the command line.
 *
 * @param args The arguments, without the program name.
 * @returns The options.
 * @throws {TypeError} On an unknown flag, a flag without its value, or nothing to read.
 *
 * @example Parsing
 * ```ts
 * import { parseCrdCliArgs } from "@kubesnap/kubesnap/codegen/cli";
 * console.log(parseCrdCliArgs(["crd.yaml", "--out", "x.ts"]).out); // "x.ts"
 * ```
 */
export function parseCrdCliArgs(args: readonly string[]): CrdCliOptions {
  const options: CrdCliOptions = {
    files: [],
    crds: [],
    kubeconfig: undefined,
    context: undefined,
    out: undefined,
    versions: [],
    importFrom: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (arg.startsWith("--") && eq > 0) return arg.slice(eq + 1);
      const next = args[++i];
      if (next === undefined) throw new TypeError(`${flag} needs a value; ${USAGE}`);
      return next;
    };
    switch (flag) {
      case "--crd":
        options.crds.push(value());
        break;
      case "--kubeconfig":
        options.kubeconfig = value();
        break;
      case "--context":
        options.context = value();
        break;
      case "--out":
        options.out = value();
        break;
      case "--version":
        options.versions.push(value());
        break;
      case "--import":
        options.importFrom = value();
        break;
      default:
        if (arg.startsWith("-")) throw new TypeError(`unknown flag ${arg}; ${USAGE}`);
        options.files.push(arg);
    }
  }
  if (options.files.length === 0 && options.crds.length === 0) throw new TypeError(USAGE);
  return options;
}

/**
 * Runs the generator: reads the CRDs, generates, writes or prints.
 *
 * @param options The parsed command line.
 * @param cli Files, output and exit of the runtime.
 * @returns The generated text.
 *
 * @example Generating from a file
 * ```ts ignore
 * import { parseCrdCliArgs, runCrdCli } from "@kubesnap/kubesnap/codegen/cli";
 * const files: Record<string, string> = { "crd.yaml": "..." };
 * await runCrdCli(parseCrdCliArgs(["crd.yaml", "--out", "types.ts"]), {
 *   args: [],
 *   readTextFile: (path) => Promise.resolve(files[path]!),
 *   writeTextFile: (path, text) => Promise.resolve(void (files[path] = text)),
 *   makeTempFile: () => Promise.reject(new Error("unused")),
 *   remove: () => Promise.resolve(),
 *   addSignalListener: () => {},
 *   removeSignalListener: () => {},
 *   exit: (code) => {
 *     throw new Error(`exit ${code}`);
 *   },
 * });
 * ```
 */
export async function runCrdCli(options: CrdCliOptions, cli: CliProcess): Promise<string> {
  const found: { crd: CustomResourceDefinitionInput; source: string }[] = [];
  for (const file of options.files) {
    for (const crd of parseCrdDocuments(await cli.readTextFile(file), file)) {
      found.push({
        crd,
        source: `${basename(file)} (${crd.metadata?.name ?? crd.spec.names.plural})`,
      });
    }
  }
  if (options.crds.length > 0) {
    const client = options.kubeconfig === undefined
      ? await KubeClient.autoDetect(
        options.context === undefined ? {} : { context: options.context },
      )
      : KubeClient.fromKubeConfig(
        parseKubeConfig(await cli.readTextFile(options.kubeconfig), {
          path: options.kubeconfig,
        }),
        options.context === undefined ? {} : { context: options.context },
      );
    for (const name of options.crds) {
      found.push({ crd: await fetchCrd(client, name), source: `the cluster's CRD ${name}` });
    }
  }
  const modules = found.map(({ crd, source }, i) => {
    const text = generateCrdModule(crd, {
      source,
      ...(options.versions.length > 0 ? { versions: options.versions } : {}),
      ...(options.importFrom === undefined ? {} : { importFrom: options.importFrom }),
    });
    // Several CRDs in one module share one import line.
    return i === 0 ? text : text.slice(text.indexOf("\n/**", text.indexOf("import ")));
  });
  const text = modules.join("\n");
  if (options.out === undefined) console.log(text);
  else await cli.writeTextFile(options.out, text);
  return text;
}

function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

if (import.meta.main) {
  const cli = cliProcess();
  if (cli === undefined) throw new Error("gen:crd needs a runtime with files (Deno)");
  try {
    await runCrdCli(parseCrdCliArgs(cli.args), cli);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    cli.exit(1);
  }
}
