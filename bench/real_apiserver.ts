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
 * responses (bytes only; `JSON.parse` and keep), and the streaming list read as gzip. Writes
 * `bench/results/real_apiserver.md`.
 *
 * @module
 */

import { KubeClient, kubeConfigToClientOptions, parseKubeConfig, pods } from "../mod.ts";
import { summarize } from "./_harness.ts";
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
  const report = [
    `# Initial sync against a real kube-apiserver`,
    "",
    `${podCount} pods of about ${
      (podBytes / 1000).toFixed(1)
    } KB of JSON each, kube-apiserver ${plane.info.variant} flags, 127.0.0.1, TLS; median of ${runs} fresh processes after one warm-up.`,
    `Command: \`deno task bench:apiserver --pods ${podCount} --runs ${runs}\`.`,
    "",
    "| mode | ms (min–max) | heap after, MB | read |",
    "| --- | --- | --- | --- |",
    ...lines,
    "",
  ].join("\n");
  await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await Deno.writeTextFile(new URL("./results/real_apiserver.md", import.meta.url), report);
  console.log(report);
} finally {
  await plane.stop();
}
