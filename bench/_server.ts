/**
 * The benchmark's apiserver process: a {@linkcode FakeApiServer} seeded with
 * N generated pods, plus a small HTTP control channel on a second port. It
 * runs in its own process so that serving never shares an event loop with
 * the client under test.
 *
 * Run by `bench/run.ts`:
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 bench/_server.ts --pods N [--namespaces K] [--history H] [--no-managed-fields]
 * ```
 *
 * Prints one JSON line on stdout once ready: `{ "api": url, "control": url,
 * "seedMs": ms, "resourceVersion": rv }`. Control endpoints (all answer JSON):
 *
 * | request | effect |
 * | --- | --- |
 * | `POST /emit?count=K` | K MODIFIED events as fast as possible (one synchronous loop, so the watch writes are batched); answers the RV before the burst, the last RV and the time spent |
 * | `POST /churn?modify=M&delete=D&create=C` | silent changes (no watch events, the RV advances): what a client misses while disconnected |
 * | `POST /expire` | `compact()` then `closeWatches()`: every watch ends and resuming it answers 410 |
 * | `GET /digest[?verify=1]` | the keys and resourceVersions of every pod (`verify=1` checks the tracking against `server.list`) |
 * | `POST /quit` | close everything and exit |
 *
 * @module
 */

import { pods } from "../src/api/resources.ts";
import type { Pod } from "../src/api/core_v1.ts";
import { FakeApiServer } from "../src/testing/mod.ts";
import { generatePod } from "./_pod_generator.ts";

interface ServerArgs {
  pods: number;
  namespaces: number;
  history: number;
  managedFields: boolean;
}

function parseArgs(args: readonly string[]): ServerArgs {
  const out: ServerArgs = { pods: 1000, namespaces: 100, history: 25_000, managedFields: true };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = () => {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 0) throw new TypeError(`${flag} needs an integer`);
      return v;
    };
    if (flag === "--pods") out.pods = value();
    else if (flag === "--namespaces") out.namespaces = Math.max(1, value());
    else if (flag === "--history") out.history = Math.max(1, value());
    else if (flag === "--no-managed-fields") out.managedFields = false;
    else throw new TypeError(`unknown flag ${flag}`);
  }
  return out;
}

const args = parseArgs(Deno.args);
const server = await FakeApiServer.start({
  historySize: args.history,
  bookmarkIntervalMs: 0,
  requestLogSize: 1,
});

/** Keys of the live pods, in creation order, with their current resourceVersion. */
const live = new Map<string, string>();
/** Keys in the order emits and churn walk through them. */
let order: string[] = [];
let cursor = 0;
let nextIndex = 0;
let changes = 0;
const CHANGE_BASE_MS = Date.UTC(2024, 5, 1);

function namespaceOf(index: number): string {
  return `ns-${index % args.namespaces}`;
}

function createPod(index: number, silent: boolean): void {
  const pod = generatePod(index, {
    namespace: namespaceOf(index),
    managedFields: args.managedFields,
  });
  const stored = server.create(pods, pod, { silent });
  live.set(
    `${stored.metadata!.namespace}/${stored.metadata!.name}`,
    stored.metadata!.resourceVersion!,
  );
}

const seedStart = performance.now();
for (; nextIndex < args.pods; nextIndex++) createPod(nextIndex, false);
const seedMs = performance.now() - seedStart;
order = [...live.keys()];

/** The next live key in round-robin order. */
function nextKey(): string {
  for (;;) {
    if (cursor >= order.length) {
      order = [...live.keys()];
      cursor = 0;
    }
    const key = order[cursor++]!;
    if (live.has(key)) return key;
  }
}

/**
 * Pods already read back from the server, kept current by `server.update`
 * (which writes the new metadata back), so that a burst spends no time
 * reading objects.
 */
const current = new Map<string, Pod>();

/** Changes a pod the way a kubelet status update does (sizes stay the same). */
function modify(key: string, silent: boolean): string {
  let pod = current.get(key);
  if (pod === undefined) {
    const slash = key.indexOf("/");
    pod = server.get(pods, key.slice(0, slash), key.slice(slash + 1))!;
    current.set(key, pod);
  }
  const status = pod.status!;
  const container = status.containerStatuses?.[0];
  if (container !== undefined) container.restartCount = (container.restartCount ?? 0) + 1;
  const ready = status.conditions?.find((c) => c.type === "Ready");
  if (ready !== undefined) {
    ready.lastTransitionTime = new Date(CHANGE_BASE_MS + 1000 * ++changes).toISOString()
      .replace(".000Z", "Z");
  }
  const stored = server.replace(pods, pod, { silent });
  const rv = stored.metadata!.resourceVersion!;
  live.set(key, rv);
  return rv;
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
}

function count(url: URL, name: string): number {
  const value = Number(url.searchParams.get(name) ?? "0");
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer`);
  return value;
}

function digest(verify: boolean): { resourceVersion: string; keys: string[]; rvs: string[] } {
  const keys = [...live.keys()].sort();
  const rvs = keys.map((k) => live.get(k)!);
  if (verify) {
    const actual = server.list(pods);
    if (actual.length !== keys.length) {
      throw new Error(`tracking lost: ${actual.length} pods stored, ${keys.length} tracked`);
    }
    for (const pod of actual) {
      const key = `${pod.metadata!.namespace}/${pod.metadata!.name}`;
      if (live.get(key) !== pod.metadata!.resourceVersion) {
        throw new Error(`tracking lost for ${key}`);
      }
    }
  }
  return { resourceVersion: server.resourceVersion, keys, rvs };
}

const controlAbort = new AbortController();

function handle(request: Request): Response {
  const url = new URL(request.url);
  const route = `${request.method} ${url.pathname}`;
  switch (route) {
    case "POST /emit": {
      const k = count(url, "count");
      const before = server.resourceVersion;
      const start = performance.now();
      let last = before;
      for (let i = 0; i < k; i++) last = modify(nextKey(), false);
      return json({
        fromResourceVersion: before,
        lastResourceVersion: last,
        ms: performance.now() - start,
      });
    }
    case "POST /churn": {
      const m = count(url, "modify");
      const d = count(url, "delete");
      const c = count(url, "create");
      const start = performance.now();
      for (let i = 0; i < m; i++) modify(nextKey(), true);
      for (let i = 0; i < d; i++) {
        const key = nextKey();
        const slash = key.indexOf("/");
        server.delete(pods, key.slice(0, slash), key.slice(slash + 1), { silent: true });
        live.delete(key);
        current.delete(key);
      }
      for (let i = 0; i < c; i++) createPod(nextIndex++, true);
      return json({ modified: m, deleted: d, created: c, ms: performance.now() - start });
    }
    case "POST /expire": {
      server.compact();
      return json({ closed: server.closeWatches(), resourceVersion: server.resourceVersion });
    }
    case "GET /digest":
      return json(digest(url.searchParams.get("verify") === "1"));
    case "POST /quit":
      queueMicrotask(async () => {
        controlAbort.abort();
        await server.close();
        await controlServer.finished;
        Deno.exit(0);
      });
      return json({ ok: true });
    default:
      return new Response("not found\n", { status: 404 });
  }
}

const controlServer: Deno.HttpServer = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  signal: controlAbort.signal,
  onListen: ({ port }) => {
    console.log(JSON.stringify({
      api: server.url,
      control: `http://127.0.0.1:${port}`,
      seedMs,
      resourceVersion: server.resourceVersion,
    }));
  },
}, (request) => {
  try {
    return handle(request);
  } catch (err) {
    return new Response(JSON.stringify({ error: String(err) }), { status: 500 });
  }
});
