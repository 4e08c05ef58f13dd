/**
 * One measurement of `bench/real_apiserver.ts`, in a fresh process: how long one way of
 * getting every pod of a real kube-apiserver takes, and the heap it leaves.
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc bench/_real_apiserver_child.ts MODE INFO_JSON
 * ```
 *
 * Modes: `informer-stream` and `informer-pages` (an informer synced with streaming lists or
 * LIST pages; with a `-drop` suffix, with `dropManagedFields: true`), `bytes-pages` /
 * `parse-pages` (the informer's LIST requests read as bytes only, or parsed with `JSON.parse`
 * and kept; `-consistent` without a resourceVersion; `-protobuf` the same requests asking for
 * protobuf, bytes only, as client-go's), `bytes-stream` / `bytes-stream-gzip` / `parse-stream`
 * (the streaming list read until its end bookmark as bytes, as gzip-encoded bytes, or split
 * into lines and parsed). Prints one JSON line `{ mode, ms, heapBytes, objects, bytes }`.
 *
 * @module
 */

import {
  KubeClient,
  kubeConfigToClientOptions,
  parseKubeConfig,
  pods,
  SharedInformerFactory,
} from "../mod.ts";
import { hasGc, liveHeap } from "./_harness.ts";
import { kubeconfigFor } from "../tests/real_apiserver/_cluster.ts";
import type { ControlPlaneInfo } from "../tests/real_apiserver/control_plane.ts";

const [mode, infoFile] = Deno.args;
if (!mode || !infoFile) throw new Error("usage: _real_apiserver_child.ts MODE INFO_JSON");
if (!hasGc()) throw new Error("run with --v8-flags=--expose-gc");
const info = JSON.parse(Deno.readTextFileSync(infoFile)) as ControlPlaneInfo;
const options = kubeConfigToClientOptions(
  parseKubeConfig(kubeconfigFor(info, "admin"), { path: `${info.workDir}/x` }),
);
const tlsFetch = options.fetch!;
const headers = {
  authorization: `Bearer ${info.users.adminToken}`,
  accept: "application/json",
};
const END = new TextEncoder().encode("k8s.io/initial-events-end");

const baseHeap = await liveHeap();
const started = performance.now();
let objects = 0;
let bytes = 0;
let keep: unknown[] = [];

switch (mode) {
  case "informer-stream":
  case "informer-pages":
  case "informer-stream-drop":
  case "informer-pages-drop": {
    const client = new KubeClient(options);
    const factory = new SharedInformerFactory(client, {
      informerOptions: {
        streamingList: mode.startsWith("informer-stream"),
        dropManagedFields: mode.endsWith("-drop"),
      },
    });
    const informer = factory.informerFor(pods);
    const controller = new AbortController();
    factory.start(controller.signal);
    await factory.waitForCacheSync(AbortSignal.timeout(120_000));
    const ms = performance.now() - started;
    objects = informer.indexer.list().length;
    const heapBytes = await liveHeap() - baseHeap;
    report(ms, heapBytes);
    controller.abort();
    await factory.shutdown();
    client.close();
    break;
  }
  case "bytes-pages":
  case "parse-pages":
  case "bytes-pages-consistent":
  case "parse-pages-consistent":
  case "bytes-pages-protobuf":
  case "bytes-pages-consistent-protobuf": {
    // The informer's first LIST: limit=500&resourceVersion=0, which a real server serves whole;
    // or a consistent read (no resourceVersion), which it serves in pages of 500.
    let query = mode.includes("-consistent") ? "limit=500" : "limit=500&resourceVersion=0";
    const protobuf = mode.endsWith("-protobuf");
    while (true) {
      const response = await tlsFetch(
        new Request(`${info.server}/api/v1/pods?${query}`, {
          headers: {
            ...headers,
            "accept-encoding": "identity",
            ...(protobuf ? { accept: "application/vnd.kubernetes.protobuf" } : {}),
          },
        }),
      );
      let token: string | undefined;
      if (mode.startsWith("bytes-")) {
        const body = new Uint8Array(await response.arrayBuffer());
        bytes += body.length;
        const text = new TextDecoder().decode(body.subarray(0, 400));
        // JSON: the "continue" field; protobuf: the ListMeta (written before the items) holds
        // the token, base64 of a JSON object that starts with {"v":.
        token = protobuf
          ? /eyJ2Ijoi[A-Za-z0-9+/=_-]+/.exec(text)?.[0]
          : /"continue":"([^"]+)"/.exec(text)?.[1];
        // Bytes only: count objects without parsing.
        objects = Number.NaN;
      } else {
        const list = await response.json() as { items: unknown[]; metadata: { continue?: string } };
        keep = keep.concat(list.items);
        objects = keep.length;
        token = list.metadata.continue || undefined;
      }
      if (!token) break;
      query = `limit=500&continue=${encodeURIComponent(token)}`;
    }
    const ms = performance.now() - started;
    report(ms, await liveHeap() - baseHeap);
    break;
  }
  case "bytes-stream":
  case "bytes-stream-gzip":
  case "parse-stream": {
    const query = "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan" +
      "&allowWatchBookmarks=true&timeoutSeconds=120";
    const controller = new AbortController();
    const response = await tlsFetch(
      new Request(`${info.server}/api/v1/pods?${query}`, {
        headers: {
          ...headers,
          "accept-encoding": mode === "bytes-stream-gzip" ? "gzip" : "identity",
        },
        signal: controller.signal,
      }),
    );
    const reader = response.body!.getReader();
    let tail = new Uint8Array(0);
    let sawEnd = false;
    const decoder = new TextDecoder();
    let pending = "";
    while (!sawEnd) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.length;
      if (mode === "parse-stream") {
        pending += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const event = JSON.parse(pending.slice(0, newline)) as {
            type: string;
            object: { metadata?: { annotations?: Record<string, string> } };
          };
          pending = pending.slice(newline + 1);
          if (event.type === "BOOKMARK") {
            if (event.object.metadata?.annotations?.["k8s.io/initial-events-end"]) sawEnd = true;
          } else {
            keep.push(event.object);
          }
        }
        objects = keep.length;
      } else {
        const joined = new Uint8Array(tail.length + value.length);
        joined.set(tail);
        joined.set(value, tail.length);
        sawEnd = indexOf(joined, END) >= 0;
        tail = joined.subarray(Math.max(0, joined.length - END.length));
        objects = Number.NaN;
      }
    }
    const ms = performance.now() - started;
    controller.abort();
    await reader.cancel().catch(() => {});
    if (!sawEnd) {
      console.log(
        JSON.stringify({ mode, error: "the stream ended without its end bookmark", bytes }),
      );
      Deno.exit(0);
    }
    report(ms, await liveHeap() - baseHeap);
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
keep = [];

function report(ms: number, heapBytes: number): void {
  console.log(JSON.stringify({ mode, ms, heapBytes, objects, bytes }));
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    if (haystack[i] !== needle[0]) continue;
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
