/**
 * Scenario 10 of the comparison, in a process of its own per library: sync N
 * pods from the benchmark's server process (`bench/_server.ts`), read the
 * retained heap after forced GC, then time K MODIFIED events. Prints one JSON
 * line. Runs on Deno and, for client-node, on Node (only erasable TypeScript).
 * Started by `run.ts`:
 *
 * ```sh
 * deno run -A --v8-flags=--expose-gc bench/compare/_scale_child.ts --side kubesnap \
 *   --api URL --control URL --pods 10000 --events 5000
 * node --expose-gc --experimental-strip-types bench/compare/_scale_child.ts --side client-node \
 *   --module <file URL of client-node's dist/index.js> --api URL --control URL --pods 10000 --events 5000
 * ```
 *
 * @module
 */

import type { Side, SideName } from "./_side.ts";

interface Runtime {
  args: string[];
  memory(): { heapUsed: number; rss: number };
  exit(code: number): never;
}

const deno = (globalThis as { Deno?: typeof Deno }).Deno;
const nodeProcess = (globalThis as unknown as {
  process?: {
    argv: string[];
    memoryUsage(): { heapUsed: number; rss: number };
    exit(c: number): never;
  };
}).process;
const runtime: Runtime = deno !== undefined
  ? { args: deno.args, memory: () => deno.memoryUsage(), exit: (c) => deno.exit(c) }
  : {
    args: nodeProcess!.argv.slice(2),
    memory: () => nodeProcess!.memoryUsage(),
    exit: (c) => nodeProcess!.exit(c),
  };

function arg(name: string): string | undefined {
  const i = runtime.args.indexOf(`--${name}`);
  return i >= 0 ? runtime.args[i + 1] : undefined;
}

function required(name: string): string {
  const value = arg(name);
  if (value === undefined) throw new TypeError(`--${name} is required`);
  return value;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function liveHeapMb(): Promise<number> {
  if (gc === undefined) throw new Error("run with --expose-gc");
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
  gc();
  return runtime.memory().heapUsed / (1024 * 1024);
}

async function waitFor(ready: () => boolean, timeoutMs: number): Promise<number | undefined> {
  const start = performance.now();
  for (;;) {
    if (ready()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Digest {
  keys: string[];
  rvs: string[];
}

async function check(side: Side, control: string): Promise<string> {
  const digest = await (await fetch(`${control}/digest`)).json() as Digest;
  const cache = await side.cache();
  let missing = 0;
  let stale = 0;
  digest.keys.forEach((key, i) => {
    const rv = cache.get(key);
    if (rv === undefined) missing++;
    else if (rv !== digest.rvs[i]) stale++;
  });
  const extra = cache.size - (digest.keys.length - missing);
  return missing + stale + extra === 0
    ? "ok"
    : `missing ${missing}, extra ${extra}, stale ${stale}`;
}

const name = required("side") as SideName;
const api = required("api");
const control = required("control");
const n = Number(required("pods"));
const events = Number(required("events"));
const kubeconfig = [
  "apiVersion: v1",
  "kind: Config",
  "current-context: fake",
  "clusters:",
  "- name: fake",
  "  cluster:",
  `    server: ${api}`,
  "    insecure-skip-tls-verify: true",
  "users:",
  "- name: bench",
  "  user:",
  "    token: unused",
  "contexts:",
  "- name: fake",
  "  context:",
  "    cluster: fake",
  "    user: bench",
  "",
].join("\n");

let side: Side;
if (name === "kubesnap") {
  const { kubesnapSide } = await import("./_kubesnap_side.ts");
  side = kubesnapSide({ kubeconfig, record: false });
} else {
  const { clientNodeSide, loadClientNode } = await import("./_client_node_side.ts");
  side = clientNodeSide(await loadClientNode(arg("module")), { kubeconfig, record: false });
}
const heapBeforeMb = await liveHeapMb();
const start = performance.now();
const synced = await side.start();
const syncMs = performance.now() - start;
const addsWait = await waitFor(() => side.counts.add >= n, 120_000);
const addsMs = addsWait === undefined ? -1 : performance.now() - start;
const syncCorrect = await check(side, control);
const heapAfterMb = await liveHeapMb();
const rssMb = runtime.memory().rss / (1024 * 1024);

const emitStart = performance.now();
const emit = await (await fetch(`${control}/emit?count=${events}`, { method: "POST" })).json() as {
  ms: number;
};
const done = await waitFor(() => side.counts.update >= events, 120_000);
const eventsMs = done === undefined ? -1 : performance.now() - emitStart;
const eventsCorrect = await check(side, control);

console.log(JSON.stringify({
  side: name,
  pods: n,
  events,
  synced,
  syncMs,
  addsMs,
  heapBeforeMb,
  heapAfterMb,
  rssMb,
  syncCorrect,
  emitServerMs: emit.ms,
  eventsMs,
  firstToLastMs: side.updateTimes.last - side.updateTimes.first,
  eventsCorrect,
}));
await side.stop();
runtime.exit(0);
