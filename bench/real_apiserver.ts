/**
 * The initial sync against a real kube-apiserver (`deno task bench:apiserver`): N realistic pods
 * (about 9 KB of JSON each, server-set managedFields) on kube-apiserver v1.37 + etcd started by
 * the real-apiserver test harness; each figure is the median of fresh processes.
 *
 * ```sh
 * deno task bench:apiserver [--pods 10000] [--runs 5] [--modes informer-stream,bytes-stream]
 * ```
 *
 * Rows: the informer with streaming lists and with LIST pages, with and without
 * `dropManagedFields`, next to the floors of the same responses (bytes only; `JSON.parse` and
 * keep), the streaming list read as gzip, and client-go's pod informer (protobuf, protobuf with
 * managedFields dropped, JSON; `bench/clientgo/`). The modes take turns, one warm-up round
 * first. Writes its section of BENCHMARKS.md, which `deno task bench` keeps when it rewrites the
 * rest, `bench/real_apiserver.json`, and redraws `bench/chart.svg`.
 *
 * @module
 */

import { KubeClient, kubeConfigToClientOptions, parseKubeConfig, pods } from "../mod.ts";
import { summarize } from "./_harness.ts";
import { REAL_APISERVER_HEADING, realApiserverSection } from "./_report.ts";
import { type RealApiserverResult, writeChart } from "./_chart.ts";
import { generatePod } from "./_pod_generator.ts";
import { buildControlPlane, startControlPlane } from "../tests/real_apiserver/control_plane.ts";
import { kubeconfigFor } from "../tests/real_apiserver/_cluster.ts";

const MODES = [
  "informer-stream",
  "informer-pages",
  "informer-stream-drop",
  "informer-pages-drop",
  "clientgo-protobuf",
  "clientgo-protobuf-drop",
  "clientgo-json",
  "bytes-stream",
  "bytes-stream-gzip",
  "parse-stream",
  "bytes-pages",
  "parse-pages",
  "bytes-pages-consistent",
  "parse-pages-consistent",
  "bytes-pages-protobuf",
  "bytes-pages-consistent-protobuf",
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
const command = `deno task bench:apiserver${Deno.args.length > 0 ? ` ${Deno.args.join(" ")}` : ""}`;
const runs = Number(args.get("runs") ?? 5);
const modes = (args.get("modes")?.split(",") ?? [...MODES]) as string[];

const binDir = await buildControlPlane();

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

  const kubeconfigFile = `${plane.info.workDir}/admin.kubeconfig`;
  await Deno.writeTextFile(kubeconfigFile, kubeconfigFor(plane.info, "admin"));
  const clientGo = modes.some((m) => m.startsWith("clientgo-")) ? await buildClientGo() : "";

  // Runs go round-robin over the modes (one warm-up round first), so that the load of a
  // shared machine falls on every mode alike.
  const loadBefore = Deno.loadavg()[0]!.toFixed(2);
  const measured = new Map<string, ModeRuns>(
    modes.map((m) => [m, { ms: [], heap: [], failures: [], objects: null, bytes: 0 }]),
  );
  for (let run = 0; run < runs + 1; run++) {
    for (const mode of modes) {
      const result = await measure(mode, infoFile, kubeconfigFile, clientGo);
      const into = measured.get(mode)!;
      if (result.error) {
        into.failures.push(`${result.error} (${((result.bytes ?? 0) / 1e6).toFixed(1)} MB)`);
        continue;
      }
      if (run === 0) continue; // warm-up: the server's caches, the page cache
      into.ms.push(result.ms);
      into.heap.push(result.heapBytes);
      into.objects = result.objects ?? null;
      into.bytes = result.bytes ?? 0;
    }
    console.log(`round ${run} of ${runs} done`);
  }
  const loadAfter = Deno.loadavg()[0]!.toFixed(2);

  const lines: string[] = [];
  const results = new Map<string, number>();
  const heaps = new Map<string, number>();
  const failuresByMode = new Map<string, number>();
  const json: RealApiserverResult = {
    date: new Date().toISOString(),
    pods: podCount,
    podBytes,
    runs,
    load: `${loadBefore} / ${loadAfter}`,
    modes: {},
  };
  for (const mode of modes) {
    const { ms, heap, failures, objects, bytes } = measured.get(mode)!;
    failuresByMode.set(mode, failures.length);
    const read = [];
    if (objects !== null && Number.isFinite(objects)) read.push(`${objects} objects`);
    if (bytes > 0) read.push(`${(bytes / 1e6).toFixed(1)} MB`);
    let detail = read.join(", ");
    if (failures.length > 0) {
      detail += `${detail ? "; " : ""}${failures.length} of ${runs + 1} runs: ${failures[0]}`;
    }
    if (ms.length > 0) {
      const time = summarize(ms);
      const memory = summarize(heap);
      results.set(mode, time.median);
      heaps.set(mode, memory.median);
      json.modes[mode] = {
        ms: time.median,
        minMs: time.min,
        maxMs: time.max,
        heapBytes: memory.median,
        objects: objects !== null && Number.isFinite(objects) ? objects : null,
      };
    }
    const line = ms.length === 0
      ? `| ${mode} | - | - | - | ${detail} |`
      : `| ${mode} | ${summarize(ms).median.toFixed(0)} (${summarize(ms).min.toFixed(0)}–${
        summarize(ms).max.toFixed(0)
      }) | ${(summarize(heap).median / 1e6).toFixed(0)} | ${
        (summarize(heap).median / podCount).toFixed(0)
      } | ${detail} |`;
    console.log(line);
    lines.push(line);
  }
  const median = (mode: string) => results.get(mode);
  const findings: string[] = [];
  const peer = median("clientgo-protobuf");
  const peerHeap = heaps.get("clientgo-protobuf");
  for (const mode of ["informer-pages-drop", "informer-stream-drop", "informer-pages"]) {
    const ours = median(mode);
    const ourHeap = heaps.get(mode);
    if (ours === undefined || peer === undefined || ourHeap === undefined) continue;
    if (peerHeap === undefined) continue;
    const time = ours / peer;
    const heap = ourHeap / peerHeap;
    findings.push(
      `${mode} against client-go with protobuf: sync ${time.toFixed(2)}x its time ` +
        `(${ours.toFixed(0)} ms against ${peer.toFixed(0)} ms; target <= 1.00x: ` +
        `${time <= 1 ? "met" : "MISSED"}), heap ${heap.toFixed(2)}x (${
          (ourHeap / 1e6).toFixed(0)
        } MB against ${(peerHeap / 1e6).toFixed(0)} MB; target <= 0.50x: ${
          heap <= 0.5 ? "met" : "MISSED"
        }).`,
    );
  }
  const stream = median("bytes-stream");
  const pages = median("bytes-pages-consistent");
  if (stream !== undefined && pages !== undefined) {
    findings.push(
      `The server sends a streaming list ${(stream / pages).toFixed(2)}x as slowly as LIST pages ` +
        `(bytes only: ${stream.toFixed(0)} ms against ${pages.toFixed(0)} ms), so the informer's ` +
        `default is LIST pages.`,
    );
  }
  const protobufPages = median("bytes-pages-consistent-protobuf");
  if (pages !== undefined && protobufPages !== undefined) {
    findings.push(
      `The same LIST pages as protobuf take ${protobufPages.toFixed(0)} ms bytes only, against ` +
        `${pages.toFixed(0)} ms as JSON: ${(pages / protobufPages).toFixed(2)}x. Receiving the ` +
        `JSON pages alone takes ${
          peer === undefined ? "-" : (pages / peer).toFixed(2)
        }x of client-go's whole sync with protobuf.`,
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
    `on 127.0.0.1; median of ${runs} fresh processes per mode after one warm-up round, the ` +
    `modes taking turns. Command: \`${command}\`, ` +
    `${new Date().toISOString().slice(0, 10)}, load average (1 min) before / after ` +
    `${loadBefore} / ${loadAfter}.`,
    "",
    "Modes: the informer (LIST pages, streaming list; `-drop` with `dropManagedFields: true`); " +
    "the same requests read as bytes only, or with `JSON.parse` and kept; `-consistent` pages " +
    "are the informer's first LIST (no resourceVersion, which the server pages), the others ask " +
    "for `resourceVersion=0`, which the server answers whole whatever the limit; `-protobuf` " +
    "reads the same requests as protobuf, bytes only. " +
    "`clientgo-protobuf` is client-go v0.37.2's SharedInformerFactory pod informer with " +
    "`ContentType: application/vnd.kubernetes.protobuf` and its defaults otherwise (streaming " +
    "lists on: the WatchListClient gate is on by default since 1.35), built from " +
    "`bench/clientgo/` by `bench/clientgo/build.sh`; `-drop` sets managedFields to nil in an " +
    "informer transform; `clientgo-json` asks for JSON. Time is from before the client is built " +
    "to `HasSynced` (polled every millisecond: `cache.WaitForCacheSync` would round it up to its " +
    "100 ms poll) / `waitForCacheSync()`; heap is the heap in use after full GCs once synced " +
    "less the same before the client existed (V8 `heapUsed`; Go `HeapAlloc`).",
    "",
    "| mode | ms (min–max) | heap after, MB | heap B/pod | read |",
    "| --- | --- | --- | --- | --- |",
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
  const resultFile = new URL("./real_apiserver.json", import.meta.url);
  await Deno.writeTextFile(resultFile, JSON.stringify(json, null, 2) + "\n");
  await writeChart();
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", benchmarks.pathname, resultFile.pathname],
  }).output();
  console.log(section);
} finally {
  await plane.stop();
}

/** The runs of one mode. */
interface ModeRuns {
  ms: number[];
  heap: number[];
  failures: string[];
  objects: number | null;
  bytes: number;
}

/** What one fresh process printed. */
interface Measurement {
  ms: number;
  heapBytes: number;
  objects?: number | null;
  bytes?: number;
  error?: string;
}

/** Builds the client-go peer (cached after the first build); returns the binary's path. */
async function buildClientGo(): Promise<string> {
  const output = await new Deno.Command("bash", {
    args: [new URL("./clientgo/build.sh", import.meta.url).pathname],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error("could not build bench/clientgo");
  return new TextDecoder().decode(output.stdout).trim().split("\n").pop()!;
}

/** One run of a mode, in a fresh process. */
async function measure(
  mode: string,
  infoFile: string,
  kubeconfigFile: string,
  clientGo: string,
): Promise<Measurement> {
  const command = mode.startsWith("clientgo-")
    ? new Deno.Command(clientGo, {
      args: [
        "-kubeconfig",
        kubeconfigFile,
        "-content-type",
        mode.startsWith("clientgo-json") ? "json" : "protobuf",
        ...(mode.endsWith("-drop") ? ["-drop-managed-fields"] : []),
      ],
      stdout: "piped",
      stderr: "inherit",
    })
    : new Deno.Command(Deno.execPath(), {
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
    });
  const output = await command.output();
  const last = new TextDecoder().decode(output.stdout).trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as Measurement;
  } catch {
    return { ms: NaN, heapBytes: NaN, error: `exit ${output.code}, no result` };
  }
}
