/**
 * Pieces shared by the benchmark workloads: the apiserver subprocess and its
 * control channel, the bytes-only clients that prove the server is not the
 * bottleneck (and fetch the exact bytes the floors are measured on), the
 * floors themselves, statistics and heap readings.
 *
 * @module
 */

/** Where the apiserver process listens, and how it was seeded. */
export interface ServerInfo {
  /** Base URL of the fake apiserver. */
  api: string;
  /** Base URL of the control channel. */
  control: string;
  /** Time the server spent creating the seed pods. */
  seedMs: number;
}

/** The keys and resourceVersions the server holds. */
export interface Digest {
  /** The server's current resourceVersion. */
  resourceVersion: string;
  /** Sorted keys. */
  keys: string[];
  /** resourceVersion of each key. */
  rvs: string[];
}

/** The apiserver subprocess. */
export class ServerProcess {
  readonly info: ServerInfo;
  readonly pods: number;
  readonly #child: Deno.ChildProcess;
  #digest: Digest | undefined;

  constructor(info: ServerInfo, pods: number, child: Deno.ChildProcess) {
    this.info = info;
    this.pods = pods;
    this.#child = child;
  }

  /** Starts `bench/_server.ts` with N pods and waits until it is ready. */
  static async start(
    pods: number,
    options: { history: number; maxOldSpaceMb: number },
  ): Promise<ServerProcess> {
    const script = new URL("./_server.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        `--v8-flags=--max-old-space-size=${options.maxOldSpaceMb}`,
        script,
        "--pods",
        String(pods),
        "--history",
        String(options.history),
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the server process exited before it was ready: ${text}`);
      text += value;
    }
    // Keep draining stdout so that the child never blocks on a full pipe.
    (async () => {
      while (!(await reader.read()).done) { /* discard */ }
    })().catch(() => {});
    const info = JSON.parse(text.slice(0, text.indexOf("\n"))) as ServerInfo;
    return new ServerProcess(info, pods, child);
  }

  async #call<R>(method: string, path: string): Promise<R> {
    const res = await fetch(`${this.info.control}${path}`, { method });
    const body = await res.text();
    if (!res.ok) throw new Error(`control ${path} failed: ${res.status} ${body}`);
    return JSON.parse(body) as R;
  }

  /** K MODIFIED events in one synchronous burst. */
  emit(
    count: number,
  ): Promise<{ fromResourceVersion: string; lastResourceVersion: string; ms: number }> {
    this.#digest = undefined;
    return this.#call("POST", `/emit?count=${count}`);
  }

  /** Silent modifications, deletions and creations. */
  churn(modify: number, del: number, create: number): Promise<{ ms: number }> {
    this.#digest = undefined;
    return this.#call("POST", `/churn?modify=${modify}&delete=${del}&create=${create}`);
  }

  /** Compacts the history and closes every watch. */
  expire(): Promise<{ closed: number; resourceVersion: string }> {
    return this.#call("POST", "/expire");
  }

  /** The server's keys and resourceVersions (cached until the next write through this object). */
  async digest(verify = false): Promise<Digest> {
    if (verify || this.#digest === undefined) {
      this.#digest = await this.#call<Digest>("GET", `/digest${verify ? "?verify=1" : ""}`);
    }
    return this.#digest;
  }

  /** Stops the process. */
  async stop(): Promise<void> {
    try {
      await this.#call("POST", "/quit");
    } catch {
      this.#child.kill();
    }
    await this.#child.status;
  }
}

// ---------------------------------------------------------------------------
// Statistics.

/** Median, min and max of a sample. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  values: number[];
}

/** Summarises a non-empty sample. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, values: [...values] };
}

/** Runs `fn` once to warm up, then `runs` times; returns the timings. */
export async function timeRuns(
  runs: number,
  fn: () => Promise<number> | number,
): Promise<Summary> {
  await fn();
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await fn());
  return summarize(values);
}

// ---------------------------------------------------------------------------
// Heap.

const gc = (globalThis as { gc?: () => void }).gc;

/** Whether `--expose-gc` is on. */
export function hasGc(): boolean {
  return gc !== undefined;
}

/** Heap in use after full garbage collections, now. */
export function liveHeapNow(): number {
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  gc();
  gc();
  return Deno.memoryUsage().heapUsed;
}

/**
 * Heap in use after full garbage collections, after one macrotask: a
 * stopped informer's objects stay reachable from the aborted request's
 * clean-up until then.
 */
export async function liveHeap(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  return liveHeapNow();
}

/** Samples `heapUsed` every `intervalMs` (without forcing GC) until stopped; keeps the peak. */
export class HeapSampler {
  peak = 0;
  samples = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(intervalMs: number, collect = false) {
    this.sample();
    this.#timer = setInterval(() => {
      if (collect) gc?.();
      this.sample();
    }, intervalMs);
  }

  /** Takes one sample now. */
  sample(): void {
    const used = Deno.memoryUsage().heapUsed;
    this.samples++;
    if (used > this.peak) this.peak = used;
  }

  /** Stops sampling (after a last sample) and returns the peak. */
  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.peak;
  }
}

// ---------------------------------------------------------------------------
// Bytes-only clients.

/** A body fetched as raw bytes. */
export interface RawFetch {
  /** From sending the (first) request to the last byte needed. */
  ms: number;
  /** Bytes received. */
  bytes: number;
  /** Time spent waiting for first bytes (the sum over pages for a paginated list). */
  waitMs: number;
  /** The chunks, per response, when kept. */
  bodies: Uint8Array[][];
}

const NEWLINE = 10;
const decoder = new TextDecoder();

function continueOf(prefix: Uint8Array): string | undefined {
  const head = decoder.decode(prefix.subarray(0, 4096));
  const items = head.indexOf('"items":');
  const meta = items === -1 ? head : head.slice(0, items);
  const match = /"continue":"([^"]*)"/.exec(meta);
  return match?.[1] || undefined;
}

/** Fetches every page of a paginated pod list (no resourceVersion, `limit`), bytes only. */
export async function rawPages(api: string, limit: number, keep: boolean): Promise<RawFetch> {
  const start = performance.now();
  const bodies: Uint8Array[][] = [];
  let bytes = 0;
  let waitMs = 0;
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ limit: String(limit) });
    if (token !== undefined) query.set("continue", token);
    const asked = performance.now();
    const res = await fetch(`${api}/api/v1/pods?${query}`);
    if (!res.ok || res.body === null) throw new Error(`list page failed: ${res.status}`);
    const chunks: Uint8Array[] = [];
    let first: Uint8Array | undefined;
    for await (const chunk of res.body) {
      if (first === undefined) waitMs += performance.now() - asked;
      first ??= chunk;
      bytes += chunk.byteLength;
      if (keep) chunks.push(chunk);
    }
    token = first === undefined ? undefined : continueOf(first);
    if (keep) bodies.push(chunks);
  } while (token !== undefined);
  return { ms: performance.now() - start, bytes, waitMs, bodies };
}

/**
 * Opens a watch and reads until `lines` newline-terminated lines have
 * arrived, bytes only. `fromFirstByte` starts the clock at the first byte
 * (the server queued everything before sending anything) rather than at the
 * request.
 */
export async function rawWatch(
  url: string,
  lines: number,
  keep: boolean,
  fromFirstByte: boolean,
): Promise<RawFetch> {
  const ac = new AbortController();
  let start = performance.now();
  const res = await fetch(url, { signal: ac.signal });
  if (!res.ok || res.body === null) throw new Error(`watch failed: ${res.status}`);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let seen = 0;
  let first = true;
  let waitMs = 0;
  let ms: number;
  try {
    while (seen < lines) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`watch ended after ${seen} of ${lines} lines`);
      if (first) {
        waitMs = performance.now() - start;
        if (fromFirstByte) start = performance.now();
      }
      first = false;
      bytes += value.byteLength;
      if (keep) chunks.push(value);
      let at = value.indexOf(NEWLINE);
      while (at !== -1) {
        seen++;
        at = value.indexOf(NEWLINE, at + 1);
      }
    }
    ms = performance.now() - start;
  } finally {
    ac.abort();
    await reader.cancel().catch(() => {});
  }
  return { ms, bytes, waitMs, bodies: [chunks] };
}

/** URL of the streaming list the reflector opens (sendInitialEvents). */
export function streamingListUrl(api: string): string {
  return `${api}/api/v1/pods?watch=true&resourceVersion=&resourceVersionMatch=NotOlderThan` +
    `&allowWatchBookmarks=true&sendInitialEvents=true`;
}

/** Splits kept chunks into lines (strings), without ever building one huge string. */
export function splitLines(chunks: readonly Uint8Array[]): string[] {
  const out: string[] = [];
  const streaming = new TextDecoder();
  let carry = "";
  for (const chunk of chunks) {
    const text = streaming.decode(chunk, { stream: true });
    let start = 0;
    let nl = text.indexOf("\n");
    while (nl !== -1) {
      const piece = text.slice(start, nl);
      out.push(carry === "" ? piece : carry + piece);
      carry = "";
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    carry += text.slice(start);
  }
  carry += streaming.decode();
  if (carry.trim() !== "") out.push(carry);
  return out;
}

/** Decodes each kept body into one string. */
export function bodiesToText(bodies: readonly Uint8Array[][]): string[] {
  return bodies.map((chunks) => {
    const d = new TextDecoder();
    let text = "";
    for (const chunk of chunks) text += d.decode(chunk, { stream: true });
    return text + d.decode();
  });
}

// ---------------------------------------------------------------------------
// Floors.

interface Meta {
  metadata?: { namespace?: string; name?: string; resourceVersion?: string };
}

let sink = 0;

/** `JSON.parse` of every string. */
export function parseFloor(texts: readonly string[]): number {
  const start = performance.now();
  let n = 0;
  for (const text of texts) {
    const value = JSON.parse(text);
    if (value !== null) n++;
  }
  const ms = performance.now() - start;
  sink += n;
  return ms;
}

/** `JSON.parse` of every list page plus `Map.set` of every item by key. */
export function pagesStoreFloor(
  pages: readonly string[],
): { ms: number; store: Map<string, unknown> } {
  const start = performance.now();
  const store = new Map<string, unknown>();
  for (const page of pages) {
    const list = JSON.parse(page) as { items: Meta[] };
    for (const item of list.items) {
      store.set(`${item.metadata!.namespace}/${item.metadata!.name}`, item);
    }
  }
  return { ms: performance.now() - start, store };
}

/** `JSON.parse` of every watch line plus `Map.set` of every object (bookmarks skipped). */
export function linesStoreFloor(
  lines: readonly string[],
): { ms: number; store: Map<string, unknown> } {
  const start = performance.now();
  const store = new Map<string, unknown>();
  for (const line of lines) {
    const event = JSON.parse(line) as { type: string; object: Meta };
    if (event.type === "BOOKMARK") continue;
    const meta = event.object.metadata!;
    store.set(`${meta.namespace}/${meta.name}`, event.object);
  }
  return { ms: performance.now() - start, store };
}

/** Keeps the optimiser from dropping floor work. */
export function floorSink(): number {
  return sink;
}

/** Compares a cache with the server's digest; returns a description of the first difference. */
export function compareWithDigest(
  objects: Iterable<Meta>,
  digest: Digest,
): string | undefined {
  const expected = new Map<string, string>();
  for (let i = 0; i < digest.keys.length; i++) expected.set(digest.keys[i]!, digest.rvs[i]!);
  let count = 0;
  for (const object of objects) {
    count++;
    const meta = object.metadata ?? {};
    const key = `${meta.namespace}/${meta.name}`;
    const rv = expected.get(key);
    if (rv === undefined) return `unexpected object ${key}`;
    if (rv !== meta.resourceVersion) {
      return `${key} at resourceVersion ${meta.resourceVersion}, server has ${rv}`;
    }
  }
  if (count !== expected.size) return `${count} objects cached, server has ${expected.size}`;
  return undefined;
}
