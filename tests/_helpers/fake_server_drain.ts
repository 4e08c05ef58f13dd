/**
 * Measures how fast a bytes-only reader drains a watch of 20k MODIFIED
 * events of ~6 KB pods from the fake apiserver over HTTP on 127.0.0.1. The
 * reader runs in a worker (its own event loop and thread), like a client in
 * another process.
 *
 *   deno run --allow-net --allow-read tests/_helpers/fake_server_drain.ts [events]
 *
 * Prints two figures: "replay" (the watch starts from a resourceVersion
 * before the 20k events, which are already in the history: pure server
 * fan-out + socket) and "live" (the watch is open while the 20k writes
 * happen, so encoding each write is included).
 *
 * @module
 */

import { FakeApiServer } from "../../src/testing/mod.ts";
import { pods } from "../../src/api/resources.ts";
import { bigPod } from "./fake_server_pods.ts";

interface DrainRequest {
  url: string;
  events: number;
}

interface DrainResult {
  bytes: number;
  ms: number;
}

async function drain({ url, events }: DrainRequest): Promise<DrainResult> {
  const res = await fetch(url);
  const reader = res.body!.getReader();
  let bytes = 0;
  let lines = 0;
  let start = 0;
  while (lines < events) {
    const { value, done } = await reader.read();
    if (done) break;
    if (start === 0) start = performance.now();
    bytes += value.byteLength;
    let at = value.indexOf(10);
    while (at >= 0) {
      lines++;
      at = value.indexOf(10, at + 1);
    }
  }
  const ms = performance.now() - start;
  await reader.cancel();
  return { bytes, ms };
}

function report(label: string, events: number, r: DrainResult, extra = ""): void {
  const mb = r.bytes / 1e6;
  console.log(
    `${label}: ${events} events, ${mb.toFixed(1)} MB in ${r.ms.toFixed(0)} ms = ${
      (mb / (r.ms / 1000)).toFixed(0)
    } MB/s${extra}`,
  );
}

// deno-lint-ignore no-explicit-any -- worker global scope is not typed in this file
const scope = globalThis as any;
if (typeof scope.WorkerGlobalScope !== "undefined" && scope instanceof scope.WorkerGlobalScope) {
  scope.onmessage = async (e: MessageEvent<DrainRequest>) => {
    scope.postMessage(await drain(e.data));
  };
} else if (import.meta.main) {
  const events = Number(Deno.args[0] ?? 20_000);
  const worker = new Worker(import.meta.url, { type: "module" });
  const inWorker = (request: DrainRequest): Promise<DrainResult> =>
    new Promise((resolve) => {
      worker.onmessage = (e: MessageEvent<DrainResult>) => resolve(e.data);
      worker.postMessage(request);
    });
  const server = await FakeApiServer.start({ historySize: events + 10 });
  try {
    const pod = server.create(pods, bigPod(1));
    console.log(`pod JSON size: ${JSON.stringify(pod).length} bytes`);
    const before = server.resourceVersion;
    for (let i = 0; i < events; i++) {
      pod.metadata!.labels!.round = String(i);
      server.update(pods, pod);
    }
    const url = `${server.url}/api/v1/namespaces/default/pods?watch=1`;
    report("replay", events, await inWorker({ url: `${url}&resourceVersion=${before}`, events }));

    const live = inWorker({ url: `${url}&resourceVersion=${server.resourceVersion}`, events });
    while (server.watchCount === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    for (let i = 0; i < events; i++) {
      pod.metadata!.labels!.round = `live-${i}`;
      server.update(pods, pod);
      if (i % 1000 === 999) await new Promise((r) => setTimeout(r, 0));
    }
    const writeMs = performance.now() - t0;
    report("live", events, await live, ` (the ${events} writes took ${writeMs.toFixed(0)} ms)`);
  } finally {
    worker.terminate();
    await server.close();
  }
}
