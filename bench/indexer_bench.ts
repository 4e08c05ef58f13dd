/**
 * Indexer micro-benchmarks at N = 50k pods over 100 namespaces.
 *
 * Run: `deno bench bench/indexer_bench.ts`
 *
 * @module
 */

import type { Pod } from "../src/api/core_v1.ts";
import { createIndexer } from "../src/cache/indexer.ts";
import { NAMESPACE_INDEX } from "../src/cache/keys.ts";

const N = 50_000;
const NAMESPACES = 100;

function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function makePod(i: number, resourceVersion: number, ip: string): Pod {
  const namespace = `ns-${i % NAMESPACES}`;
  const name = `pod-${i}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace,
      name,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      resourceVersion: String(resourceVersion),
      labels: { app: `app-${i % 500}`, tier: i % 2 === 0 ? "web" : "worker" },
    },
    spec: {
      nodeName: `node-${i % 200}`,
      containers: [{ name: "main", image: "registry.example/app:1.0" }],
    },
    status: {
      phase: "Running",
      podIP: ip,
      podIPs: [{ ip }, { ip: `fd00::${i.toString(16)}` }],
    },
  };
}

const byIP = (pod: Pod): string[] => (pod.status?.podIPs ?? []).map((p) => p.ip);

const ips: string[] = Array.from({ length: N }, (_, i) => ipOf(i));
const pods: Pod[] = Array.from({ length: N }, (_, i) => makePod(i, i + 1, ipOf(i)));
const keys: string[] = pods.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`);
const indexer = createIndexer<Pod>({ byIP });
indexer.replace(pods);

const baseline = new Map<string, Pod>(keys.map((k, i) => [k, pods[i]!]));

// Objects for the update benchmarks: same indexed values, and an alternate IP.
const SAMPLE = 1024;
const sameValues: Pod[] = Array.from({ length: SAMPLE }, (_, j) => {
  const i = (j * 48_271) % N;
  return makePod(i, N + j + 1, ipOf(i));
});
const movedA: Pod[] = Array.from({ length: SAMPLE }, (_, j) => {
  const i = (j * 48_271 + 7) % N;
  return makePod(i, N + j + 1, `172.16.${j >> 8}.${j & 255}`);
});
const movedB: Pod[] = movedA.map((_, j) => {
  const i = (j * 48_271 + 7) % N;
  return makePod(i, 2 * N + j + 1, ipOf(i));
});

let cursor = 0;
/** Results land here so the engine cannot drop the work. */
const sink: unknown[] = [undefined];

Deno.bench("Map.get baseline (50k)", { group: "getByKey", baseline: true }, () => {
  sink[0] = baseline.get(keys[cursor++ % N]!);
});

Deno.bench("getByKey (50k)", { group: "getByKey" }, () => {
  sink[0] = indexer.getByKey(keys[cursor++ % N]!);
});

Deno.bench("byIndex namespace (500 of 50k)", () => {
  sink[0] = indexer.byIndex(NAMESPACE_INDEX, `ns-${cursor++ % NAMESPACES}`);
});

Deno.bench("byIndex byIP (1 of 50k)", () => {
  sink[0] = indexer.byIndex("byIP", ips[cursor++ % N]!);
});

Deno.bench("update, indexed values unchanged", () => {
  indexer.update(sameValues[cursor++ % SAMPLE]!);
});

Deno.bench("update, moves between byIP values", () => {
  const j = cursor++;
  indexer.update(((j >> 10) & 1 ? movedB : movedA)[j % SAMPLE]!);
});

Deno.bench("replace 50k", { n: 30, warmup: 5 }, () => {
  indexer.replace(pods);
});

Deno.bench("createIndexer + replace 50k (cold)", { n: 20, warmup: 3 }, () => {
  const fresh = createIndexer<Pod>({ byIP });
  fresh.replace(pods);
  sink[0] = fresh;
});
