/**
 * The watch burst without a server: the bytes of a burst of MODIFIED events,
 * made once, are replayed from memory through the whole pipeline (the
 * client's watch request and decoder, the reflector, the cache writer, the
 * informer's fan-out to one handler), so the figure is the pipeline's cost
 * per event and nothing else. Next to it, on the same lines: the parse floor
 * (`JSON.parse`), the store floor (`JSON.parse` + `Map.set`), and the stages
 * alone (the decoder over the same bytes; the cache writer fed parsed
 * events).
 *
 * deno run -A --v8-flags=--expose-gc bench/watch_replay.ts [--pods 10000] [--events 10000] [--runs 5]
 *
 * @module
 */

import { KubeClient, pods, SharedIndexInformer } from "../mod.ts";
import type { Pod } from "../src/api/core_v1.ts";
import { decodeWatchStream } from "../src/client/watch_decoder.ts";
import { linesStoreFloor, parseFloor, summarize, type Summary } from "./_harness.ts";
import { generatePod } from "./_pod_generator.ts";

const args = parseArgs(Deno.args);
const CHUNK = 64 * 1024;

const podsInCache: Pod[] = [];
for (let i = 0; i < args.pods; i++) {
  const pod = generatePod(i);
  pod.metadata!.resourceVersion = "1";
  podsInCache.push(pod);
}
const listBody = JSON.stringify({
  kind: "PodList",
  apiVersion: "v1",
  metadata: { resourceVersion: "1" },
  items: podsInCache,
});

// The burst: every pod modified in turn, each event with a new resourceVersion.
const lines: string[] = [];
for (let i = 0; i < args.events; i++) {
  const pod = structuredClone(podsInCache[i % args.pods]!);
  pod.metadata!.resourceVersion = String(i + 2);
  pod.metadata!.labels = { ...pod.metadata!.labels, burst: String(i) };
  lines.push(JSON.stringify({ type: "MODIFIED", object: pod }));
}
const burst = new TextEncoder().encode(lines.join("\n") + "\n");
const chunks: Uint8Array[] = [];
for (let at = 0; at < burst.length; at += CHUNK) chunks.push(burst.subarray(at, at + CHUNK));

/** The bytes of the burst as a response body, then an open stream until aborted. */
function burstBody(signal: AbortSignal | null): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next === 0) await released;
      if (next < chunks.length) {
        controller.enqueue(chunks[next++]!);
        return;
      }
      // Stay open, like a watch with nothing more to say, until the informer closes it.
      return new Promise<void>((resolve) => {
        const close = () => {
          try {
            controller.close();
          } catch {
            // Already cancelled by the reader.
          }
          resolve();
        };
        if (signal === null || signal.aborted) return close();
        signal.addEventListener("abort", close, { once: true });
      });
    },
  }, { highWaterMark: 0 });
}

let watchStartedAt = 0;
let release!: () => void;
let released = Promise.resolve();
const client = new KubeClient({
  server: "http://replay.invalid",
  fetch: (request: Request) => {
    const url = new URL(request.url);
    if (url.searchParams.get("watch") === "true") {
      return Promise.resolve(
        new Response(burstBody(request.signal), {
          headers: { "content-type": "application/json" },
        }),
      );
    }
    return Promise.resolve(
      new Response(listBody, { headers: { "content-type": "application/json" } }),
    );
  },
});

/** One replay through a fresh informer: ms from the watch request to the last update handled. */
async function replayOnce(): Promise<number> {
  const informer = new SharedIndexInformer(client.resource(pods), pods);
  let updates = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let lastAt = 0;
  informer.addEventHandler({
    onUpdate() {
      if (++updates === args.events) {
        lastAt = performance.now();
        done();
      }
    },
  });
  released = new Promise<void>((resolve) => (release = resolve));
  const controller = new AbortController();
  const running = informer.run(controller.signal);
  // The burst starts once the informer has synced and the list's garbage is collected.
  await informer.waitForCacheSync();
  collectGarbage();
  const cpuBefore = cpuMs();
  watchStartedAt = performance.now();
  release();
  await finished;
  burstCpuMs.push(cpuMs() - cpuBefore);
  controller.abort();
  await running;
  const size = informer.indexer.list().length;
  if (size !== args.pods) throw new Error(`cache has ${size} pods, not ${args.pods}`);
  return lastAt - watchStartedAt;
}

/**
 * The store floor when the map already holds every pod (as the informer's cache does): parse and
 * `Map.set` over the previous versions, which then become garbage in the old generation.
 */
function replaceFloor(texts: readonly string[]): number {
  const store = new Map<string, unknown>();
  for (const pod of JSON.parse(listBody).items as Pod[]) {
    store.set(`${pod.metadata!.namespace}/${pod.metadata!.name}`, pod);
  }
  collectGarbage();
  const start = performance.now();
  for (const line of texts) {
    const event = JSON.parse(line) as { object: Pod };
    const meta = event.object.metadata!;
    store.set(`${meta.namespace}/${meta.name}`, event.object);
  }
  const ms = performance.now() - start;
  if (store.size !== args.pods) throw new Error(`replace floor holds ${store.size} pods`);
  return ms;
}

/** CPU ms of each informer burst (from the release of the bytes to the last update). */
const burstCpuMs: number[] = [];

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/** The decoder alone over the same bytes and chunks. */
async function decoderOnce(): Promise<number> {
  const start = performance.now();
  let events = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const _ of decodeWatchStream<Pod>(body)) events++;
  if (events !== args.events) throw new Error(`decoded ${events} events`);
  return performance.now() - start;
}

/**
 * CPU time of this process so far (every thread, the garbage collector's included), in ms: on a
 * busy machine it moves far less than wall time. Linux only, and Deno reads /proc/self only with
 * --allow-all; NaN otherwise.
 */
function cpuMs(): number {
  try {
    const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

interface Timed {
  wall: Summary;
  cpu: Summary;
}

async function runs(fn: () => Promise<number> | number): Promise<Timed> {
  await fn();
  collectGarbage();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < args.runs; i++) {
    collectGarbage();
    const before = cpuMs();
    wall.push(await fn());
    cpu.push(cpuMs() - before);
  }
  return { wall: summarize(wall), cpu: summarize(cpu) };
}

const parse = await runs(() => parseFloor(lines));
const store = await runs(() => linesStoreFloor(lines).ms);
const replaceStore = await runs(() => replaceFloor(lines));
const decoder = await runs(decoderOnce);
const replay = await runs(replayOnce);
// For the informer, only the burst's CPU counts (not the list and sync before it).
replay.cpu = summarize(burstCpuMs.slice(-args.runs));

const MB = 1024 * 1024;
const fmt = (t: Timed) =>
  `${t.wall.median.toFixed(1)} ms (min ${t.wall.min.toFixed(1)}, max ${t.wall.max.toFixed(1)}); ` +
  `CPU ${t.cpu.median.toFixed(0)} ms`;
console.log(
  `watch replay: ${args.events} MODIFIED events of ${
    (burst.length / args.events / 1024).toFixed(1)
  } KiB ` +
    `(${
      (burst.length / MB).toFixed(1)
    } MiB) over ${args.pods} cached pods, ${args.runs} runs, median`,
);
console.log(`  parse floor (JSON.parse of the lines)     ${fmt(parse)}`);
console.log(`  store floor (JSON.parse + Map.set)        ${fmt(store)}`);
console.log(`  the same into a Map holding every pod     ${fmt(replaceStore)}`);
console.log(`  decoder alone (64 KiB chunks)             ${fmt(decoder)}`);
console.log(`  informer, 1 handler, synced, burst        ${fmt(replay)}`);
for (const kind of ["wall", "cpu"] as const) {
  const r = replay[kind].median, p = parse[kind].median;
  console.log(
    `  ${kind} ratios: informer/store ${(r / store[kind].median).toFixed(2)}x, ` +
      `informer/replace ${(r / replaceStore[kind].median).toFixed(2)}x, ` +
      `informer/parse ${(r / p).toFixed(2)}x, decoder/parse ${
        (decoder[kind].median / p).toFixed(2)
      }x; ` +
      `beyond parse ${((r - p) / args.events * 1000).toFixed(1)} µs/event`,
  );
}

function parseArgs(argv: readonly string[]): { pods: number; events: number; runs: number } {
  const out = { pods: 10_000, events: 10_000, runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.replace(/^--/, "");
    const value = Number(argv[++i]);
    if (!(name in out) || !Number.isInteger(value) || value < 1) {
      throw new Error(
        `usage: watch_replay.ts [--pods N] [--events N] [--runs N]; got ${argv.join(" ")}`,
      );
    }
    out[name as keyof typeof out] = value;
  }
  return out;
}
