/**
 * Measures the fake apiserver on large states over HTTP on 127.0.0.1, the
 * reader in a worker (its own event loop and thread, like a client in
 * another process):
 *
 * - `stream`: a streaming list (`sendInitialEvents=true`) of N pods from
 *   `bench/_pod_generator.ts` drained bytes-only to the initial-events-end
 *   bookmark: time to response headers, time to first byte, total drain
 *   time, the server's peak heap + external memory over its state (main
 *   isolate, sampled every 2 ms) and the process's RSS growth in the first
 *   (cold) run;
 * - `pages`: a paginated list (`limit=500`) of the same pods: the wait for
 *   the first byte of each page and the total;
 * - `get`: `server.get` of one pod, microseconds per call;
 * - `update`: `server.update` of one pod while a watch is open (the worker
 *   drains it), microseconds per call.
 *
 *   deno run --allow-net=127.0.0.1 --allow-read --v8-flags=--expose-gc \
 *     tests/_helpers/fake_server_stream_bench.ts [--pods 50000] [--runs 3] [stream|pages|get|update]...
 *
 * @module
 */

import { FakeApiServer } from "../../src/testing/mod.ts";
import { pods } from "../../src/api/resources.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import { generatePod } from "../../bench/_pod_generator.ts";

type Job =
  | { kind: "stream"; url: string; lines: number }
  | { kind: "pages"; url: string }
  | { kind: "watch"; url: string; lines: number };

interface StreamResult {
  headersMs: number;
  firstByteMs: number;
  totalMs: number;
  bytes: number;
  chunks: number;
  lines: number;
}

interface PagesResult {
  pages: number;
  totalMs: number;
  bytes: number;
  waitMs: number[];
}

const NEWLINE = 10;

function countLines(chunk: Uint8Array): number {
  let n = 0;
  let at = chunk.indexOf(NEWLINE);
  while (at >= 0) {
    n++;
    at = chunk.indexOf(NEWLINE, at + 1);
  }
  return n;
}

async function drainStream(url: string, lines: number): Promise<StreamResult> {
  const t0 = performance.now();
  const res = await fetch(url);
  const headersMs = performance.now() - t0;
  const reader = res.body!.getReader();
  let firstByteMs = -1;
  let bytes = 0;
  let chunks = 0;
  let seen = 0;
  while (seen < lines) {
    const { value, done } = await reader.read();
    if (done) break;
    if (firstByteMs < 0) firstByteMs = performance.now() - t0;
    bytes += value.byteLength;
    chunks++;
    seen += countLines(value);
  }
  const totalMs = performance.now() - t0;
  await reader.cancel();
  return { headersMs, firstByteMs, totalMs, bytes, chunks, lines: seen };
}

const decoder = new TextDecoder();

async function drainPages(url: string): Promise<PagesResult> {
  const t0 = performance.now();
  const waitMs: number[] = [];
  let bytes = 0;
  let token = "";
  let pages = 0;
  do {
    const start = performance.now();
    const res = await fetch(token === "" ? url : `${url}&continue=${encodeURIComponent(token)}`);
    const reader = res.body!.getReader();
    let head = "";
    let first = true;
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      if (first) {
        waitMs.push(performance.now() - start);
        first = false;
      }
      bytes += value.byteLength;
      if (head.length < 512) head += decoder.decode(value.subarray(0, 512));
    }
    const match = /"continue":"([^"]*)"/.exec(head.slice(0, 512));
    token = match?.[1] ?? "";
    pages++;
  } while (token !== "");
  return { pages, totalMs: performance.now() - t0, bytes, waitMs };
}

// deno-lint-ignore no-explicit-any -- the worker global scope is not typed in this file
const scope = globalThis as any;
if (typeof scope.WorkerGlobalScope !== "undefined" && scope instanceof scope.WorkerGlobalScope) {
  scope.onmessage = async (e: MessageEvent<Job>) => {
    const job = e.data;
    switch (job.kind) {
      case "stream":
      case "watch":
        scope.postMessage(await drainStream(job.url, job.lines));
        break;
      case "pages":
        scope.postMessage(await drainPages(job.url));
        break;
    }
  };
} else if (import.meta.main) {
  await main();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

async function main(): Promise<void> {
  let n = 50_000;
  let runs = 3;
  const modes: string[] = [];
  for (let i = 0; i < Deno.args.length; i++) {
    const arg = Deno.args[i]!;
    if (arg === "--pods") n = Number(Deno.args[++i]);
    else if (arg === "--runs") runs = Number(Deno.args[++i]);
    else modes.push(arg);
  }
  if (modes.length === 0) modes.push("stream", "pages", "get", "update");
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

  const worker = new Worker(import.meta.url, { type: "module" });
  const inWorker = <R>(job: Job): Promise<R> =>
    new Promise((resolve) => {
      worker.onmessage = (e: MessageEvent<R>) => resolve(e.data);
      worker.postMessage(job);
    });
  const server = await FakeApiServer.start({ bookmarkIntervalMs: 0, requestLogSize: 1 });
  try {
    const seedStart = performance.now();
    for (let i = 0; i < n; i++) {
      server.create(pods, generatePod(i, { namespace: `ns-${i % 100}`, managedFields: true }));
    }
    console.log(`seeded ${n} pods in ${(performance.now() - seedStart).toFixed(0)} ms`);

    if (modes.includes("stream")) {
      const url = `${server.url}/api/v1/pods?watch=1&sendInitialEvents=true` +
        `&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`;
      const results: StreamResult[] = [];
      let peakHeap = 0;
      let coldRss = 0;
      for (let run = 0; run <= runs; run++) {
        gc();
        gc();
        const base = Deno.memoryUsage();
        const baseHeap = base.heapUsed + base.external;
        let maxHeap = baseHeap;
        let maxRss = base.rss;
        const sampler = setInterval(() => {
          const m = Deno.memoryUsage();
          if (m.heapUsed + m.external > maxHeap) maxHeap = m.heapUsed + m.external;
          if (m.rss > maxRss) maxRss = m.rss;
        }, 2);
        const result = await inWorker<StreamResult>({ kind: "stream", url, lines: n + 1 });
        clearInterval(sampler);
        if (result.lines !== n + 1) throw new Error(`got ${result.lines} lines, want ${n + 1}`);
        peakHeap = Math.max(peakHeap, maxHeap - baseHeap);
        // RSS seldom shrinks: only the first run shows how much it grows.
        if (run === 0) coldRss = maxRss - base.rss;
        else results.push(result);
      }
      const bytes = results[0]!.bytes;
      console.log(
        `stream n=${n}: ${(bytes / 1e6).toFixed(0)} MB, chunks=${
          median(results.map((r) => r.chunks))
        }` +
          `, headers ${median(results.map((r) => r.headersMs)).toFixed(1)} ms` +
          `, first byte ${median(results.map((r) => r.firstByteMs)).toFixed(1)} ms` +
          `, drained ${median(results.map((r) => r.totalMs)).toFixed(0)} ms` +
          ` (runs: ${results.map((r) => r.totalMs.toFixed(0)).join(", ")})` +
          `; server peak heap+external +${mb(peakHeap)} MB, RSS growth in the first run +${
            mb(coldRss)
          } MB`,
      );
    }

    if (modes.includes("pages")) {
      const url = `${server.url}/api/v1/pods?limit=500`;
      const results: PagesResult[] = [];
      for (let run = 0; run <= runs; run++) {
        const result = await inWorker<PagesResult>({ kind: "pages", url });
        if (run > 0) results.push(result);
      }
      const waits = results.flatMap((r) => r.waitMs);
      console.log(
        `pages n=${n} limit=500: ${results[0]!.pages} pages, ${
          (results[0]!.bytes / 1e6).toFixed(0)
        } MB, total ${median(results.map((r) => r.totalMs)).toFixed(0)} ms` +
          ` (runs: ${results.map((r) => r.totalMs.toFixed(0)).join(", ")})` +
          `, first-byte wait per page: median ${median(waits).toFixed(2)} ms` +
          `, p90 ${
            [...waits].sort((a, b) => a - b)[Math.floor(waits.length * 0.9)]!.toFixed(2)
          } ms, first page ${median(results.map((r) => r.waitMs[0]!)).toFixed(2)} ms`,
      );
    }

    if (modes.includes("get")) {
      const calls = 20_000;
      const names: string[] = [];
      for (let i = 0; i < calls; i++) names.push(generatedName(i % n));
      const times: number[] = [];
      for (let run = 0; run <= runs; run++) {
        const t0 = performance.now();
        for (let i = 0; i < calls; i++) {
          const pod = server.get(pods, `ns-${(i % n) % 100}`, names[i]!);
          if (pod === undefined) throw new Error("missing pod");
        }
        if (run > 0) times.push(((performance.now() - t0) * 1000) / calls);
      }
      console.log(
        `get: ${median(times).toFixed(2)} us/call (runs: ${times.map((t) => t.toFixed(2))})`,
      );
    }

    if (modes.includes("update")) {
      const calls = 20_000;
      const times: number[] = [];
      const pod = server.get(pods, "ns-0", generatedName(0))! as Pod;
      for (let run = 0; run <= runs; run++) {
        const url =
          `${server.url}/api/v1/namespaces/ns-0/pods?watch=1&resourceVersion=${server.resourceVersion}`;
        const drained = inWorker<StreamResult>({ kind: "watch", url, lines: calls });
        while (server.watchCount === 0) await new Promise((r) => setTimeout(r, 5));
        let busy = 0;
        for (let i = 0; i < calls; i += 1000) {
          const t0 = performance.now();
          for (let j = i; j < i + 1000; j++) {
            pod.metadata!.labels!.round = `r${run}-${j}`;
            server.update(pods, pod);
          }
          busy += performance.now() - t0;
          await new Promise((r) => setTimeout(r, 0));
        }
        await drained;
        while (server.watchCount > 0) await new Promise((r) => setTimeout(r, 5));
        if (run > 0) times.push((busy * 1000) / calls);
      }
      console.log(
        `update with a watcher: ${median(times).toFixed(2)} us/call (runs: ${
          times.map((t) => t.toFixed(2))
        })`,
      );
    }
  } finally {
    worker.terminate();
    await server.close();
  }
}

function generatedName(index: number): string {
  return generatePod(index, { managedFields: false }).metadata!.name!;
}
