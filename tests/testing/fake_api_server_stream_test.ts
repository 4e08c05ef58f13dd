/**
 * Large initial states (streaming lists, watches from resourceVersion 0):
 * produced lazily as the reader pulls them, changes made meanwhile after the
 * initial-events-end bookmark exactly once, backpressure, and abort.
 *
 * The Registry-level tests look inside the server (how much of the state was
 * encoded) to be deterministic; the conformance tests check the same
 * behaviour from the outside, in process and over HTTP.
 */

import { assert, assertBetween, assertEquals, assertRejects } from "../_helpers/assert.ts";
import { conformance } from "../_helpers/fake_server_harness.ts";
import { waitFor } from "../_helpers/wait.ts";
import { BUILTIN_RESOURCES, pods } from "../../src/api/resources.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import { realClock } from "../../src/_internal/clock.ts";
import { serve } from "../../src/runtime/serve.ts";
import { parseListOptions } from "../../src/testing/_list_options.ts";
import type { ResourceTable } from "../../src/testing/_object_store.ts";
import { Registry, seededRandom } from "../../src/testing/_registry.ts";
import { FLUSH_BYTES, type Watcher } from "../../src/testing/_watch_hub.ts";

// deno-lint-ignore no-explicit-any -- tests read arbitrary JSON
type Any = any;

const STREAM = "watch=1&sendInitialEvents=true&allowWatchBookmarks=true" +
  "&resourceVersionMatch=NotOlderThan";
const PODS = "/api/v1/namespaces/default/pods";
const decoder = new TextDecoder();

function podName(i: number): string {
  return `p-${String(i).padStart(5, "0")}`;
}

function pod(i: number, annotation = ""): Pod {
  const metadata: Pod["metadata"] = {
    name: podName(i),
    namespace: "default",
    labels: { i: `${i}` },
  };
  if (annotation !== "") metadata.annotations = { filler: annotation };
  return { metadata, spec: { containers: [{ name: "c", image: "busybox" }] } };
}

function newRegistry(): { registry: Registry; table: ResourceTable } {
  const registry = new Registry(
    {
      historySize: 100_000,
      bookmarkIntervalMs: 0,
      streamingLists: true,
      clock: realClock,
      now: () => Date.UTC(2024, 0, 1),
      random: seededRandom(1),
    },
    BUILTIN_RESOURCES,
  );
  return { registry, table: registry.register(pods) };
}

function seed(registry: Registry, table: ResourceTable, count: number, annotation = ""): void {
  for (let i = 0; i < count; i++) registry.create(table, pod(i, annotation), { http: false });
}

function openWatch(
  registry: Registry,
  table: ResourceTable,
  query: string,
  signal: AbortSignal = new AbortController().signal,
): Watcher {
  return registry.watch({
    table,
    namespace: "default",
    name: undefined,
    options: parseListOptions(new URLSearchParams(query), {
      watch: true,
      resource: pods,
      streamingLists: true,
    }),
    view: "object",
    includeObject: "Metadata",
    signal,
  });
}

/** Lets the streams and the event loop run. */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Splits chunks into parsed lines (chunks end on line boundaries here). */
function linesOf(chunk: Uint8Array): Any[] {
  const text = decoder.decode(chunk);
  assert(text.endsWith("\n"), "a chunk ends with a whole line");
  return text.slice(0, -1).split("\n").map((line) => JSON.parse(line));
}

function describe(event: Any): string {
  if (event.type === "BOOKMARK") {
    const end = event.object.metadata.annotations?.["k8s.io/initial-events-end"] ? " end" : "";
    return `BOOKMARK ${event.object.metadata.resourceVersion}${end}`;
  }
  return `${event.type} ${event.object.metadata.name} ${event.object.metadata.resourceVersion}`;
}

/** Reads whole chunks until the initial-events-end bookmark has been read. */
async function readInitial(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  into: Any[],
): Promise<{ chunks: number; bytes: number }> {
  let chunks = 0;
  let bytes = 0;
  while (into.at(-1)?.type !== "BOOKMARK") {
    const { value, done } = await reader.read();
    if (done) break;
    chunks++;
    bytes += value.byteLength;
    into.push(...linesOf(value));
  }
  return { chunks, bytes };
}

Deno.test("a streaming list of 5000 objects is encoded chunk by chunk as the reader pulls", async () => {
  const { registry, table } = newRegistry();
  seed(registry, table, 5000);
  const rv = registry.store.resourceVersion;
  const watcher = openWatch(registry, table, STREAM);
  assert(watcher.inInitialPhase);
  assertEquals(watcher.initialProgress, 0, "nothing is encoded before the stream starts");
  await settle();
  // The stream filled its queue (one chunk) and waits for the reader.
  const ahead = watcher.initialProgress;
  assertBetween(ahead, 1, 1000);

  const reader = watcher.body.getReader();
  const first = await reader.read();
  const firstEvents = linesOf(first.value!);
  assertEquals(firstEvents.length, ahead, "the first chunk holds what was encoded ahead");
  assertBetween(first.value!.byteLength, FLUSH_BYTES, FLUSH_BYTES + 1024);
  assert(watcher.initialProgress < 5000, "the first chunk arrives before the state is encoded");
  assert(watcher.inInitialPhase);

  const events = [...firstEvents];
  const rest = await readInitial(reader, events);
  const chunks = 1 + rest.chunks;
  const bytes = first.value!.byteLength + rest.bytes;
  assertEquals(events.length, 5001);
  assertEquals(
    events.slice(0, 5000).map((e) => `${e.type} ${e.object.metadata.name}`),
    Array.from({ length: 5000 }, (_, i) => `ADDED ${podName(i)}`),
  );
  assertEquals(describe(events[5000]), `BOOKMARK ${rv} end`);
  // Every chunk but the last holds at least FLUSH_BYTES and less than one line more.
  assertBetween(chunks, Math.floor(bytes / (FLUSH_BYTES + 1024)), Math.ceil(bytes / FLUSH_BYTES));
  assert(chunks >= 4, `${chunks} chunks`);
  assertEquals(watcher.initialProgress, 5000);
  assert(!watcher.inInitialPhase);
  await reader.cancel();
  assertEquals(registry.hub.count, 0);
});

Deno.test("a watch from resourceVersion 0 sends its state lazily too", async () => {
  const { registry, table } = newRegistry();
  seed(registry, table, 5000);
  const watcher = openWatch(registry, table, "watch=1&resourceVersion=0");
  const reader = watcher.body.getReader();
  const first = linesOf((await reader.read()).value!);
  assertEquals(first[0].type, "ADDED");
  assert(watcher.initialProgress < 5000);
  const events = [...first];
  while (events.length < 5000) events.push(...linesOf((await reader.read()).value!));
  assertEquals(events.length, 5000, "no end bookmark without allowWatchBookmarks");
  assert(!watcher.inInitialPhase);
  registry.create(table, pod(5000), { http: false });
  assertEquals(
    linesOf((await reader.read()).value!).map(describe),
    [`ADDED ${podName(5000)} ${registry.store.resourceVersion}`],
  );
  await reader.cancel();
});

Deno.test("changes made while the state is sent follow the end bookmark, in order, once", async () => {
  const { registry, table } = newRegistry();
  seed(registry, table, 5000);
  const rv = registry.store.resourceVersion;
  const watcher = openWatch(registry, table, STREAM);
  const reader = watcher.body.getReader();
  const events = linesOf((await reader.read()).value!);
  assert(watcher.inInitialPhase);

  // One already sent, one not yet sent, a deletion of one not yet sent, a
  // new object sorting first, and an on-demand bookmark.
  const sent = registry.get(table, "default", podName(0)).object as Pod;
  registry.update(table, { ...sent, metadata: { ...sent.metadata, labels: { x: "1" } } }, {
    http: false,
  });
  const late = registry.get(table, "default", podName(4999)).object as Pod;
  registry.update(table, { ...late, metadata: { ...late.metadata, labels: { x: "2" } } }, {
    http: false,
  });
  registry.delete(table, "default", podName(2500), { http: false });
  registry.create(table, { metadata: { name: "a-first", namespace: "default" } }, { http: false });
  registry.hub.bookmark();
  assert(watcher.inInitialPhase, "the changes happened during the initial phase");

  await readInitial(reader, events);
  await settle(1);
  const tail = linesOf((await reader.read()).value!);
  const all = [...events, ...tail].map(describe);
  assertEquals(all.length, 5000 + 1 + 5);
  // The state is the one at the bookmark's resourceVersion.
  assertEquals(all[0], `ADDED ${podName(0)} 2`);
  assertEquals(all[2500], `ADDED ${podName(2500)} 2502`);
  assertEquals(all[4999], `ADDED ${podName(4999)} ${rv}`);
  assertEquals(all.slice(5000), [
    `BOOKMARK ${rv} end`,
    `MODIFIED ${podName(0)} ${rv + 1}`,
    `MODIFIED ${podName(4999)} ${rv + 2}`,
    `DELETED ${podName(2500)} ${rv + 3}`,
    `ADDED a-first ${rv + 4}`,
    `BOOKMARK ${rv + 4}`,
  ]);
  assertEquals(new Set(all).size, all.length, "no event twice");
  // Live from now on.
  registry.delete(table, "default", "a-first", { http: false });
  assertEquals(linesOf((await reader.read()).value!).map(describe), [
    `DELETED a-first ${rv + 5}`,
  ]);
  await reader.cancel();
});

Deno.test("a reader that stops reading holds the initial state back in process", async () => {
  const { registry, table } = newRegistry();
  seed(registry, table, 5000);
  const watcher = openWatch(registry, table, STREAM);
  await settle();
  const perChunk = watcher.initialProgress;
  const reader = watcher.body.getReader();
  await reader.read();
  await settle(20);
  const progress = watcher.initialProgress;
  // What was read plus one chunk queued ahead.
  assertBetween(progress, perChunk + 1, 2 * perChunk + 1);
  registry.create(table, pod(6000), { http: false });
  await settle(20);
  assertEquals(watcher.initialProgress, progress, "nothing more is encoded without reads");
  assert(watcher.inInitialPhase);
  await reader.cancel();
  assert(!watcher.inInitialPhase, "cancel releases the state");
});

Deno.test("a reader that stops reading holds the initial state back over HTTP", async () => {
  const { registry, table } = newRegistry();
  // About 15 MB: far more than the socket buffers between server and client.
  seed(registry, table, 1500, "x".repeat(10_000));
  let watcher: Watcher | undefined;
  const handle = await serve((request) => {
    watcher = openWatch(registry, table, STREAM, request.signal);
    return Promise.resolve(new Response(watcher.body));
  });
  const abort = new AbortController();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const res = await fetch(handle.url, { signal: abort.signal });
    reader = res.body!.getReader();
    await reader.read();
    let last = -1;
    let stable = 0;
    while (stable < 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const progress = watcher!.initialProgress;
      stable = progress === last ? stable + 1 : 0;
      last = progress;
    }
    assertBetween(last, 1, 1000, "the server stops producing when the client stops reading");
    assert(watcher!.inInitialPhase);
    abort.abort();
    await reader.cancel().catch(() => {});
    await waitFor(() => registry.hub.count === 0, 3000, "the watch ends");
    assert(watcher!.closed);
    assert(!watcher!.inInitialPhase, "abort releases the state");
  } finally {
    abort.abort();
    await reader?.cancel().catch(() => {});
    await handle.close();
  }
});

Deno.test("aborting a streaming list mid-state errors the body and releases the watch", async () => {
  const { registry, table } = newRegistry();
  seed(registry, table, 5000);
  const abort = new AbortController();
  const watcher = openWatch(registry, table, STREAM, abort.signal);
  const reader = watcher.body.getReader();
  await reader.read();
  assert(watcher.inInitialPhase);
  const progress = watcher.initialProgress;
  abort.abort(new DOMException("stop", "AbortError"));
  assert(watcher.closed);
  assert(!watcher.inInitialPhase);
  assertEquals(registry.hub.count, 0);
  registry.create(table, pod(7000), { http: false });
  const err = await assertRejects(() => reader.read(), DOMException);
  assertEquals(err.name, "AbortError");
  assertEquals(watcher.initialProgress, progress, "nothing is encoded after abort");
});

conformance(
  "writes during a streaming list arrive after the initial-events-end bookmark exactly once",
  async (h) => {
    for (let i = 0; i < 5000; i++) h.server.create(pods, pod(i));
    const rv = Number(h.server.resourceVersion);
    const w = await h.watch(`${PODS}?${STREAM}`);
    const first = await w.next();
    assertEquals(describe(first!), `ADDED ${podName(0)} 2`);
    const late = h.server.get(pods, "default", podName(4999))!;
    late.metadata!.labels = { x: "1" };
    h.server.update(pods, late);
    h.server.delete(pods, "default", podName(10));
    h.server.create(pods, { metadata: { name: "z-new", namespace: "default" } });
    const rest = await w.take(5000 + 3);
    const all = [first!, ...rest].map(describe);
    assertEquals(all[4999], `ADDED ${podName(4999)} ${rv}`);
    assertEquals(all[10], `ADDED ${podName(10)} 12`);
    assertEquals(all.slice(5000), [
      `BOOKMARK ${rv} end`,
      `MODIFIED ${podName(4999)} ${rv + 1}`,
      `DELETED ${podName(10)} ${rv + 2}`,
      `ADDED z-new ${rv + 3}`,
    ]);
    await w.expectQuiet(50);
  },
  { bookmarkIntervalMs: 0 },
);

conformance(
  "aborting a streaming list mid-state ends the watch on the server",
  async (h) => {
    for (let i = 0; i < 3000; i++) h.server.create(pods, pod(i, "y".repeat(2000)));
    const w = await h.watch(`${PODS}?${STREAM}`);
    await w.take(10);
    assertEquals(h.server.watchCount, 1);
    await w.close();
    await waitFor(() => h.server.watchCount === 0, 3000, "the watch ends");
    h.server.create(pods, pod(9999));
  },
  { bookmarkIntervalMs: 0 },
);

conformance(
  "closing watches during the initial state still sends the state, then ends the stream",
  async (h) => {
    for (let i = 0; i < 3000; i++) h.server.create(pods, pod(i));
    const rv = h.server.resourceVersion;
    const w = await h.watch(`${PODS}?${STREAM}`);
    await w.take(1);
    h.server.create(pods, pod(5000));
    assertEquals(h.server.closeWatches(), 1);
    assertEquals(h.server.watchCount, 0);
    h.server.create(pods, pod(5001));
    const rest = (await w.expectEnd()).map(describe);
    assertEquals(rest.length, 2999 + 2);
    assertEquals(rest.slice(2998), [
      `ADDED ${podName(2999)} ${rv}`,
      `BOOKMARK ${rv} end`,
      `ADDED ${podName(5000)} ${Number(rv) + 1}`,
    ]);
  },
  { bookmarkIntervalMs: 0 },
);

conformance(
  "a table watch puts the column definitions on its first event only, with writes meanwhile",
  async (h) => {
    for (let i = 0; i < 3000; i++) h.server.create(pods, pod(i));
    const w = await h.watch(`${PODS}?watch=1&resourceVersion=0`, {
      headers: { Accept: "application/json;as=Table;g=meta.k8s.io;v=v1" },
    });
    const [first] = await w.take(1);
    h.server.create(pods, pod(5000));
    const rest = await w.take(3000);
    assertEquals(first!.object.kind, "Table");
    assert(first!.object.columnDefinitions.length > 0);
    assertEquals(rest.filter((e) => e.object.columnDefinitions !== null).length, 0);
    assertEquals(rest[2999]!.type, "ADDED");
    assertEquals(rest[2999]!.object.rows[0].object.metadata.name, podName(5000));
  },
  { bookmarkIntervalMs: 0 },
);

conformance("a list larger than one chunk is streamed and parses to every item", async (h) => {
  for (let i = 0; i < 2000; i++) h.server.create(pods, pod(i, "z".repeat(300)));
  const rv = h.server.resourceVersion;
  for (
    const [accept, kind] of [
      ["application/json", "PodList"],
      [
        "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        "PartialObjectMetadataList",
      ],
    ]
  ) {
    const res = await h.request(`${PODS}?limit=1500`, { headers: { Accept: accept! } });
    assertEquals(res.status, 200);
    const reader = res.body!.getReader();
    const parts: Uint8Array[] = [];
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
    }
    const bytes = parts.reduce((n, p) => n + p.byteLength, 0);
    assert(bytes > 600_000, `${bytes} bytes`);
    if (h.mode === "fetch") {
      // A small first chunk, then chunks of 256 KiB characters (and less than one item more).
      assertBetween(parts[0]!.byteLength, 64 * 1024, 66 * 1024);
      const rest = bytes - parts[0]!.byteLength;
      assertBetween(
        parts.length,
        1 + Math.floor(rest / (257 * 1024)),
        1 + Math.ceil(rest / (256 * 1024)),
      );
      assert(parts.length >= 3, `${parts.length} chunks`);
    }
    const joined = new Uint8Array(bytes);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.byteLength;
    }
    const list = JSON.parse(decoder.decode(joined));
    assertEquals(list.kind, kind);
    assertEquals(list.metadata.resourceVersion, rv);
    assertEquals(list.metadata.remainingItemCount, 500);
    assertEquals(
      list.items.map((p: Any) => p.metadata.name),
      Array.from({ length: 1500 }, (_, i) => podName(i)),
    );
  }
});
