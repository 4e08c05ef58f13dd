/**
 * `deno task test:apiserver`: builds (once, cached) and starts a real etcd and kube-apiserver,
 * runs the real-apiserver suites against them, and always stops exactly the processes it started.
 *
 * Suites run in their own `deno test` processes and learn where the server is from the JSON file
 * named by `KUBESNAP_CONTROL_PLANE`. The informer suite runs once per server variant (streaming
 * lists off, their compression off, the watch cache off), restarting kube-apiserver over the same
 * etcd in between.
 *
 * Flags: `--only=NAME[,NAME]` runs some suites (runtime, library, informers, differential,
 * leader-election, all-kinds),
 * `--variants=NAME[,NAME]` some variants, `--serve` starts the control plane and waits (to debug
 * by hand: it prints the kubeconfig path).
 *
 * @module
 */

import { buildControlPlane, startControlPlane } from "./control_plane.ts";

/** Variants of kube-apiserver's flags the informer suite runs under. */
const VARIANTS: Readonly<Record<string, readonly string[]>> = {
  "default": [],
  "no-watch-list": ["--feature-gates=WatchList=false"],
  "no-watch-list-compression": ["--feature-gates=WatchListCompression=false"],
  "no-watch-cache": ["--watch-cache=false"],
};

/** Suites: test files and whether they run under every variant. */
const SUITES: Readonly<Record<string, { files: string[]; everyVariant: boolean }>> = {
  // First: the runtime scenario lists every namespace and needs a cluster without pods.
  runtime: { files: ["tests/real_apiserver/runtime_suite.ts"], everyVariant: false },
  library: { files: ["tests/real_apiserver/library_suite.ts"], everyVariant: false },
  informers: { files: ["tests/real_apiserver/informers_suite.ts"], everyVariant: true },
  differential: { files: ["tests/real_apiserver/differential_suite.ts"], everyVariant: false },
  "leader-election": {
    files: ["tests/real_apiserver/leader_election_suite.ts"],
    everyVariant: false,
  },
  "all-kinds": { files: ["tests/real_apiserver/all_kinds_suite.ts"], everyVariant: false },
};

const args = new Map(
  Deno.args.map((arg) => {
    const [key, value] = arg.replace(/^--/, "").split("=", 2);
    return [key!, value ?? "true"] as const;
  }),
);
const onlySuites = args.get("only")?.split(",") ?? Object.keys(SUITES);
const onlyVariants = args.get("variants")?.split(",") ?? Object.keys(VARIANTS);
for (const name of onlySuites) if (!SUITES[name]) fail(`unknown suite ${name}`);
for (const name of onlyVariants) if (!VARIANTS[name]) fail(`unknown variant ${name}`);

const started = performance.now();
const binDir = await build();
const builtMs = performance.now() - started;
console.log(`control plane binaries in ${binDir} (${(builtMs / 1000).toFixed(1)} s)`);

const plane = await startControlPlane({ binDir, variant: "default" });
const stopOnSignal = () => {
  plane.stop().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", stopOnSignal);
Deno.addSignalListener("SIGTERM", stopOnSignal);
let passed = 0;
let failed = 0;
const timings: string[] = [];
try {
  console.log(`kube-apiserver ready at ${plane.info.server} (kubeconfig ${plane.info.kubeconfig})`);
  if (args.has("serve")) {
    const infoFile = `${plane.info.workDir}/control-plane.json`;
    await Deno.writeTextFile(infoFile, JSON.stringify(plane.info, null, 2));
    console.log(
      `serving until interrupted (Ctrl-C stops etcd and kube-apiserver); run a suite with\n` +
        `  KUBESNAP_CONTROL_PLANE=${infoFile} deno test -A tests/real_apiserver/<suite>_suite.ts`,
    );
    await new Promise(() => {});
  }
  for (const [index, variant] of onlyVariants.entries()) {
    const suites = onlySuites.filter((name) => variant === "default" || SUITES[name]!.everyVariant);
    if (suites.length === 0) continue;
    if (index > 0 || variant !== "default") {
      const restartStart = performance.now();
      await plane.restartApiServer(variant, [...VARIANTS[variant]!]);
      console.log(
        `kube-apiserver restarted as ${variant} in ${
          ((performance.now() - restartStart) / 1000).toFixed(1)
        } s`,
      );
    }
    const infoFile = `${plane.info.workDir}/control-plane.json`;
    await Deno.writeTextFile(infoFile, JSON.stringify(plane.info, null, 2));
    for (const suite of suites) {
      const suiteStart = performance.now();
      const result = await runSuite(SUITES[suite]!.files, infoFile);
      passed += result.passed;
      failed += result.failed;
      timings.push(
        `${suite} [${variant}]: ${result.passed} passed, ${result.failed} failed in ${
          ((performance.now() - suiteStart) / 1000).toFixed(1)
        } s`,
      );
    }
  }
} finally {
  await plane.stop();
  Deno.removeSignalListener("SIGINT", stopOnSignal);
  Deno.removeSignalListener("SIGTERM", stopOnSignal);
}
console.log(`\nreal apiserver suites (${((performance.now() - started) / 1000).toFixed(1)} s):`);
for (const line of timings) console.log(`  ${line}`);
console.log(`real-apiserver: ${passed} passed, ${failed} failed`);
Deno.exit(failed > 0 ? 1 : 0);

/** Builds the binaries (or finds them cached); a failed build ends the run with its reason. */
async function build(): Promise<string> {
  try {
    return await buildControlPlane();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

/** Runs one `deno test` process and reads its summary line. */
async function runSuite(
  files: string[],
  infoFile: string,
): Promise<{ passed: number; failed: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-run",
      "--allow-sys",
      ...files,
    ],
    env: { KUBESNAP_CONTROL_PLANE: infoFile, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    const piece = decoder.decode(chunk, { stream: true });
    text += piece;
    await Deno.stdout.write(chunk);
  }
  const status = await child.status;
  const match = /(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(text);
  const result = match
    ? { passed: Number(match[1]), failed: Number(match[2]) }
    : { passed: 0, failed: 1 };
  if (!status.success && result.failed === 0) result.failed = 1;
  return result;
}

function fail(message: string): never {
  console.error(`test:apiserver: ${message}`);
  Deno.exit(2);
}
