/**
 * The initial sync against a real kube-apiserver (`deno task bench:apiserver`): N realistic pods
 * (about 9 KB of JSON each, server-set managedFields) on kube-apiserver v1.37 + etcd started by
 * the real-apiserver test harness; each figure is the median of fresh processes.
 *
 * ```sh
 * deno task bench:apiserver [--pods 10000] [--runs 5] [--modes informer-stream,bytes-stream]
 * ```
 *
 * Rows: the informer with streaming lists and with LIST pages, next to the floors of the same
 * responses (bytes only; `JSON.parse` and keep), and the streaming list read as gzip. Writes its
 * section of BENCHMARKS.md, which `deno task bench` keeps when it rewrites the rest.
 *
 * @module
 */

import { KubeClient, kubeConfigToClientOptions, parseKubeConfig, pods } from "../mod.ts";
import { summarize } from "./_harness.ts";
import { REAL_APISERVER_HEADING, realApiserverSection } from "./_report.ts";
import { generatePod } from "./_pod_generator.ts";
import { startControlPlane } from "../tests/real_apiserver/control_plane.ts";
import { kubeconfigFor } from "../tests/real_apiserver/_cluster.ts";

const MODES = [
  "informer-stream",
  "informer-pages",
  "bytes-stream",
  "bytes-stream-gzip",
  "parse-stream",
  "bytes-pages",
  "parse-pages",
  "bytes-pages-consistent",
  "parse-pages-consistent",
] as const;

const args = new Map<string, string>();
for (let i = 0; i < Deno.args.length; i++) {
  const arg = Deno.args[i]!;
  if (arg.startsWith("--")) {
    const [key, value] = arg.slice(2).split("=", 2);
    args.set(key!, value ?? Deno.args[++i] ?? "");
  }
}
const podCount = Number(args.get("pods") ?? 10_000);
const runs = Number(args.get("runs") ?? 5);
const modes = (args.get("modes")?.split(",") ?? [...MODES]) as string[];

const build = await new Deno.Command("bash", {
  args: [new URL("../tests/real_apiserver/build.sh", import.meta.url).pathname],
  stdout: "piped",
  stderr: "inherit",
}).output();
if (!build.success) throw new Error("could not build kube-apiserver and etcd");
const binDir = new TextDecoder().decode(build.stdout).trim().split("\n").pop()!;

const plane = await startControlPlane({ binDir });
try {
  const infoFile = `${plane.info.workDir}/control-plane.json`;
  await Deno.writeTextFile(infoFile, JSON.stringify(plane.info));
  const options = kubeConfigToClientOptions(
    parseKubeConfig(kubeconfigFor(plane.info, "admin"), { path: `${plane.info.workDir}/x` }),
  );
  const client = new KubeClient(options);
  const seedStart = performance.now();
  const namespace = "bench";
  await client.request({
    method: "POST",
    path: "/api/v1/namespaces",
    body: { metadata: { name: namespace } },
  }).then((r) => r.body?.cancel());
  const api = client.resource(pods, namespace);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < podCount) {
      const index = next++;
      const pod = generatePod(index, { namespace, managedFields: false });
      delete pod.metadata!.resourceVersion;
      delete pod.metadata!.uid;
      delete pod.metadata!.creationTimestamp;
      await api.create(pod);
    }
  }));
  console.log(
    `seeded ${podCount} pods in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
  );
  const sample = await api.list({ limit: 1 });
  const podBytes = JSON.stringify(sample.items[0]).length;
  client.close();

  const lines: string[] = [];
  const results = new Map<string, number>();
  const failuresByMode = new Map<string, number>();
  const loadBefore = Deno.loadavg()[0]!.toFixed(2);
  for (const mode of modes) {
    const ms: number[] = [];
    const heap: number[] = [];
    let detail = "";
    const failures: string[] = [];
    for (let run = 0; run < runs + 1; run++) {
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--v8-flags=--expose-gc,--max-old-space-size=16384",
          new URL("./_real_apiserver_child.ts", import.meta.url).pathname,
          mode,
          infoFile,
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      const result = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").pop()!);
      if (result.error) {
        failures.push(`${result.error} (${(result.bytes / 1e6).toFixed(1)} MB)`);
        continue;
      }
      if (run === 0) continue; // warm-up: the server's caches, the page cache
      ms.push(result.ms);
      heap.push(result.heapBytes);
      const read = [];
      if (result.objects !== null) read.push(`${result.objects} objects`);
      if (result.bytes > 0) read.push(`${(result.bytes / 1e6).toFixed(1)} MB`);
      detail = read.join(", ");
    }
    failuresByMode.set(mode, failures.length);
    if (ms.length > 0) results.set(mode, summarize(ms).median);
    if (failures.length > 0) {
      detail += `${detail ? "; " : ""}${failures.length} of ${runs + 1} runs: ${failures[0]}`;
    }
    const line = ms.length === 0
      ? `| ${mode} | - | - | ${detail} |`
      : `| ${mode} | ${summarize(ms).median.toFixed(0)} (${summarize(ms).min.toFixed(0)}–${
        summarize(ms).max.toFixed(0)
      }) | ${(summarize(heap).median / 1e6).toFixed(0)} | ${detail} |`;
    console.log(line);
    lines.push(line);
  }
  const median = (mode: string) => results.get(mode);
  const findings: string[] = [];
  const stream = median("bytes-stream");
  const pages = median("bytes-pages-consistent");
  if (stream !== undefined && pages !== undefined) {
    findings.push(
      `The server sends a streaming list ${(stream / pages).toFixed(2)}x as slowly as LIST pages ` +
        `(bytes only: ${stream.toFixed(0)} ms against ${pages.toFixed(0)} ms), so the informer's ` +
        `default is LIST pages.`,
    );
  }
  const informerPages = median("informer-pages");
  const informerStream = median("informer-stream");
  if (informerPages !== undefined && informerStream !== undefined) {
    findings.push(
      `The informer synced in ${informerPages.toFixed(0)} ms with LIST pages (default) and ` +
        `${informerStream.toFixed(0)} ms with a streaming list.`,
    );
  }
  const gzipFailures = failuresByMode.get("bytes-stream-gzip") ?? 0;
  if (modes.includes("bytes-stream-gzip")) {
    findings.push(
      `Streaming lists read with gzip ended without their end bookmark in ${gzipFailures} of ` +
        `${runs + 1} runs; watch requests ask for \`Accept-Encoding: identity\` by default.`,
    );
  }
  const section = [
    REAL_APISERVER_HEADING,
    "",
    `Initial sync of ${podCount} pods of about ${(podBytes / 1000).toFixed(1)} KB of JSON each ` +
    `(server-set managedFields) from kube-apiserver v1.37.2 with its default flags, over TLS ` +
    `on 127.0.0.1; median of ${runs} fresh processes ` +
    `after one warm-up. Command: \`deno task bench:apiserver --pods ${podCount} --runs ${runs}\`, ` +
    `${new Date().toISOString().slice(0, 10)}, load average before ${loadBefore}.`,
    "",
    "Modes: the informer (LIST pages, streaming list); the same requests read as bytes only, " +
    "or with `JSON.parse` and kept; `-consistent` pages are the informer's first LIST (no " +
    "resourceVersion, which the server pages), the others ask for `resourceVersion=0`, which the " +
    "server answers whole whatever the limit.",
    "",
    "| mode | ms (min–max) | heap after, MB | read |",
    "| --- | --- | --- | --- |",
    ...lines,
    "",
    ...findings.map((line) => `- ${line}`),
    "",
  ].join("\n");
  const benchmarks = new URL("../BENCHMARKS.md", import.meta.url);
  const previous = await Deno.readTextFile(benchmarks);
  const old = realApiserverSection(previous);
  const updated = old === ""
    ? `${previous.trimEnd()}\n\n${section}`
    : previous.replace(old, `${section}\n`);
  await Deno.writeTextFile(benchmarks, updated);
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", benchmarks.pathname] })
    .output();
  console.log(section);
} finally {
  await plane.stop();
}
