/**
 * The benchmark workloads: initial sync, watch throughput, memory, relist
 * after 410 and the indexer. Each returns result rows that put our figure
 * next to its floor, measured in the same run on the same bytes.
 *
 * @module
 */

import { KubeClient } from "../src/client/kube_client.ts";
import type { Pod } from "../src/api/core_v1.ts";
import { pods } from "../src/api/resources.ts";
import { NAMESPACE_INDEX } from "../src/cache/keys.ts";
import { SharedInformerFactory } from "../src/informer/shared_informer_factory.ts";
import { SharedIndexInformer } from "../src/informer/shared_index_informer.ts";
import { Backoff } from "../src/watch/backoff.ts";
import type { ListerWatcher } from "../src/watch/reflector.ts";
import type { WatchEvent } from "../src/api/watch_event.ts";
import { stripManagedFields } from "../src/informer/strip_managed_fields.ts";
import {
  bodiesToText,
  compareWithDigest,
  HeapSampler,
  linesStoreFloor,
  liveHeap,
  liveHeapNow,
  pagesStoreFloor,
  parseFloor,
  type RawFetch,
  rawPages,
  rawWatch,
  type ServerProcess,
  splitLines,
  streamingListUrl,
  summarize,
  type Summary,
  timeRuns,
} from "./_harness.ts";

/** How an initial list or relist is fetched. */
export type ListShape = "paginated" | "streaming";

/** One line of the results. */
export interface Row {
  /** Workload name. */
  workload: string;
  /** Objects cached. */
  n: number;
  /** Variant of the workload. */
  shape: string;
  /** Unit of median/min/max/floor. */
  unit: "ms" | "ns/op" | "B/object" | "MB" | "us/object";
  /** Our figure: median of the runs, and their min and max. */
  median: number;
  min: number;
  max: number;
  /** The floor on the same bytes, and what it is. */
  floor: number | null;
  floorKind: string;
  /** median / floor. */
  ratio: number | null;
  /** Median time in ms (time rows only). */
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  floorMs: number | null;
  /** JSON bytes per object as received. */
  bytesPerObject: number | null;
  /** Bytes-only fetch of the same body (the server check), when relevant. */
  drainMs: number | null;
  drainMBps: number | null;
  /** Target, as text, and whether it is met (null when there is none). */
  target: string | null;
  met: boolean | null;
  /** Number of measured runs. */
  runs: number;
  /** ok, or failed with problems. */
  status: "ok" | "failed";
  problems: string[];
  /** Other figures (floors of other kinds, counts). */
  extra: Record<string, number | string>;
}

/** Settings shared by the workloads. */
export interface Settings {
  /** Measured runs (after one warm-up). */
  runs: number;
  /** Watch events per burst. */
  watchEvents: number;
  /** Progress output. */
  log: (message: string) => void;
}

/** Builds a row; time rows get the ms aliases filled. */
export function row(
  fields:
    & Omit<
      Row,
      | "medianMs"
      | "minMs"
      | "maxMs"
      | "floorMs"
      | "ratio"
      | "status"
      | "problems"
      | "extra"
      | "drainMs"
      | "drainMBps"
      | "target"
      | "met"
    >
    & Partial<Row>,
): Row {
  const time = fields.unit === "ms";
  const ratio = fields.ratio ??
    (fields.floor !== null && fields.floor > 0 ? fields.median / fields.floor : null);
  const problems = fields.problems ?? [];
  return {
    workload: fields.workload,
    n: fields.n,
    shape: fields.shape,
    unit: fields.unit,
    medianMs: time ? fields.median : null,
    minMs: time ? fields.min : null,
    maxMs: time ? fields.max : null,
    floorMs: time ? fields.floor : null,
    ratio,
    bytesPerObject: fields.bytesPerObject,
    median: fields.median,
    min: fields.min,
    max: fields.max,
    floor: fields.floor,
    floorKind: fields.floorKind,
    drainMs: fields.drainMs ?? null,
    drainMBps: fields.drainMBps ?? null,
    target: fields.target ?? null,
    met: fields.met ?? null,
    runs: fields.runs,
    status: problems.length > 0 ? "failed" : "ok",
    problems,
    extra: fields.extra ?? {},
  };
}

const MB = 1024 * 1024;
const SYNC_TIMEOUT_MS = 300_000;

/** An error the informer reported, with when. */
export interface ErrorRecord {
  /** The error. */
  error: unknown;
  /** `performance.now()` when reported. */
  at: number;
  /** The wait before the next attempt. */
  delayMs: number;
}

/** A synced pod informer. */
export interface Running {
  /** From start to sync. */
  ms: number;
  /** The informer. */
  informer: SharedIndexInformer<Pod>;
  /** Errors reported since start. */
  errors: ErrorRecord[];
  /** Called for every object the reflector receives, when set (resident informers only). */
  probe: { hook: (() => void) | undefined };
  /** Stops it and waits until nothing runs. */
  stop(): Promise<void>;
}

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function recordErrors(informer: SharedIndexInformer<Pod>): ErrorRecord[] {
  const errors: ErrorRecord[] = [];
  informer.setErrorHandler((event) => {
    errors.push({ error: event.error, at: performance.now(), delayMs: event.delayMs });
  });
  return errors;
}

async function waitSynced(
  wait: Promise<unknown>,
  errors: ErrorRecord[],
  stop: () => Promise<void>,
): Promise<void> {
  try {
    await timeout(wait, SYNC_TIMEOUT_MS, "initial sync");
  } catch (err) {
    await stop();
    const first = errors[0] === undefined ? "" : ` (first error: ${describe(errors[0].error)})`;
    throw new Error(`${describe(err)}${first}`);
  }
}

/**
 * Initial sync the way an application does it: a factory with one pod
 * informer, timed from `factory.start()` to `waitForCacheSync()`.
 */
export async function syncInformer(
  api: string,
  shape: ListShape,
  strip = false,
  dropManagedFields = false,
): Promise<Running> {
  const client = new KubeClient({ server: api });
  const factory = new SharedInformerFactory(client, {
    informerOptions: { streamingList: shape === "streaming", pageSize: 500, dropManagedFields },
    transform: strip ? stripManagedFields : undefined,
  });
  const informer = factory.informerFor(pods);
  const errors = recordErrors(informer);
  const ac = new AbortController();
  const stop = async () => {
    ac.abort();
    await factory.shutdown();
  };
  const start = performance.now();
  factory.start(ac.signal);
  await waitSynced(factory.waitForCacheSync(ac.signal), errors, stop);
  return { ms: performance.now() - start, informer, errors, probe: { hook: undefined }, stop };
}

/**
 * A long-lived pod informer for the watch, memory, relist and indexer
 * workloads: the factory's settings, except a 1 ms backoff, so that a
 * relist after a 410 starts at once rather than after the reflector's
 * 0.8 s+ backoff (which doubles with every relist). Its lister-watcher calls
 * `probe.hook` for every object a list page brings and, for watches opened
 * while a probe is set, for every event (the informer skips the transform
 * for unchanged objects, so the transform cannot count them), which lets
 * the relist workload sample the live heap while a list is being received.
 * Watches opened without a probe are the client's own, untouched.
 */
export async function residentInformer(
  api: string,
  shape: ListShape,
  strip = false,
  dropManagedFields = false,
): Promise<Running> {
  const client = new KubeClient({ server: api });
  const probe: Running["probe"] = { hook: undefined };
  const resource = client.resource(pods);
  const probed = async function* (events: AsyncIterable<WatchEvent<Pod>>) {
    for await (const event of events) {
      probe.hook?.();
      yield event;
    }
  };
  const listerWatcher: ListerWatcher<Pod> = {
    list: (options) => resource.list(options),
    async *listPages(options, preparePage) {
      for await (const page of resource.listPages(options, preparePage)) {
        for (let i = 0; i < page.items.length; i++) probe.hook?.();
        yield page;
      }
    },
    watch: (options) =>
      probe.hook === undefined ? resource.watch(options) : probed(resource.watch(options)),
  };
  const informer = new SharedIndexInformer<Pod>(listerWatcher, pods, {
    streamingList: shape === "streaming",
    pageSize: 500,
    transform: strip ? stripManagedFields : undefined,
    dropManagedFields,
    backoff: new Backoff({ initialMs: 1, maxMs: 1, jitter: 0 }),
  });
  const errors = recordErrors(informer);
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  const stop = async () => {
    ac.abort();
    await running;
  };
  const start = performance.now();
  await waitSynced(informer.waitForCacheSync(ac.signal), errors, stop);
  return { ms: performance.now() - start, informer, errors, probe, stop };
}

/** The bytes of a full list in a shape, fetched bytes-only; the drain timings and the kept bytes. */
export interface ListBytes {
  drain: Summary;
  /** Median time waiting for first bytes (summed over pages). */
  waitMs: number;
  bytes: number;
  /** Page texts (paginated) or event lines (streaming). */
  texts: string[];
}

/** Fetches a full list bytes-only `runs` times (after a warm-up); keeps the last one's bytes. */
export async function listBytes(
  server: ServerProcess,
  shape: ListShape,
  runs: number,
  objects: number,
): Promise<ListBytes> {
  const fetchOnce = (keep: boolean): Promise<RawFetch> =>
    shape === "paginated"
      ? rawPages(server.info.api, 500, keep)
      : rawWatch(streamingListUrl(server.info.api), objects + 1, keep, false);
  const waits: number[] = [];
  let call = 0;
  let kept: RawFetch | undefined;
  const drain = await timeRuns(runs, async () => {
    // The last measured fetch keeps its bytes for the floors.
    const keep = ++call === runs + 1;
    const raw = await fetchOnce(keep);
    if (keep) kept = raw;
    waits.push(raw.waitMs);
    return raw.ms;
  });
  kept ??= await fetchOnce(true);
  const texts = shape === "paginated" ? bodiesToText(kept.bodies) : splitLines(kept.bodies[0]!);
  return { drain, waitMs: summarize(waits).median, bytes: kept.bytes, texts };
}

/** The parse+store floor of a list's bytes (`JSON.parse` + `Map.set`), after a warm-up. */
function storeFloor(shape: ListShape, texts: readonly string[], runs: number): Summary {
  const once = () => shape === "paginated" ? pagesStoreFloor(texts).ms : linesStoreFloor(texts).ms;
  once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(once());
  return summarize(times);
}

/** JSON bytes per object as received, with and without managedFields, from a list's bytes. */
export function jsonSizes(
  shape: ListShape,
  texts: readonly string[],
): { full: number; stripped: number; objects: number } {
  let full = 0;
  let stripped = 0;
  let objects = 0;
  const add = (item: Pod) => {
    objects++;
    full += JSON.stringify(item).length;
    delete item.metadata?.managedFields;
    stripped += JSON.stringify(item).length;
  };
  for (const text of texts) {
    if (shape === "paginated") {
      for (const item of (JSON.parse(text) as { items: Pod[] }).items) add(item);
    } else {
      const event = JSON.parse(text) as { type: string; object: Pod };
      if (event.type !== "BOOKMARK") add(event.object);
    }
  }
  return { full: full / objects, stripped: stripped / objects, objects };
}

function drainProblem(drainMs: number, oursMs: number): string[] {
  return drainMs < 0.5 * oursMs ? [] : [
    `server not ruled out: bytes-only drain ${drainMs.toFixed(0)} ms is not < 50% of ${
      oursMs.toFixed(0)
    } ms`,
  ];
}

// ---------------------------------------------------------------------------
// 1. Initial sync.

/** JSON sizes of the objects, and the heap of the simplest store of them. */
export interface Sizes {
  /** JSON bytes per object as received. */
  full: number;
  /** JSON bytes per object without managedFields. */
  stripped: number;
  /** Heap per object of a Map of `JSON.parse` results (NaN when not measured). */
  parsedMap: number;
}

/**
 * Initial sync, from `factory.start()` to `waitForCacheSync()`, in one list
 * shape, with managedFields kept and with `dropManagedFields: true` (the runs
 * alternate, so that the load of a shared machine falls on both alike). Both
 * rows sit next to floors of the same bytes as received (managedFields
 * included): `JSON.parse` + `Map.set` for the first, `JSON.parse` alone for
 * the second. With `measureSizes`, also measures the JSON sizes and the heap
 * of a Map of parsed objects on the same bytes.
 */
export async function syncWorkload(
  server: ServerProcess,
  shape: ListShape,
  settings: Settings,
  measureSizes: boolean,
): Promise<{ rows: Row[]; sizes: Sizes | undefined }> {
  const n = server.pods;
  const digest = await server.digest();
  const problems: string[] = [];
  const dropProblems: string[] = [];
  settings.log(`sync ${shape} n=${n}: informer runs, managedFields kept and dropped`);
  const once = async (drop: boolean): Promise<number> => {
    const began = performance.now();
    const state = await syncInformer(server.info.api, shape, false, drop);
    const into = drop ? dropProblems : problems;
    const objects = state.informer.indexer.list();
    const wrong = compareWithDigest(objects, digest);
    if (wrong !== undefined) into.push(`cache differs from the server: ${wrong}`);
    if (drop && objects.some((pod) => pod.metadata?.managedFields !== undefined)) {
      into.push("a cached object kept its managedFields");
    }
    if (state.errors.length > 0) {
      const first = state.errors[0]!;
      into.push(
        `informer error ${(first.at - began).toFixed(0)} ms after the informer was built ` +
          `(synced after ${state.ms.toFixed(0)} ms): ${describe(first.error)}`,
      );
    }
    await state.stop();
    return state.ms;
  };
  const kept: number[] = [];
  const dropped: number[] = [];
  await once(false);
  await once(true);
  for (let i = 0; i < settings.runs; i++) {
    kept.push(await once(false));
    dropped.push(await once(true));
  }
  const ours = summarize(kept);
  const oursDrop = summarize(dropped);
  settings.log(`sync ${shape} n=${n}: bytes-only drain and floors`);
  const bytes = await listBytes(server, shape, settings.runs, n);
  const floor = storeFloor(shape, bytes.texts, settings.runs);
  const parse = parseOnlyFloor(bytes.texts, settings.runs);
  let sizes: Sizes | undefined;
  if (measureSizes) {
    settings.log(`sync ${shape} n=${n}: JSON sizes and the heap of parsed objects`);
    const parsedMap = await parsedMapHeap(bytes.texts, shape);
    const json = jsonSizes(shape, bytes.texts);
    if (json.objects !== n) problems.push(`the raw list had ${json.objects} objects, not ${n}`);
    sizes = { full: json.full, stripped: json.stripped, parsedMap };
  }
  bytes.texts.length = 0;
  problems.push(...drainProblem(bytes.drain.median, ours.median));
  dropProblems.push(...drainProblem(bytes.drain.median, oursDrop.median));
  const ratio = ours.median / floor.median;
  const dropRatio = oursDrop.median / parse.median;
  const targeted = n >= 10_000;
  const drain = {
    bytesPerObject: bytes.bytes / n,
    drainMs: bytes.drain.median,
    drainMBps: bytes.bytes / MB / (bytes.drain.median / 1000),
  };
  const extra = (median: number) => ({
    drainFirstByteMs: bytes.waitMs,
    drainPlusStoreMs: floor.median + bytes.drain.median,
    ratioToDrainPlusStore: median / (floor.median + bytes.drain.median),
    parseFloorMs: parse.median,
    ratioToParseFloor: median / parse.median,
    storeFloorMs: floor.median,
    ratioToStoreFloor: median / floor.median,
    listBytes: bytes.bytes,
    perObjectUs: (median * 1000) / n,
  });
  return {
    rows: [
      row({
        workload: "sync",
        n,
        shape,
        unit: "ms",
        median: ours.median,
        min: ours.min,
        max: ours.max,
        floor: floor.median,
        floorKind: "JSON.parse + Map.set",
        ...drain,
        target: targeted ? "<= 1.3x parse+store" : null,
        met: targeted ? ratio <= 1.3 : null,
        runs: settings.runs,
        problems: [...new Set(problems)],
        extra: extra(ours.median),
      }),
      row({
        workload: "sync",
        n,
        shape: `${shape}, dropManagedFields`,
        unit: "ms",
        median: oursDrop.median,
        min: oursDrop.min,
        max: oursDrop.max,
        floor: parse.median,
        floorKind: UNSTRIPPED_PARSE,
        ...drain,
        target: targeted ? "<= 1.0x parse (unstripped)" : null,
        met: targeted ? dropRatio <= 1.0 : null,
        runs: settings.runs,
        problems: [...new Set(dropProblems)],
        extra: extra(oursDrop.median),
      }),
    ],
    sizes,
  };
}

/** The floor of the `dropManagedFields` rows. */
export const UNSTRIPPED_PARSE = "JSON.parse of the unstripped bytes";

/** `JSON.parse` of a list's texts (pages or lines), after a warm-up. */
function parseOnlyFloor(texts: readonly string[], runs: number): Summary {
  parseFloor(texts);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(parseFloor(texts));
  return summarize(times);
}

// ---------------------------------------------------------------------------
// 2. Watch throughput.

/**
 * K MODIFIED events with N objects cached, with `handlers` no-op handlers;
 * `dropped` says the informer has `dropManagedFields: true` (the floor is the
 * same: `JSON.parse` of the event lines as received).
 */
export async function watchWorkload(
  server: ServerProcess,
  informer: SharedIndexInformer<Pod>,
  handlers: number,
  bytesPerObject: number,
  settings: Settings,
  shared?: WatchFloors,
  dropped = false,
): Promise<{ row: Row; floors: WatchFloors }> {
  const n = server.pods;
  const k = settings.watchEvents;
  const counts = new Array<number>(handlers).fill(0);
  let target = Infinity;
  let firstAt = 0;
  let finished: (() => void) | undefined;
  let remaining = handlers;
  const registrations = counts.map((_, i) =>
    informer.addEventHandler({
      onUpdate() {
        const c = ++counts[i]!;
        if (c === 1 && i === 0) firstAt = performance.now();
        if (c === target && --remaining === 0) finished?.();
      },
    })
  );
  const problems: string[] = [];
  let fromResourceVersion = "";
  let serverEmitMs = 0;
  settings.log(
    `watch ${handlers} handler(s)${
      dropped ? " dropManagedFields" : ""
    } n=${n}: bursts of ${k} events`,
  );
  const ours = await timeRuns(settings.runs, async () => {
    counts.fill(0);
    remaining = handlers;
    target = k;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const emitted = server.emit(k);
    await timeout(done, 300_000, "watch burst");
    const ms = performance.now() - firstAt;
    const info = await emitted;
    fromResourceVersion = info.fromResourceVersion;
    serverEmitMs = info.ms;
    const objects = informer.indexer.list();
    const wrong = compareWithDigest(objects, await server.digest());
    if (wrong !== undefined) problems.push(`cache differs from the server: ${wrong}`);
    if (dropped && objects.some((pod) => pod.metadata?.managedFields !== undefined)) {
      problems.push("a cached object kept its managedFields");
    }
    return ms;
  });
  for (const registration of registrations) registration.remove();
  const floors = shared ?? await watchFloors(server, fromResourceVersion, k, settings, problems);
  const { drain, kept, parse: parseSummary, store } = floors;
  problems.push(...drainProblem(drain.median, ours.median));
  const ratio = ours.median / parseSummary.median;
  const result = row({
    workload: "watch",
    n,
    shape: `${handlers} handler${handlers === 1 ? "" : "s"}${dropped ? ", dropManagedFields" : ""}`,
    unit: "ms",
    median: ours.median,
    min: ours.min,
    max: ours.max,
    floor: parseSummary.median,
    floorKind: dropped ? UNSTRIPPED_PARSE : "JSON.parse of the event lines",
    bytesPerObject,
    drainMs: drain.median,
    drainMBps: kept.bytes / MB / (drain.median / 1000),
    target: dropped ? "<= 1.0x parse (unstripped)" : "<= 1.25x parse",
    met: ratio <= (dropped ? 1.0 : 1.25),
    runs: settings.runs,
    problems: [...new Set(problems)],
    extra: {
      events: k,
      eventsPerSecond: (k / ours.median) * 1000,
      floorEventsPerSecond: (k / parseSummary.median) * 1000,
      storeFloorMs: store.median,
      serverEmitMs,
      burstBytes: kept.bytes,
      floorsFrom: shared ? "an earlier 1-handler burst (same pods, same size)" : "this burst",
    },
  });
  return { row: result, floors };
}

/** The floors of a watch burst: a bytes-only replay, and parse / parse+store of its lines. */
export interface WatchFloors {
  drain: Summary;
  kept: RawFetch;
  parse: Summary;
  store: Summary;
}

/**
 * Replays the burst after `fromResourceVersion` bytes-only, then times
 * `JSON.parse` of its lines (the parse floor) and parse plus `Map.set`
 * (the store floor, context only: 3 runs).
 */
async function watchFloors(
  server: ServerProcess,
  fromResourceVersion: string,
  k: number,
  settings: Settings,
  problems: string[],
): Promise<WatchFloors> {
  settings.log(`watch n=${server.pods}: replay of the last burst and floors`);
  const url = `${server.info.api}/api/v1/pods?watch=true&resourceVersion=${fromResourceVersion}`;
  const drain = await timeRuns(settings.runs, async () => (await rawWatch(url, k, false, true)).ms);
  const kept = await rawWatch(url, k, true, true);
  const lines = splitLines(kept.bodies[0]!);
  if (lines.length !== k) problems.push(`the replay had ${lines.length} lines, not ${k}`);
  const parse: number[] = [];
  const store: number[] = [];
  parseFloor(lines);
  for (let i = 0; i < settings.runs; i++) parse.push(parseFloor(lines));
  linesStoreFloor(lines);
  for (let i = 0; i < Math.min(3, settings.runs); i++) store.push(linesStoreFloor(lines).ms);
  return { drain, kept, parse: summarize(parse), store: summarize(store) };
}

// ---------------------------------------------------------------------------
// 3. Memory.

/** How the memory workload's informer treats managedFields. */
export type MemoryVariant = "managedFields" | "stripManagedFields" | "dropManagedFields";

/** Retained heap per cached object, against the JSON bytes per object. */
export async function memoryWorkload(
  server: ServerProcess,
  variant: MemoryVariant,
  sizes: Sizes,
  settings: Settings,
): Promise<{ row: Row; resident: Running }> {
  const n = server.pods;
  const strip = variant !== "managedFields";
  settings.log(`memory ${variant} n=${n}`);
  const problems: string[] = [];
  const base = await liveHeap();
  const state = await residentInformer(
    server.info.api,
    "streaming",
    variant === "stripManagedFields",
    variant === "dropManagedFields",
  );
  const heap = await liveHeap();
  const perObject = (heap - base) / n;
  const objects = state.informer.indexer.list();
  const wrong = compareWithDigest(objects, await server.digest());
  if (wrong !== undefined) problems.push(`cache differs from the server: ${wrong}`);
  if (strip && objects.some((pod) => pod.metadata?.managedFields !== undefined)) {
    problems.push("a cached object kept its managedFields");
  }
  const json = strip ? sizes.stripped : sizes.full;
  const ratio = perObject / json;
  const limit = strip ? 1.1 : 1.4;
  return {
    row: row({
      workload: "memory",
      n,
      shape: variant,
      unit: "B/object",
      median: perObject,
      min: perObject,
      max: perObject,
      floor: json,
      floorKind: strip ? "stripped JSON bytes" : "JSON bytes as received",
      bytesPerObject: json,
      target: `<= ${limit}x JSON`,
      met: ratio <= limit,
      runs: 1,
      problems,
      extra: strip ? { heapBaseMB: base / MB, heapWithCacheMB: heap / MB } : {
        heapBaseMB: base / MB,
        heapWithCacheMB: heap / MB,
        parsedMapBytesPerObject: sizes.parsedMap,
        parsedMapRatio: sizes.parsedMap / sizes.full,
      },
    }),
    resident: state,
  };
}

/** Heap per object of the simplest store: a Map of `JSON.parse` results (context for memory). */
export async function parsedMapHeap(texts: readonly string[], shape: ListShape): Promise<number> {
  const base = await liveHeap();
  let store: Map<string, unknown> | undefined = shape === "paginated"
    ? pagesStoreFloor(texts).store
    : linesStoreFloor(texts).store;
  const heap = await liveHeap();
  const size = store.size;
  store = undefined;
  return (heap - base) / Math.max(1, size);
}

// ---------------------------------------------------------------------------
// 4. Relist after 410.

/**
 * Relist after a 410: time to a consistent cache, spurious updates, peak
 * heap. `baseHeap` is the live heap before the informer existed, so that
 * heap ratios are about what the cache holds.
 */
export async function relistWorkload(
  server: ServerProcess,
  running: Running,
  shape: ListShape,
  baseHeap: number,
  bytesPerObject: number,
  settings: Settings,
): Promise<Row[]> {
  const n = server.pods;
  const informer = running.informer;
  const errorKinds = new Map<string, number>();
  const modify = Math.max(10, Math.round(n / 100));
  const removed = Math.max(2, Math.round(n / 1000));
  const created = removed;
  let updates = 0;
  let spurious = 0;
  let adds = 0;
  let deletes = 0;
  let finished: (() => void) | undefined;
  const check = () => {
    if (updates >= modify && adds >= created && deletes >= removed) finished?.();
  };
  const registration = informer.addEventHandler({
    onAdd(_pod, initial) {
      if (initial) return;
      adds++;
      check();
    },
    onUpdate(oldPod, newPod) {
      if (oldPod.metadata?.resourceVersion === newPod.metadata?.resourceVersion) spurious++;
      else updates++;
      check();
    },
    onDelete() {
      deletes++;
      check();
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  const problems: string[] = [];
  const sampledPeaks: number[] = [];
  let spuriousTotal = 0;
  const steady = await liveHeap();

  let lastDone = performance.now();
  const once = async (sample: "every 2 ms" | "live"): Promise<{ ms: number; peak: number }> => {
    // A watch younger than 1 s that ends without events is a "very short
    // watch" (a relist for another reason): let the watch age first.
    const age = performance.now() - lastDone;
    if (age < 1100) await new Promise((resolve) => setTimeout(resolve, 1100 - age));
    await server.churn(modify, removed, created);
    const digest = await server.digest();
    updates =
      spurious =
      adds =
      deletes =
        0;
    const done = new Promise<void>((resolve) => (finished = resolve));
    let sampler: HeapSampler | undefined;
    let livePeak = 0;
    if (sample === "every 2 ms") {
      sampler = new HeapSampler(2);
    } else {
      // A full GC and a reading at every tenth of the objects received,
      // the last one just before the new list replaces the cache.
      const step = Math.max(1, Math.floor(n / 10));
      let seen = 0;
      running.probe.hook = () => {
        if (++seen % step === 0) livePeak = Math.max(livePeak, liveHeapNow());
      };
    }
    const errorsBefore = running.errors.length;
    const start = performance.now();
    await server.expire();
    await timeout(done, SYNC_TIMEOUT_MS, "relist");
    const ms = performance.now() - start;
    lastDone = performance.now();
    running.probe.hook = undefined;
    await new Promise((resolve) => setTimeout(resolve, 0));
    const peak = sampler?.stop() ?? livePeak;
    for (const record of running.errors.slice(errorsBefore)) {
      const name = record.error instanceof Error ? record.error.name : String(record.error);
      errorKinds.set(name, (errorKinds.get(name) ?? 0) + 1);
    }
    spuriousTotal += spurious;
    if (updates !== modify || adds !== created || deletes !== removed) {
      problems.push(
        `notifications: ${updates} updates, ${adds} adds, ${deletes} deletes; expected ${modify}, ${created}, ${removed}`,
      );
    }
    const wrong = compareWithDigest(informer.indexer.list(), digest);
    if (wrong !== undefined) problems.push(`cache differs from the server: ${wrong}`);
    return { ms, peak };
  };

  settings.log(`relist ${shape} n=${n}: ${settings.runs + 1} runs`);
  const ours = await timeRuns(settings.runs, async () => {
    const { ms, peak } = await once("every 2 ms");
    sampledPeaks.push(peak);
    return ms;
  });
  sampledPeaks.shift();
  settings.log(`relist ${shape} n=${n}: live-heap run (full GC at every tenth of the list)`);
  const live = await once("live");
  registration.remove();
  settings.log(`relist ${shape} n=${n}: bytes-only drain and floor`);
  const bytes = await listBytes(server, shape, settings.runs, server.pods);
  const floor = storeFloor(shape, bytes.texts, settings.runs);
  bytes.texts.length = 0;
  problems.push(...drainProblem(bytes.drain.median, ours.median));
  if (spuriousTotal > 0) {
    problems.push(`${spuriousTotal} update notifications for unchanged objects`);
  }

  const cache = steady - baseHeap;
  const liveRatio = (live.peak - baseHeap) / cache;
  const sampled = summarize(sampledPeaks.map((p) => (p - baseHeap) / cache));
  return [
    row({
      workload: "relist",
      n,
      shape,
      unit: "ms",
      median: ours.median,
      min: ours.min,
      max: ours.max,
      floor: floor.median,
      floorKind: "JSON.parse + Map.set",
      bytesPerObject,
      drainMs: bytes.drain.median,
      drainMBps: bytes.bytes / MB / (bytes.drain.median / 1000),
      target: "0 spurious updates",
      met: spuriousTotal === 0,
      runs: settings.runs,
      problems: [...new Set(problems)],
      extra: {
        spuriousUpdates: spuriousTotal,
        changedPerRun: `${modify} modified, ${removed} deleted, ${created} created`,
        informerErrors: [...errorKinds].map(([k, v]) => `${k} x${v}`).join(" ") || "none",
        drainFirstByteMs: bytes.waitMs,
      },
    }),
    row({
      workload: "relist-peak-heap",
      n,
      shape,
      unit: "MB",
      median: (live.peak - baseHeap) / MB,
      min: (live.peak - baseHeap) / MB,
      max: (live.peak - baseHeap) / MB,
      floor: cache / MB,
      floorKind: "steady-state heap of the cache",
      ratio: liveRatio,
      bytesPerObject,
      target: "<= 2x steady",
      met: liveRatio <= 2,
      runs: 1,
      extra: {
        sampledPeakRatio: sampled.median,
        sampledPeakRatioMax: sampled.max,
        sampledPeakMB: (sampled.median * cache) / MB,
      },
    }),
  ];
}

// ---------------------------------------------------------------------------
// 5. Indexer.

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  let seed = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

let indexSink = 0;

/** getByKey and byIndex (namespace and a custom index) against plain-Map floors. */
export async function indexerWorkload(
  server: ServerProcess,
  informer: SharedIndexInformer<Pod>,
  bytesPerObject: number,
  settings: Settings,
): Promise<Row[]> {
  const n = server.pods;
  settings.log(`indexer n=${n}`);
  const nodeOf = (pod: Pod): string[] => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);
  informer.addIndexers({ byNode: nodeOf });
  const indexer = informer.indexer;
  const objects = indexer.list();
  const plain = new Map<string, Pod>();
  const byNamespace = new Map<string, Pod[]>();
  const byNode = new Map<string, Pod[]>();
  for (const pod of objects) {
    const meta = pod.metadata!;
    plain.set(`${meta.namespace}/${meta.name}`, pod);
    let list = byNamespace.get(meta.namespace!);
    if (list === undefined) byNamespace.set(meta.namespace!, list = []);
    list.push(pod);
    for (const node of nodeOf(pod)) {
      let nodes = byNode.get(node);
      if (nodes === undefined) byNode.set(node, nodes = []);
      nodes.push(pod);
    }
  }
  const keys = shuffled(indexer.listKeys());
  const namespaces = shuffled([...byNamespace.keys()]);
  const nodes = shuffled([...byNode.keys()]);
  const problems: string[] = [];
  for (const ns of namespaces.slice(0, 5)) {
    if (indexer.byIndex(NAMESPACE_INDEX, ns).length !== byNamespace.get(ns)!.length) {
      problems.push(`byIndex(namespace, ${ns}) returned the wrong number of objects`);
    }
  }

  const time = (ops: number, fn: () => void) => (): number => {
    const start = performance.now();
    fn();
    return ((performance.now() - start) * 1e6) / ops;
  };
  const lookups = 500_000;
  const getOurs = time(lookups, () => {
    let found = 0;
    for (let i = 0; i < lookups; i++) {
      if (indexer.getByKey(keys[i % keys.length]!) !== undefined) found++;
    }
    indexSink += found;
  });
  const getFloor = time(lookups, () => {
    let found = 0;
    for (let i = 0; i < lookups; i++) if (plain.get(keys[i % keys.length]!) !== undefined) found++;
    indexSink += found;
  });
  const queries = (perValue: number) =>
    Math.max(200, Math.min(20_000, Math.round(2_000_000 / Math.max(1, perValue))));
  const nsQueries = queries(n / namespaces.length);
  const nodeQueries = queries(n / nodes.length);
  const byIndexOurs = (name: string, values: readonly string[], count: number) =>
    time(count, () => {
      let total = 0;
      for (let i = 0; i < count; i++) {
        total += indexer.byIndex(name, values[i % values.length]!).length;
      }
      indexSink += total;
    });
  const byIndexFloor = (map: Map<string, Pod[]>, values: readonly string[], count: number) =>
    time(count, () => {
      let total = 0;
      for (let i = 0; i < count; i++) total += map.get(values[i % values.length]!)!.slice().length;
      indexSink += total;
    });

  const cases: [string, () => number, () => number, number][] = [
    ["getByKey", getOurs, getFloor, 1],
    [
      `byIndex namespace (${Math.round(n / namespaces.length)} per value)`,
      byIndexOurs(NAMESPACE_INDEX, namespaces, nsQueries),
      byIndexFloor(byNamespace, namespaces, nsQueries),
      n / namespaces.length,
    ],
    [
      `byIndex byNode (${Math.round(n / nodes.length)} per value)`,
      byIndexOurs("byNode", nodes, nodeQueries),
      byIndexFloor(byNode, nodes, nodeQueries),
      n / nodes.length,
    ],
  ];
  const rows: Row[] = [];
  for (const [shape, ours, floor] of cases) {
    const o = await timeRuns(settings.runs, ours);
    const f = await timeRuns(settings.runs, floor);
    rows.push(row({
      workload: "indexer",
      n,
      shape,
      unit: "ns/op",
      median: o.median,
      min: o.min,
      max: o.max,
      floor: f.median,
      floorKind: shape === "getByKey" ? "Map.get" : "Map.get + Array.slice",
      bytesPerObject,
      runs: settings.runs,
      problems,
    }));
  }
  return rows;
}

/** Keeps the optimiser from dropping the indexer loops. */
export function indexerSink(): number {
  return indexSink;
}
