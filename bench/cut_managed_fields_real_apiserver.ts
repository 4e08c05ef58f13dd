/**
 * `cutManagedFields` on the bytes of a real kube-apiserver v1.37 (started by the real-apiserver
 * test harness, seeded with N realistic pods whose managedFields the server writes): the LIST
 * pages (limit 500, a consistent read, as the informer's first LIST) and the streaming-list
 * lines (until the end bookmark) are fetched once, then each is decoded in process with
 * `parse(full)`, `parse(full) + drop`, `cut(full)` and `parse(cut(full))`, as in
 * `cut_managed_fields_bench.ts` (median of the runs; heap retained after full GCs). Last, the
 * client itself lists and watches with and without `dropManagedFields`, end to end.
 *
 * Run: `deno run -A --v8-flags=--expose-gc bench/cut_managed_fields_real_apiserver.ts [--pods 10000] [--runs 7]`
 *
 * @module
 */

import { KubeClient, kubeConfigToClientOptions, parseKubeConfig, pods } from "../mod.ts";
import { cutManagedFields } from "../src/client/cut_managed_fields.ts";
import { stripManagedFields } from "../src/informer/strip_managed_fields.ts";
import type { Pod } from "../src/api/core_v1.ts";
import { liveHeapNow, summarize } from "./_harness.ts";
import { generatePod } from "./_pod_generator.ts";
import { buildControlPlane, startControlPlane } from "../tests/real_apiserver/control_plane.ts";
import { kubeconfigFor } from "../tests/real_apiserver/_cluster.ts";

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(Deno.args[at + 1]);
}

const PODS = flag("pods", 10_000);
const RUNS = flag("runs", 7);

const binDir = await buildControlPlane();

const plane = await startControlPlane({ binDir });
try {
  const options = kubeConfigToClientOptions(
    parseKubeConfig(kubeconfigFor(plane.info, "admin"), { path: `${plane.info.workDir}/x` }),
  );
  const client = new KubeClient(options);
  const namespace = "bench";
  await client.request({
    method: "POST",
    path: "/api/v1/namespaces",
    body: { metadata: { name: namespace } },
  }).then((r) => r.body?.cancel());
  const api = client.resource(pods, namespace);
  const seedStart = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < PODS) {
      const pod = generatePod(next++, { namespace, managedFields: false });
      delete pod.metadata!.resourceVersion;
      delete pod.metadata!.uid;
      delete pod.metadata!.creationTimestamp;
      await api.create(pod);
    }
  }));
  console.log(`seeded ${PODS} pods in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  // The bytes, once: LIST pages, and the streaming list as lines.
  const pages: string[] = [];
  let token = "";
  do {
    const query = new URLSearchParams({ limit: "500" });
    if (token) query.set("continue", token);
    const text = await (await client.request({ path: `/api/v1/pods`, query })).text();
    pages.push(text);
    token = (JSON.parse(text) as { metadata: { continue?: string } }).metadata.continue ?? "";
  } while (token);
  const lines: string[] = [];
  {
    const query = new URLSearchParams({
      watch: "true",
      sendInitialEvents: "true",
      resourceVersionMatch: "NotOlderThan",
      allowWatchBookmarks: "true",
    });
    const response = await client.request({
      path: `/api/v1/pods`,
      query,
      acceptEncoding: "identity",
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let tail = "";
    read: for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      tail += value;
      let nl: number;
      while ((nl = tail.indexOf("\n")) !== -1) {
        const line = tail.slice(0, nl);
        tail = tail.slice(nl + 1);
        if (line.includes('"type":"BOOKMARK"') && line.includes("k8s.io/initial-events-end")) {
          break read;
        }
        lines.push(line);
      }
    }
    await reader.cancel();
  }
  const total = (texts: readonly string[]) => texts.reduce((sum, t) => sum + t.length, 0);
  const cutTotal = total(lines.map((line) => cutManagedFields(line, "watch-event")));
  console.log(
    `list: ${pages.length} pages, ${
      (total(pages) / 1e6).toFixed(1)
    } MB; stream: ${lines.length} lines, ` +
      `${(total(lines) / 1e6).toFixed(1)} MB, managedFields ${
        ((total(lines) - cutTotal) / 1e6).toFixed(1)
      } MB ` +
      `(${(100 * (total(lines) - cutTotal) / total(lines)).toFixed(0)}%)`,
  );

  type Shape = "list" | "watch-event";
  const steps: Record<string, (shape: Shape) => (text: string) => unknown> = {
    "parse(full)": () => (text) => JSON.parse(text),
    "parse(full) + drop": (shape) => (text) => {
      const value = JSON.parse(text);
      if (shape === "list") { for (const item of value.items) stripManagedFields(item); }
      else stripManagedFields(value.object);
      return value;
    },
    "cut(full)": (shape) => (text) => cutManagedFields(text, shape),
    "parse(cut(full))": (shape) => (text) => JSON.parse(cutManagedFields(text, shape)),
  };
  const rows: string[][] = [["form", "step", "median ms", "min ms", "retained MB"]];
  for (
    const [form, texts, shape] of [["list pages", pages, "list"], [
      "stream lines",
      lines,
      "watch-event",
    ]] as const
  ) {
    for (const [name, make] of Object.entries(steps)) {
      const step = make(shape);
      const times: number[] = [];
      for (let r = 0; r <= RUNS; r++) {
        liveHeapNow();
        const start = performance.now();
        for (const text of texts) step(text);
        if (r > 0) times.push(performance.now() - start);
      }
      const before = liveHeapNow();
      const keep = texts.map(step);
      const retained = liveHeapNow() - before;
      keep.length = 0;
      const s = summarize(times);
      rows.push([
        form,
        name,
        s.median.toFixed(0),
        s.min.toFixed(0),
        name === "cut(full)" ? "-" : (retained / 1e6).toFixed(0),
      ]);
    }
  }

  // End to end through the client: every page of the list, and the streaming list, with and
  // without dropManagedFields in alternation (the server's speed drifts); wall and CPU time.
  const all = client.resource(pods);
  const cpuUsage = (Deno as unknown as { cpuUsage?: () => { user: number; system: number } })
    .cpuUsage ?? (() => ({ user: NaN, system: NaN }));
  const readAll: Record<string, (drop: boolean) => Promise<number>> = {
    "client listPages": async (drop) => {
      let n = 0;
      for await (const page of all.listPages({ limit: 500, dropManagedFields: drop })) {
        n += page.items.length;
      }
      return n;
    },
    "client streaming list": async (drop) => {
      const seen: Pod[] = [];
      for await (
        const ev of all.watch({
          sendInitialEvents: true,
          resourceVersionMatch: "NotOlderThan",
          allowWatchBookmarks: true,
          dropManagedFields: drop,
        })
      ) {
        if (ev.type === "ADDED") seen.push(ev.object);
        if (ev.type === "BOOKMARK") break;
      }
      return seen.length;
    },
  };
  for (const [form, read] of Object.entries(readAll)) {
    const walls: [number[], number[]] = [[], []];
    const cpus: [number[], number[]] = [[], []];
    for (let r = 0; r <= RUNS; r++) {
      for (const drop of [false, true]) {
        liveHeapNow();
        const cpu = cpuUsage();
        const start = performance.now();
        const n = await read(drop);
        const wall = performance.now() - start;
        const after = cpuUsage();
        if (n !== PODS) throw new Error(`${form}: read ${n} pods`);
        if (r === 0) continue;
        walls[drop ? 1 : 0].push(wall);
        cpus[drop ? 1 : 0].push((after.user + after.system - cpu.user - cpu.system) / 1000);
      }
    }
    for (const drop of [0, 1]) {
      const wall = summarize(walls[drop]!);
      rows.push([
        form,
        drop ? "dropManagedFields" : "as sent",
        wall.median.toFixed(0),
        wall.min.toFixed(0),
        `CPU ${summarize(cpus[drop]!).median.toFixed(0)} ms`,
      ]);
    }
  }
  client.close();
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
  console.log(`load average: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
} finally {
  await plane.stop();
}
