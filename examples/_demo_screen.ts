/**
 * The demo's live screen: what it shows as plain data ({@linkcode DemoView}),
 * one pure function that lays it out as lines ({@linkcode renderScreen}), and
 * a writer that redraws those lines in place with plain ANSI escape codes
 * ({@linkcode ScreenWriter}). No dependency, no terminal library.
 *
 * @module
 */

import type { InformerHealth } from "../mod.ts";

/** One step of the article's workflow, as the screen lists it. */
export interface WorkflowStep {
  /** The code of the step, as a reader would write it. */
  code: string;
  /** `todo`, `running` (started, not finished), `done` or `failed`. */
  state: "todo" | "running" | "done" | "failed";
  /** A short result, such as `synced in 62 ms`. */
  note?: string | undefined;
}

/** What the caches hold now. */
export interface CacheCounts {
  /** Pods per `status.phase` (`Running`, `Pending`, `Failed`, ...). */
  podsByPhase: ReadonlyMap<string, number>;
  pods: number;
  replicaSets: number;
  services: number;
  /** The pods informer's last resourceVersion. */
  podsResourceVersion: string;
}

/** Everything the live screen shows. */
export interface DemoView {
  /** Seconds since the demo started. */
  elapsedS: number;
  /** The `--duration`, 0 for until Ctrl-C. */
  durationS: number;
  /** Where the client points, one line. */
  cluster: string;
  steps: WorkflowStep[];
  caches: CacheCounts;
  /** Events per second over the last full second. */
  eventsPerS: number;
  /** Events since the start. */
  events: number;
  /** One line per lookup. */
  lookups: readonly string[];
  /** `factory.health()`. */
  health: readonly InformerHealth[];
  /** The most recent events, oldest first (already formatted). */
  recentEvents: readonly string[];
  /** `--quiet`: the events area is left out. */
  quiet: boolean;
}

/** Rows of the recent-events area. */
export const RECENT_EVENTS = 8;

const MARKS: Record<WorkflowStep["state"], string> = {
  todo: "[ ]",
  running: "[…]",
  done: "[✓]",
  failed: "[✗]",
};

const HEALTH_COLUMNS: readonly [string, number][] = [
  ["informer", 18],
  ["synced", 7],
  ["objects", 8],
  ["listed", 7],
  ["lists", 6],
  ["relists", 8],
  ["watches", 8],
  ["reconnects", 11],
  ["expired", 8],
  ["errors", 7],
  ["backlog", 8],
];

function cells(values: readonly (string | number)[]): string {
  return values.map((v, i) =>
    i === 0 ? String(v).padEnd(HEALTH_COLUMNS[0]![1]) : String(v).padStart(HEALTH_COLUMNS[i]![1])
  ).join("");
}

/**
 * The informers' health as a table: a header and one row per informer, then
 * each informer's last error (when there was one) on a line of its own.
 *
 * @param health `factory.health()`.
 * @returns The lines, without indentation.
 */
export function healthTable(health: readonly InformerHealth[]): string[] {
  const out = [cells(HEALTH_COLUMNS.map(([name]) => name))];
  for (const h of health) {
    out.push(cells([
      h.resource,
      h.synced ? "yes" : h.listing ? "listing" : "no",
      h.objects,
      h.listedObjects,
      h.lists,
      h.relists,
      h.watches,
      h.reconnects,
      h.expired,
      h.errors,
      h.handlerBacklog,
    ]));
  }
  for (const h of health) {
    if (h.lastError) {
      out.push(`${h.resource} last error: ${h.lastError.name}: ${h.lastError.message}`);
    }
  }
  return out;
}

/**
 * One informer's health as one line, for the plain-line output.
 *
 * @param h One entry of `factory.health()`.
 * @returns `health pods: synced, 19 objects (17 listed), lists 1, ...`.
 */
export function healthLine(h: InformerHealth): string {
  return `health ${h.resource}: ${h.synced ? "synced" : "not synced"}, ${h.objects} objects ` +
    `(${h.listedObjects} listed), lists ${h.lists}, relists ${h.relists}, ` +
    `watches ${h.watches}, reconnects ${h.reconnects}, expired ${h.expired}, ` +
    `errors ${h.errors}, backlog ${h.handlerBacklog}, last error ${
      h.lastError ? `${h.lastError.name}: ${h.lastError.message}` : "none"
    }`;
}

/**
 * The cache counts as one line (plain-line output and screen alike).
 *
 * @param c The counts.
 * @returns `pods 19 (Running 17, Pending 0, Failed 2, other 0), ...`.
 */
export function cacheLine(c: CacheCounts): string {
  const running = c.podsByPhase.get("Running") ?? 0;
  const pending = c.podsByPhase.get("Pending") ?? 0;
  const failed = c.podsByPhase.get("Failed") ?? 0;
  const other = c.pods - running - pending - failed;
  return `pods ${c.pods} (Running ${running}, Pending ${pending}, Failed ${failed}, ` +
    `other ${other}), replica sets ${c.replicaSets}, services ${c.services}, ` +
    `cached ${c.pods + c.replicaSets + c.services}`;
}

/**
 * Lays the view out as the screen's lines, cut to the terminal's size.
 *
 * @param view What to show.
 * @param size The terminal's columns and rows.
 * @returns The lines, none longer than `columns - 1`, at most `rows - 1` of them.
 */
export function renderScreen(
  view: DemoView,
  size: { columns: number; rows: number },
): string[] {
  const clock = view.durationS > 0
    ? `${view.elapsedS.toFixed(1)} s of ${view.durationS} s`
    : `${view.elapsedS.toFixed(1)} s, Ctrl-C stops`;
  const out = [
    `kubesnap demo: the informers article, live                  ${clock}`,
    `cluster: ${view.cluster}`,
    "",
    "Workflow",
    ...view.steps.map((s, i) =>
      // The cluster line above already says what the first step's note says.
      `  ${MARKS[s.state]} ${i + 1}. ${s.code}${
        s.note && s.note !== view.cluster ? `   -> ${s.note}` : ""
      }`
    ),
    "",
    `Caches (informer.indexer)                 pods resourceVersion ${
      view.caches.podsResourceVersion || "-"
    }`,
    `  ${cacheLine(view.caches)}`,
    `  events/s ${view.eventsPerS.toFixed(1)} (last second), ${view.events} events in all`,
    "",
    "Lookups (informer.indexer)",
    ...view.lookups.flatMap((l) => wrap(`  ${l}`, size.columns - 1, "      ")),
    "",
    "Informers (factory.health())",
    ...healthTable(view.health).map((l) => `  ${l}`),
  ];
  if (!view.quiet) {
    out.push("", `Recent events (the last ${RECENT_EVENTS})`);
    for (let i = 0; i < RECENT_EVENTS; i++) out.push(`  ${view.recentEvents[i] ?? ""}`);
  }
  const width = Math.max(20, size.columns - 1);
  return out.slice(0, Math.max(1, size.rows - 1)).map((line) =>
    line.length > width ? `${line.slice(0, width - 1)}…` : line
  );
}

/** Breaks a line after ", " so that each piece fits `width`; continuations get `indent`. */
function wrap(line: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(", ", width - 2);
    if (cut <= indent.length) break;
    out.push(rest.slice(0, cut + 1));
    rest = indent + rest.slice(cut + 2);
  }
  out.push(rest);
  return out;
}

const ESC = "\x1b[";

/**
 * Draws frames in place: the first clears the screen, every later one moves
 * the cursor home and overwrites, clearing each line's rest and whatever is
 * below the frame, so nothing scrolls and nothing flickers.
 */
export class ScreenWriter {
  readonly #out: { writeSync(p: Uint8Array): number };
  readonly #encoder = new TextEncoder();
  #started = false;

  /**
   * @param out Where to write (`Deno.stdout`).
   */
  constructor(out: { writeSync(p: Uint8Array): number }) {
    this.#out = out;
  }

  /**
   * Draws one frame.
   *
   * @param lines The frame's lines.
   */
  draw(lines: readonly string[]): void {
    const start = this.#started ? `${ESC}H` : `${ESC}?25l${ESC}2J${ESC}H`;
    this.#started = true;
    this.#write(start + lines.map((l) => `${l}${ESC}K\n`).join("") + `${ESC}J`);
  }

  /** Shows the cursor again (the last frame stays on the screen). */
  finish(): void {
    if (this.#started) this.#write(`${ESC}?25h`);
  }

  #write(text: string): void {
    let bytes = this.#encoder.encode(text);
    while (bytes.length > 0) bytes = bytes.subarray(this.#out.writeSync(bytes));
  }
}
