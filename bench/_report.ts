/**
 * Output of the benchmark suite: the table on stdout, `results.json` and
 * `BENCHMARKS.md`.
 *
 * @module
 */

import type { Row } from "./_workloads.ts";

/** What the report says about where and how it ran. */
export interface RunInfo {
  /** The exact command line. */
  command: string;
  /** CPU model, cores, memory. */
  machine: string;
  /** Deno and V8 versions. */
  runtime: string;
  /** Load average before and after (other work on the machine shows here). */
  load: string;
  /** When the run started (ISO 8601). */
  date: string;
  /** Wall-clock duration in seconds. */
  durationS: number;
  /** Measured runs per figure. */
  runs: number;
  /** Watch events per burst. */
  watchEvents: number;
}

async function cpuModel(): Promise<string> {
  try {
    // /proc files cannot be read without --allow-all; cat them instead.
    const out = await new Deno.Command("cat", { args: ["/proc/cpuinfo"], stderr: "null" }).output();
    const text = new TextDecoder().decode(out.stdout);
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

/** CPU model, cores and memory of this machine. */
export async function machineInfo(): Promise<string> {
  let memory = "unknown memory";
  try {
    memory = `${(Deno.systemMemoryInfo().total / 1024 ** 3).toFixed(1)} GiB RAM`;
  } catch {
    // No --allow-sys.
  }
  return `${await cpuModel()}, ${navigator.hardwareConcurrency} cores, ${memory}, ${Deno.build.os}/${Deno.build.arch}`;
}

/** The 1-minute load average, or "?". */
export function loadAverage(): string {
  try {
    return Deno.loadavg()[0]?.toFixed(2) ?? "?";
  } catch {
    return "?";
  }
}

function num(value: number | null, digits = 0): string {
  if (value === null || !Number.isFinite(value)) return "-";
  if (Math.abs(value) >= 100 || digits === 0) {
    return value.toFixed(Math.abs(value) < 10 && digits > 0 ? digits : 0);
  }
  return value.toFixed(digits);
}

function figure(value: number, unit: Row["unit"]): string {
  switch (unit) {
    case "ms":
      return value < 10 ? value.toFixed(2) : value.toFixed(0);
    case "ns/op":
      return value < 100 ? value.toFixed(1) : value.toFixed(0);
    case "us/object":
      return value.toFixed(1);
    default:
      return value.toFixed(0);
  }
}

/** Table columns: header and cell of a row. */
const COLUMNS: [string, (row: Row) => string][] = [
  ["workload", (r) => r.workload],
  ["n", (r) => String(r.n)],
  ["shape", (r) => r.shape],
  ["unit", (r) => r.unit],
  ["median", (r) => figure(r.median, r.unit)],
  ["min..max", (r) => `${figure(r.min, r.unit)}..${figure(r.max, r.unit)}`],
  ["floor", (r) => (r.floor === null ? "-" : figure(r.floor, r.unit))],
  ["floor is", (r) => r.floorKind],
  ["ratio", (r) => (r.ratio === null ? "-" : `${r.ratio.toFixed(2)}x`)],
  ["target", (r) => r.target ?? "-"],
  ["met", (r) => (r.met === null ? "-" : r.met ? "yes" : "NO")],
  ["JSON B/obj", (r) => num(r.bytesPerObject)],
  ["drain ms", (r) => (r.drainMs === null ? "-" : figure(r.drainMs, "ms"))],
  ["drain MB/s", (r) => num(r.drainMBps)],
  ["status", (r) => (r.status === "ok" ? "ok" : "FAILED")],
];

/** The results as an aligned plain-text table. */
export function textTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => COLUMNS.map(([, cell]) => cell(r)));
  const widths = COLUMNS.map(([header], i) =>
    Math.max(header.length, ...cells.map((line) => line[i]!.length))
  );
  const line = (values: readonly string[]) =>
    values.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  const out = [line(COLUMNS.map(([h]) => h)), line(widths.map((w) => "-".repeat(w)))];
  for (const c of cells) out.push(line(c));
  return out.join("\n");
}

/** The results as a Markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const out = [
    `| ${COLUMNS.map(([h]) => h).join(" | ")} |`,
    `| ${COLUMNS.map(() => "---").join(" | ")} |`,
  ];
  for (const r of rows) {
    out.push(`| ${COLUMNS.map(([, cell]) => cell(r).replaceAll("|", "\\|")).join(" | ")} |`);
  }
  return out.join("\n");
}

/** Problems and notable extras, one line each. */
export function notes(rows: readonly Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const label = `${r.workload} n=${r.n} ${r.shape}`;
    for (const p of r.problems) out.push(`FAILED ${label}: ${p}`);
  }
  for (const r of rows) {
    const label = `${r.workload} n=${r.n} ${r.shape}`;
    const extra = Object.entries(r.extra).map(([k, v]) =>
      `${k}=${typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(2)) : v}`
    );
    if (extra.length > 0) out.push(`${label}: ${extra.join(", ")}`);
  }
  return out;
}

/** Target lines: each targeted row, met or missed. */
export function targetSummary(rows: readonly Row[]): string[] {
  return rows.filter((r) => r.met !== null).map((r) =>
    `${r.met ? "met   " : "MISSED"} ${r.workload} n=${r.n} ${r.shape}: ${
      r.ratio === null ? "" : `${r.ratio.toFixed(2)}x `
    }(target ${r.target})`
  );
}

const HOW_TO_READ =
  `Each figure is ours next to a floor measured in the same run, on the same bytes, in the same
process: the suite first fetches exactly what the informer fetched (the list pages, the streaming
list's event lines, or a replay of the watch burst from the server's history) with a bytes-only
client, then times \`JSON.parse\` of those strings (the parse floor) and \`JSON.parse\` plus
\`Map.set\` by key (the store floor). \`ratio\` is ours / floor, so 1.00x would mean the informer
costs nothing beyond parsing and storing; the floors leave out the network and UTF-8 decoding,
which the informer cannot (\`drainPlusStoreMs\` in the notes adds them back). Times are the median
of the measured runs after one warm-up, with min..max. \`drain\` is the bytes-only fetch of the
same body: a row fails when it is not below half of our time, because then the fake apiserver (a
separate process) might be what we measured; \`drainFirstByteMs\` is how long that client waited
for first bytes (the server preparing a page, or the first batch of a streaming list).

- sync: from \`factory.start()\` to \`waitForCacheSync()\`, a new factory per run.
- \`dropManagedFields\` rows: the same workload with \`informerOptions: { dropManagedFields: true }\`
  (managedFields cut out of the JSON text before \`JSON.parse\`), next to \`JSON.parse\` of the
  bytes as received, managedFields included (\`JSON.parse of the unstripped bytes\`): below
  1.00x, the informer does the whole sync in less time than parsing what the server sent takes.
  Sync runs with and without it alternate; every sync row's notes carry both floors
  (\`parseFloorMs\`, \`storeFloorMs\`). Memory compares with the JSON bytes without managedFields.
- watch: N pods cached, the server applies 20k changes in one synchronous loop (so the whole
  burst is queued before its first byte leaves), timed from the first update notification to
  the last one of every handler. \`storeFloorMs\` in the notes is the store floor of the same
  lines: keeping every parsed object costs the garbage collector what the parse floor does not.
  The floors are measured once per N on the 1-handler burst; the 10-handler burst changes the same
  pods the same way (\`floorsFrom\` in the notes).
- memory: retained heap per cached object after forced GC, against the JSON bytes of one object
  as received (or without managedFields); \`parsedMapBytesPerObject\` in the notes is the same
  figure for a plain Map of \`JSON.parse\` results.
- relist: the server changes 1% of the pods, deletes and creates 0.1% without events, compacts
  its history and closes the watch; timed to the last expected notification, and every update
  notification for an unchanged object is counted (it must be 0). The informers of this
  workload use a 1 ms backoff: the reflector's default (0.8 s, doubling, as in client-go) would
  otherwise be most of the time.
- relist-peak-heap: the live heap at its highest during that relist (a full GC and a reading at
  every tenth of the objects received, counted as list pages and watch events arrive, the last
  just before the new list replaces the cache),
  over the cache's steady-state heap, both net of the heap before the informer existed.
  \`sampledPeakRatio\` in the notes is the same with \`heapUsed\` read every 2 ms without GC
  (garbage included) during the timed runs.
- indexer: nanoseconds per call at N = 50k; the floors are a plain \`Map.get\` and a
  \`Map.get\` of a precomputed array plus \`slice()\`.

Two targets sit below what plain JavaScript objects allow, and the rows say so rather than hide
it. Memory: a \`Map\` of \`JSON.parse\` results alone holds a pod of 8.6 KB in about 16.6 KB
(\`parsedMapBytesPerObject\`), because a pod is over 200 small objects (half of them the empty
leaves of managedFields) and V8 spends more on each object than its JSON text does; the cache
adds almost nothing to that. Watch: the parse floor throws its objects away at once, while a cache
keeps every new object (promoted to the old generation) and turns the one it replaces into
old-generation garbage; \`storeFloorMs\`, the same lines parsed and kept in a \`Map\`, is the
fairer floor for that row.

A run whose cache differs from the server's keys and resourceVersions at the end is a failed
run, however fast. Numbers come from a machine shared with other work (see the load average),
so compare ratios, not absolute times. To see where the time goes:
\`deno run -A --cpu-prof --cpu-prof-dir=bench/results/prof --v8-flags=--expose-gc
bench/profile.ts sync|watch|relist [paginated|streaming] [N]\`, then
\`deno run --allow-read bench/_cpuprofile_summary.ts bench/results/prof/<file>.cpuprofile\`.`;

/** Heading of the section that `bench/real_apiserver.ts` writes (kept when this file is regenerated). */
export const REAL_APISERVER_HEADING = "## Against a real kube-apiserver";

/** The BENCHMARKS.md text; `realApiserver` is the section `deno task bench:apiserver` wrote, if any. */
export function benchmarksMarkdown(
  rows: readonly Row[],
  info: RunInfo,
  realApiserver = "",
): string {
  const failed = rows.filter((r) => r.status === "failed").length;
  return `# Benchmarks

How close the informer is to the limit of the machine: initial sync, watch throughput, memory,
relist after a 410 and the indexer, each next to its floor. Generated by \`bench/run.ts\`; do not
edit by hand.

## Run

- Command: \`${info.command}\`
- Machine: ${info.machine}
- Runtime: ${info.runtime}
- Date: ${info.date}, ${info.durationS.toFixed(0)} s, ${info.runs} measured runs per figure after a
  warm-up, ${info.watchEvents} events per watch burst
- Load average (1 min) before / after: ${info.load}
- Rows failed: ${failed}

![Initial sync time and heap per pod against N, with and without managedFields, next to the floors and to client-go](bench/chart.svg)

\`bench/chart.svg\` is drawn by \`bench/_chart.ts\` from this run and from the last
\`deno task bench:apiserver\` run (\`bench/real_apiserver.json\`).

## How to read

${HOW_TO_READ}

Pods come from \`bench/_pod_generator.ts\` (two containers with env, ports, resources, probes and
volume mounts; conditions; pod IPs; container statuses; labels, annotations, an owner reference;
two managedFields entries), spread over 100 namespaces. The apiserver is the fake one
(\`src/testing/\`) in its own process (\`bench/_server.ts\`). The paginated shape is the
reflector's default (LIST pages of 500, the first one a consistent read); the streaming shape turns
streaming lists on (\`sendInitialEvents\`).

## Results

${markdownTable(rows)}

## Targets

${targetSummary(rows).map((l) => `- ${l}`).join("\n")}

## Notes

${notes(rows).map((l) => `- ${l}`).join("\n")}
${realApiserver === "" ? "" : `\n${realApiserver.trimEnd()}\n`}`;
}

/** The real-apiserver section of a BENCHMARKS.md text, or "" when it has none. */
export function realApiserverSection(markdown: string): string {
  const start = markdown.indexOf(REAL_APISERVER_HEADING);
  if (start < 0) return "";
  const next = markdown.indexOf("\n## ", start + REAL_APISERVER_HEADING.length);
  return markdown.slice(start, next < 0 ? undefined : next + 1);
}
