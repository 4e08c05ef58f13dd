/**
 * The benchmark suite (`deno task bench`): the informer against the physical
 * floor, for N = 1k, 10k and 50k realistic pods (and 150k with `--large`).
 *
 * ```sh
 * deno task bench [--large] [--quick] [--only sync,watch,memory,relist,indexer] [--runs N]
 * ```
 *
 * - `--quick`: N = 1k only, every workload, 3 runs, bursts of 2k events (a smoke run).
 * - `--only W`: only these workloads (comma-separated, or the flag repeated).
 * - `--runs N`: measured runs per figure, after one warm-up (default 5).
 * - `--sizes a,b`: other N (for development).
 *
 * Sync, watch and memory also run with `dropManagedFields: true`, next to the
 * `JSON.parse` floor of the bytes as received (managedFields included).
 * - `--events K`: watch events per burst (default 20k).
 *
 * A complete default or `--large` run writes `bench/results.json` and
 * `BENCHMARKS.md`; partial runs (`--quick`, `--only`, `--sizes`, fewer than
 * 5 runs) write `bench/results/latest.json` and `bench/results/latest.md`
 * instead. The exit code is 1 when any row failed (a wrong cache, an error,
 * or a server that could not be ruled out as the bottleneck).
 *
 * Needs `--v8-flags=--expose-gc` (heap figures) and permissions to reach
 * 127.0.0.1, run the server subprocess, and read/write the output files.
 *
 * @module
 */

import { writeChart } from "./_chart.ts";
import { floorSink, hasGc, liveHeap, ServerProcess, summarize, type Summary } from "./_harness.ts";
import {
  benchmarksMarkdown,
  loadAverage,
  machineInfo,
  notes,
  realApiserverSection,
  type RunInfo,
  targetSummary,
  textTable,
} from "./_report.ts";
import {
  indexerSink,
  indexerWorkload,
  jsonSizes,
  listBytes,
  memoryWorkload,
  parsedMapHeap,
  relistWorkload,
  residentInformer,
  type Row,
  row,
  type Settings,
  type Sizes,
  syncWorkload,
  type WatchFloors,
  watchWorkload,
} from "./_workloads.ts";

const WORKLOADS = ["sync", "watch", "memory", "relist", "indexer"] as const;
type Workload = typeof WORKLOADS[number];

/** The `deno task bench` command, as recorded in BENCHMARKS.md. */
const TASK = "deno task bench";

interface Args {
  large: boolean;
  quick: boolean;
  only: Set<Workload>;
  runs: number;
  sizes: number[] | undefined;
  events: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    large: false,
    quick: false,
    only: new Set(),
    runs: 0,
    sizes: undefined,
    events: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new TypeError(`${flag} needs a value`);
      return v;
    };
    const integer = (): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${flag} needs a positive integer`);
      return v;
    };
    switch (flag) {
      case "--large":
        args.large = true;
        break;
      case "--quick":
        args.quick = true;
        break;
      case "--runs":
        args.runs = integer();
        break;
      case "--events":
        args.events = integer();
        break;
      case "--sizes":
        args.sizes = value().split(",").map((s) => {
          const v = Number(s);
          if (!Number.isInteger(v) || v < 1) throw new RangeError(`bad size ${s}`);
          return v;
        });
        break;
      case "--only":
        for (const w of value().split(",")) {
          if (!(WORKLOADS as readonly string[]).includes(w)) {
            throw new TypeError(`unknown workload ${w}; one of ${WORKLOADS.join(", ")}`);
          }
          args.only.add(w as Workload);
        }
        break;
      default:
        throw new TypeError(`unknown flag ${flag}`);
    }
  }
  args.runs ||= args.quick ? 3 : 5;
  args.events ||= args.quick ? 2_000 : 20_000;
  return args;
}

function log(message: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  console.error(`[${t}s] ${message}`);
}

const started = performance.now();
const args = parseArgs(Deno.args);
if (!hasGc()) {
  console.error("bench/run.ts needs --v8-flags=--expose-gc (use deno task bench)");
  Deno.exit(2);
}
const sizes = args.sizes ??
  (args.quick ? [1000] : [1000, 10_000, 50_000, ...(args.large ? [150_000] : [])]);
const want = (w: Workload) => args.only.size === 0 || args.only.has(w);
const settings: Settings = { runs: args.runs, watchEvents: args.events, log };
const loadBefore = loadAverage();
const rows: Row[] = [];

function failure(workload: string, n: number, shape: string, err: unknown): Row {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  log(`${workload} n=${n} ${shape} FAILED: ${message}`);
  return row({
    workload,
    n,
    shape,
    unit: "ms",
    median: NaN,
    min: NaN,
    max: NaN,
    floor: null,
    floorKind: "-",
    bytesPerObject: null,
    runs: 0,
    problems: [message],
  });
}

async function attempt<T>(
  workload: string,
  n: number,
  shape: string,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    rows.push(failure(workload, n, shape, err));
    return undefined;
  }
}

/**
 * Memory and the watch burst on an informer with `dropManagedFields: true`;
 * returns the burst's floors (the bytes as received, the same for every
 * informer) for the other watch rows.
 */
async function droppedWorkloads(
  server: ServerProcess,
  sizes: Sizes,
): Promise<WatchFloors | undefined> {
  const n = server.pods;
  const state = await attempt("memory", n, "dropManagedFields", async () => {
    const result = await memoryWorkload(server, "dropManagedFields", sizes, settings);
    if (want("memory")) rows.push(result.row);
    return result.resident;
  });
  if (state === undefined) return undefined;
  try {
    if (!want("watch")) return undefined;
    const r = await attempt(
      "watch",
      n,
      "1 handler, dropManagedFields",
      () => watchWorkload(server, state.informer, 1, sizes.full, settings, undefined, true),
    );
    if (r === undefined) return undefined;
    rows.push(r.row);
    return r.floors;
  } finally {
    await state.stop();
  }
}

/** Memory (with managedFields), watch, streaming relist and indexer on one resident informer. */
async function residentWorkloads(
  server: ServerProcess,
  sizes: Sizes,
  watchFloors: WatchFloors | undefined,
): Promise<void> {
  const n = server.pods;
  const base = await liveHeap();
  const state = await attempt("memory", n, "managedFields", async () => {
    if (!want("memory")) return await residentInformer(server.info.api, "streaming");
    const result = await memoryWorkload(server, "managedFields", sizes, settings);
    rows.push(result.row);
    return result.resident;
  });
  if (state === undefined) return;
  try {
    if (want("watch")) {
      // The floors are measured once per size, on the 1-handler burst: the
      // 10-handler burst changes the same pods the same way.
      let floors = watchFloors;
      for (const handlers of [1, 10]) {
        const r = await attempt(
          "watch",
          n,
          `${handlers} handlers`,
          () => watchWorkload(server, state.informer, handlers, sizes.full, settings, floors),
        );
        if (r !== undefined) {
          rows.push(r.row);
          floors = r.floors;
        }
      }
    }
    if (want("relist")) {
      const r = await attempt(
        "relist",
        n,
        "streaming",
        () => relistWorkload(server, state, "streaming", base, sizes.full, settings),
      );
      if (r !== undefined) rows.push(...r);
    }
    if (want("indexer") && (n >= 50_000 || args.quick || args.sizes !== undefined)) {
      const r = await attempt(
        "indexer",
        n,
        "-",
        () => indexerWorkload(server, state.informer, sizes.full, settings),
      );
      if (r !== undefined) rows.push(...r);
    }
  } finally {
    await state.stop();
  }
}

/** Relist after a 410 with LIST pages, on an informer with streaming lists off. */
async function pagedRelist(server: ServerProcess, bytesPerObject: number): Promise<void> {
  const n = server.pods;
  const base = await liveHeap();
  const r = await attempt("relist", n, "paginated", async () => {
    const paged = await residentInformer(server.info.api, "paginated");
    try {
      return await relistWorkload(server, paged, "paginated", base, bytesPerObject, settings);
    } finally {
      await paged.stop();
    }
  });
  if (r !== undefined) rows.push(...r);
}

for (const n of sizes) {
  log(`n=${n}: starting the apiserver process and seeding ${n} pods`);
  const server = await ServerProcess.start(n, {
    history: Math.max(25_000, args.events + 5_000),
    maxOldSpaceMb: n > 60_000 ? 16_384 : 8_192,
  });
  log(`n=${n}: seeded in ${(server.info.seedMs / 1000).toFixed(1)} s`);
  try {
    let jsonBytes: Sizes | undefined;
    if (want("sync")) {
      for (const shape of ["streaming", "paginated"] as const) {
        const result = await attempt(
          "sync",
          n,
          shape,
          () => syncWorkload(server, shape, settings, jsonBytes === undefined),
        );
        if (result !== undefined) {
          rows.push(...result.rows);
          jsonBytes ??= result.sizes;
        }
      }
    }
    const resident = want("memory") || want("watch") || want("relist") || want("indexer");
    if (resident && jsonBytes === undefined) {
      const bytes = await listBytes(server, "streaming", 1, n);
      const json = jsonSizes("streaming", bytes.texts);
      const parsedMap = want("memory") ? await parsedMapHeap(bytes.texts, "streaming") : NaN;
      jsonBytes = { full: json.full, stripped: json.stripped, parsedMap };
      bytes.texts.length = 0;
    }
    if (want("memory") && jsonBytes !== undefined) {
      const sizesOfJson = jsonBytes;
      const stripped = await attempt("memory", n, "stripManagedFields", async () => {
        const result = await memoryWorkload(server, "stripManagedFields", sizesOfJson, settings);
        await result.resident.stop();
        return result.row;
      });
      if (stripped !== undefined) rows.push(stripped);
    }
    let watchFloors: WatchFloors | undefined;
    if ((want("memory") || want("watch")) && jsonBytes !== undefined) {
      watchFloors = await droppedWorkloads(server, jsonBytes);
    }
    if (resident && jsonBytes !== undefined) {
      await residentWorkloads(server, jsonBytes, watchFloors);
      if (want("relist")) await pagedRelist(server, jsonBytes.full);
    }
    if (n <= 10_000) {
      await attempt("harness", n, "server digest", () => server.digest(true));
    }
  } finally {
    await server.stop();
  }
}

// Cost grows linearly: per-object sync time at the largest N against 10k.
for (const shape of ["paginated", "streaming"]) {
  const at = (n: number) =>
    rows.find((r) => r.workload === "sync" && r.shape === shape && r.n === n && r.status === "ok");
  const small = at(10_000);
  for (const n of [50_000, 150_000]) {
    const big = at(n);
    if (small === undefined || big === undefined) continue;
    const per = (r: Row): Summary =>
      summarize([r.median, r.min, r.max].map((v) => (v * 1000) / r.n));
    const b = per(big);
    const s = per(small);
    const ratio = b.median / s.median;
    rows.push(row({
      workload: "sync-linearity",
      n,
      shape,
      unit: "us/object",
      median: b.median,
      min: b.min,
      max: b.max,
      floor: s.median,
      floorKind: "us/object at n=10000",
      ratio,
      bytesPerObject: big.bytesPerObject,
      target: "<= 1.2x of 10k",
      met: ratio <= 1.2,
      runs: big.runs,
    }));
  }
}

const durationS = (performance.now() - started) / 1000;
const info: RunInfo = {
  command: `${TASK}${Deno.args.length > 0 ? ` ${Deno.args.join(" ")}` : ""}`,
  machine: await machineInfo(),
  runtime:
    `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript}`,
  load: `${loadBefore} / ${loadAverage()}`,
  date: new Date(Date.now() - durationS * 1000).toISOString(),
  durationS,
  runs: args.runs,
  watchEvents: args.events,
};

console.log(textTable(rows));
console.log("");
for (const line of targetSummary(rows)) console.log(line);
console.log("");
for (const line of notes(rows)) console.log(line);
console.log("");
console.log(`${info.command}: ${durationS.toFixed(0)} s on ${info.machine}; ${info.runtime}`);

const complete = !args.quick && args.only.size === 0 && args.sizes === undefined &&
  args.runs >= 5 && args.events === 20_000;
const dir = new URL("./", import.meta.url);
const previous = await Deno.readTextFile(new URL("../BENCHMARKS.md", dir)).catch(() => "");
const markdown = benchmarksMarkdown(rows, info, realApiserverSection(previous));
const json = JSON.stringify(rows, null, 2) + "\n";
if (complete) {
  await Deno.writeTextFile(new URL("results.json", dir), json);
  await Deno.writeTextFile(new URL("../BENCHMARKS.md", dir), markdown);
  // Committed files: keep them as `deno fmt --check` wants them.
  await new Deno.Command(Deno.execPath(), {
    args: [
      "fmt",
      "--quiet",
      new URL("results.json", dir).pathname,
      new URL("../BENCHMARKS.md", dir).pathname,
    ],
  }).output();
  await writeChart(rows);
  log("wrote bench/results.json, BENCHMARKS.md and bench/chart.svg");
} else {
  await Deno.mkdir(new URL("results/", dir), { recursive: true });
  await Deno.writeTextFile(new URL("results/latest.json", dir), json);
  await Deno.writeTextFile(new URL("results/latest.md", dir), markdown);
  await writeChart(rows, new URL("results/latest-chart.svg", dir));
  log(
    "partial run: wrote bench/results/latest.json, bench/results/latest.md and bench/results/latest-chart.svg",
  );
}
if (floorSink() + indexerSink() < 0) console.log("unreachable");
Deno.exit(rows.some((r) => r.status === "failed") ? 1 : 0);
