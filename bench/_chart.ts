/**
 * `bench/chart.svg`: initial sync time and heap per pod against N, for the
 * informer with managedFields kept and with `dropManagedFields: true`, next to
 * the floors of `deno task bench` and to the peers measured on a real
 * kube-apiserver by `deno task bench:apiserver`. Plain SVG text, drawn here.
 * Both tasks redraw it; to redraw it from their committed results:
 *
 * ```sh
 * deno run --allow-read=bench --allow-write=bench/chart.svg --allow-run bench/_chart.ts
 * ```
 *
 * @module
 */

import type { Row } from "./_workloads.ts";

/** What `bench/real_apiserver.ts` writes to `bench/real_apiserver.json`. */
export interface RealApiserverResult {
  /** When the run ended (ISO 8601). */
  date: string;
  /** Pods listed. */
  pods: number;
  /** JSON bytes of one pod as the server sends it. */
  podBytes: number;
  /** Measured runs per mode. */
  runs: number;
  /** Load average (1 min) before / after. */
  load: string;
  /** Medians per mode. */
  modes: Record<string, {
    ms: number;
    minMs: number;
    maxMs: number;
    heapBytes: number;
    objects: number | null;
  }>;
}

/** A line over N. */
interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: [number, number][];
}

/** A single measurement at one N, drawn as a marker. */
interface Marker {
  label: string;
  color: string;
  x: number;
  y: number;
}

interface Panel {
  title: string;
  unit: string;
  series: Series[];
  markers: Marker[];
}

const WIDTH = 1040;
const PANEL_W = 420;
const PANEL_H = 280;
const TOP = 84;
const LEFT = [70, 590];

const KEPT = "#c0392b";
const DROPPED = "#1f6fb4";
const FLOOR_PARSE = "#555555";
const FLOOR_OTHER = "#9a9a9a";
const PEER = "#2a9d3a";

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function ok(rows: readonly Row[], workload: string, shape: string): Row[] {
  return rows
    .filter((r) => r.workload === workload && r.shape === shape && r.status === "ok")
    .sort((a, b) => a.n - b.n);
}

function numberExtra(r: Row, key: string): number | undefined {
  const v = r.extra[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** The two panels' data, from the suite's rows and the real-apiserver results. */
function panels(rows: readonly Row[], real: RealApiserverResult | undefined): Panel[] {
  const perPod = (r: Row, ms: number): [number, number] => [r.n, (ms * 1000) / r.n];
  const sync = ok(rows, "sync", "paginated");
  const syncDrop = ok(rows, "sync", "paginated, dropManagedFields");
  const parseFloor = (syncDrop.length > 0 ? syncDrop : sync)
    .flatMap((r) => {
      const ms = numberExtra(r, "parseFloorMs");
      return ms === undefined ? [] : [perPod(r, ms)];
    });
  const timeSeries: Series[] = [
    {
      label: "kubesnap, managedFields kept",
      color: KEPT,
      dashed: false,
      points: sync.map((r) => perPod(r, r.median)),
    },
    {
      label: "kubesnap, dropManagedFields",
      color: DROPPED,
      dashed: false,
      points: syncDrop.map((r) => perPod(r, r.median)),
    },
    {
      label: "floor: JSON.parse of the unstripped bytes",
      color: FLOOR_PARSE,
      dashed: true,
      points: parseFloor,
    },
    {
      label: "floor: JSON.parse + Map.set",
      color: FLOOR_OTHER,
      dashed: true,
      points: sync.flatMap((r) => (r.floor === null ? [] : [perPod(r, r.floor)])),
    },
  ];
  const memory = (shape: string) => ok(rows, "memory", shape);
  const heapSeries: Series[] = [
    {
      label: "kubesnap, managedFields kept",
      color: KEPT,
      dashed: false,
      points: memory("managedFields").map((r) => [r.n, r.median / 1000]),
    },
    {
      label: "kubesnap, dropManagedFields",
      color: DROPPED,
      dashed: false,
      points: memory("dropManagedFields").map((r) => [r.n, r.median / 1000]),
    },
    {
      label: "floor: JSON bytes as received",
      color: FLOOR_PARSE,
      dashed: true,
      points: memory("managedFields").flatMap((r) =>
        r.floor === null ? [] : [[r.n, r.floor / 1000] as [number, number]]
      ),
    },
    {
      label: "floor: JSON bytes without managedFields",
      color: FLOOR_OTHER,
      dashed: true,
      points: memory("dropManagedFields").flatMap((r) =>
        r.floor === null ? [] : [[r.n, r.floor / 1000] as [number, number]]
      ),
    },
  ];
  const timeMarkers: Marker[] = [];
  const heapMarkers: Marker[] = [];
  if (real !== undefined) {
    const peers: [string, string, string][] = [
      ["clientgo-protobuf", "client-go, protobuf", PEER],
      ["informer-pages-drop", "kubesnap, dropManagedFields", DROPPED],
      ["informer-pages", "kubesnap, managedFields kept", KEPT],
    ];
    for (const [mode, label, color] of peers) {
      const m = real.modes[mode];
      if (m === undefined) continue;
      const full = `${label} (real apiserver)`;
      timeMarkers.push({ label: full, color, x: real.pods, y: (m.ms * 1000) / real.pods });
      heapMarkers.push({ label: full, color, x: real.pods, y: m.heapBytes / real.pods / 1000 });
    }
    const bytesOnly = real.modes["bytes-pages-consistent"];
    if (bytesOnly !== undefined) {
      timeMarkers.push({
        label: "the same JSON pages read as bytes only (real apiserver)",
        color: FLOOR_PARSE,
        x: real.pods,
        y: (bytesOnly.ms * 1000) / real.pods,
      });
    }
  }
  return [
    {
      title: "Initial sync time per pod (LIST pages)",
      unit: "µs per pod",
      series: timeSeries,
      markers: timeMarkers,
    },
    { title: "Heap per cached pod", unit: "KB per pod", series: heapSeries, markers: heapMarkers },
  ];
}

function niceStep(max: number): number {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= rough) return m * power;
  return 10 * power;
}

function formatN(n: number): string {
  return n >= 1000 ? `${n / 1000}k` : String(n);
}

function drawPanel(panel: Panel, left: number, xs: number[]): string[] {
  const out: string[] = [];
  const ys = [
    ...panel.series.flatMap((s) => s.points.map((p) => p[1])),
    ...panel.markers.map((m) => m.y),
  ].filter(Number.isFinite);
  const step = niceStep(Math.max(1, ...ys) * 1.1);
  const yMax = Math.ceil((Math.max(1, ...ys) * 1.1) / step) * step;
  const logMin = Math.log10(Math.min(...xs)) - 0.15;
  const logMax = Math.log10(Math.max(...xs)) + 0.15;
  const px = (n: number) => left + ((Math.log10(n) - logMin) / (logMax - logMin)) * PANEL_W;
  const py = (v: number) => TOP + PANEL_H - (v / yMax) * PANEL_H;
  out.push(
    `<text x="${left}" y="${TOP - 28}" class="title">${escapeXml(panel.title)}</text>`,
    `<text x="${left}" y="${TOP - 10}" class="axis">${escapeXml(panel.unit)}</text>`,
  );
  for (let v = 0; v <= yMax + step / 2; v += step) {
    const y = py(v).toFixed(1);
    out.push(
      `<line x1="${left}" y1="${y}" x2="${left + PANEL_W}" y2="${y}" class="grid"/>`,
      `<text x="${left - 6}" y="${y}" class="tick" text-anchor="end" dominant-baseline="middle">${
        Number(v.toPrecision(6))
      }</text>`,
    );
  }
  for (const n of xs) {
    const x = px(n).toFixed(1);
    out.push(
      `<line x1="${x}" y1="${TOP}" x2="${x}" y2="${TOP + PANEL_H}" class="grid"/>`,
      `<text x="${x}" y="${TOP + PANEL_H + 16}" class="tick" text-anchor="middle">${
        formatN(n)
      }</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${TOP}" width="${PANEL_W}" height="${PANEL_H}" class="frame"/>`,
    `<text x="${left + PANEL_W / 2}" y="${
      TOP + PANEL_H + 34
    }" class="axis" text-anchor="middle">pods cached (N, log scale)</text>`,
  );
  for (const s of panel.series) {
    if (s.points.length === 0) continue;
    const path = s.points.map(([n, v]) => `${px(n).toFixed(1)},${py(v).toFixed(1)}`).join(" ");
    out.push(
      `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2.2"${
        s.dashed ? ' stroke-dasharray="6 4"' : ""
      }><title>${escapeXml(s.label)}</title></polyline>`,
    );
    for (const [n, v] of s.points) {
      out.push(
        `<circle cx="${px(n).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3.2" fill="${s.color}">` +
          `<title>${escapeXml(`${s.label}: ${v.toFixed(1)} at N=${n}`)}</title></circle>`,
      );
    }
  }
  panel.markers.forEach((m, i) => {
    // Side by side, so that equal figures stay visible.
    const x = px(m.x) + (i - (panel.markers.length - 1) / 2) * 10;
    const y = py(m.y);
    const d = 6;
    out.push(
      `<path d="M${x.toFixed(1)},${(y - d).toFixed(1)} l${d},${d} l${-d},${d} l${-d},${-d} z" ` +
        `fill="white" stroke="${m.color}" stroke-width="2"><title>${
          escapeXml(`${m.label}: ${m.y.toFixed(1)} at N=${m.x}`)
        }</title></path>`,
    );
  });
  return out;
}

/** The chart as SVG text. */
export function chartSvg(rows: readonly Row[], real: RealApiserverResult | undefined): string {
  const data = panels(rows, real);
  const xs = [
    ...new Set([
      ...data.flatMap((p) => p.series.flatMap((s) => s.points.map(([n]) => n))),
      ...data.flatMap((p) => p.markers.map((m) => m.x)),
    ]),
  ].sort((a, b) => a - b);
  if (xs.length === 0) xs.push(1000, 10_000);
  if (xs.length === 1) xs.push(xs[0]! * 10);
  const legendTop = TOP + PANEL_H + 62;
  const legend: [string, string, "line" | "dashed" | "diamond"][] = [
    ["kubesnap, managedFields kept", KEPT, "line"],
    ["kubesnap, dropManagedFields: true", DROPPED, "line"],
    ["floor: JSON.parse of the unstripped bytes (left), their size (right)", FLOOR_PARSE, "dashed"],
    [
      "floor: JSON.parse + Map.set (left), JSON without managedFields (right)",
      FLOOR_OTHER,
      "dashed",
    ],
    ["real kube-apiserver (TLS), client-go with protobuf", PEER, "diamond"],
    ["real kube-apiserver (TLS), kubesnap: colours as above (LIST pages)", DROPPED, "diamond"],
    ["real kube-apiserver (TLS), the JSON LIST pages read as bytes only", FLOOR_PARSE, "diamond"],
  ];
  const height = legendTop + legend.length * 20 + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    "<style>.title{font-size:15px;font-weight:bold;fill:#222}.axis{font-size:12px;fill:#444}" +
    ".tick{font-size:11px;fill:#555}.grid{stroke:#e4e4e4;stroke-width:1}" +
    ".frame{fill:none;stroke:#999;stroke-width:1}.legend{font-size:12px;fill:#333}" +
    ".note{font-size:11px;fill:#666}</style>",
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${LEFT[0]}" y="24" class="title">kubesnap pod informer against N: ` +
    `fake apiserver (lines) and a real kube-apiserver (diamonds)</text>`,
  ];
  data.forEach((panel, i) => out.push(...drawPanel(panel, LEFT[i]!, xs)));
  legend.forEach(([label, color, kind], i) => {
    const x = LEFT[0]!;
    const y = legendTop + i * 20;
    if (kind === "diamond") {
      out.push(
        `<path d="M${x + 14},${
          y - 6
        } l6,6 l-6,6 l-6,-6 z" fill="white" stroke="${color}" stroke-width="2"/>`,
      );
    } else {
      out.push(
        `<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${color}" stroke-width="2.2"${
          kind === "dashed" ? ' stroke-dasharray="6 4"' : ""
        }/>`,
      );
    }
    out.push(
      `<text x="${x + 36}" y="${y}" class="legend" dominant-baseline="middle">${
        escapeXml(label)
      }</text>`,
    );
  });
  const source = real === undefined
    ? "no real-apiserver run yet"
    : `real apiserver: ${real.pods} pods, median of ${real.runs}, ${real.date.slice(0, 10)}`;
  out.push(
    `<text x="${LEFT[0]}" y="${height - 10}" class="note">${
      escapeXml(`Generated by bench/_chart.ts from bench/results.json and ${source}.`)
    }</text>`,
    "</svg>",
  );
  return out.join("\n") + "\n";
}

/** The real-apiserver results, if a run wrote them. */
export async function readRealApiserver(): Promise<RealApiserverResult | undefined> {
  try {
    const text = await Deno.readTextFile(new URL("./real_apiserver.json", import.meta.url));
    return JSON.parse(text) as RealApiserverResult;
  } catch {
    return undefined;
  }
}

/**
 * Writes the chart (to `bench/chart.svg` unless told otherwise) from `rows`,
 * or from `bench/results.json` when none are given.
 */
export async function writeChart(
  rows?: readonly Row[],
  to: URL = new URL("./chart.svg", import.meta.url),
): Promise<void> {
  let data = rows;
  if (data === undefined) {
    try {
      const text = await Deno.readTextFile(new URL("./results.json", import.meta.url));
      data = JSON.parse(text) as Row[];
    } catch {
      data = [];
    }
  }
  await Deno.writeTextFile(to, chartSvg(data, await readRealApiserver()));
  // A committed file: keep it as `deno fmt --check` wants it.
  try {
    await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", to.pathname] }).output();
  } catch {
    // No --allow-run: the file stays as drawn.
  }
}

if (import.meta.main) {
  // Redraws bench/chart.svg from bench/results.json and bench/real_apiserver.json:
  // deno run --allow-read=bench --allow-write=bench/chart.svg --allow-run bench/_chart.ts
  await writeChart();
}
