/**
 * The watcher's pure step, tested by table: a state and an input in, the next
 * phase, the events and the command out, with no I/O and no clock.
 */

import {
  ApiError,
  IncompleteStreamingListError,
  TransportError,
  UnexpectedKindError,
  VeryShortWatchError,
  WatchIdleError,
  WatchWithoutProgressError,
} from "../../src/api/errors.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import type { KubeList } from "../../src/api/meta.ts";
import { INITIAL_EVENTS_END_ANNOTATION, type WatchEvent } from "../../src/api/watch_event.ts";
import {
  INITIAL_WATCHER_STATE,
  stepWatcher,
  type SyncState,
  type WatcherConfig,
  type WatcherInput,
  type WatcherPhase,
  type WatcherState,
  type WatcherStep,
} from "../../src/watch/watcher_machine.ts";
import { assert, assertEquals, assertThrows } from "../_helpers/assert.ts";

const CONFIG: WatcherConfig = {
  streamingList: false,
  idleTimeoutMs: 90_000,
  streamingIdleTimeoutMs: 10_000,
  kind: "Pod",
};
const STREAMING: WatcherConfig = { ...CONFIG, streamingList: true };
const NOW = 1_000_000;

const SYNCED: SyncState = {
  lastSyncResourceVersion: "10",
  resourceVersionUnavailable: false,
  streaming: "untried",
  streamingFailures: 0,
  streamingPausedUntil: 0,
};

function pod(name: string, resourceVersion: string, kind = "Pod"): Pod {
  return {
    kind,
    apiVersion: "v1",
    metadata: { namespace: "default", name, resourceVersion },
  } as Pod;
}

function page(resourceVersion: string, ...names: string[]): KubeList<Pod> {
  return { metadata: { resourceVersion }, items: names.map((n) => pod(n, resourceVersion)) };
}

function status(code: number, reason: string, retryAfterSeconds?: number): ApiError {
  const details = retryAfterSeconds === undefined ? {} : { details: { retryAfterSeconds } };
  return ApiError.fromStatus({ code, reason, ...details });
}

const listing = (pages = 0, resourceVersion = "10", restarted = false): WatcherPhase => ({
  name: "listing",
  resourceVersion,
  restartedAfterExpiredContinue: restarted,
  pages,
  listResourceVersion: pages > 0 ? "20" : undefined,
});

const watching = (
  connected: boolean,
  progressed = false,
  events = 0,
  openedAt = NOW - 100,
): WatcherPhase => ({
  name: "watching",
  openedAt,
  connected,
  events,
  trackAddedVersions: true,
  progressed,
});

const streaming = (connected: boolean, resourceVersion = "10"): WatcherPhase => ({
  name: "streaming",
  openedAt: NOW - 100,
  connected,
  events: connected ? 1 : 0,
  resourceVersion,
});

function event(input: WatchEvent<Pod>): WatcherInput<Pod> {
  return { type: "event", event: input, now: NOW };
}

function fail(error: unknown): WatcherInput<Pod> {
  return { type: "failure", error, now: NOW };
}

function endBookmark(rv: string): WatchEvent<Pod> {
  const metadata = {
    resourceVersion: rv,
    annotations: { [INITIAL_EVENTS_END_ANNOTATION]: "true" },
  };
  return { type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata } };
}

function className(value: unknown): string {
  return typeof value === "object" && value !== null ? value.constructor.name : String(value);
}

/** A step in words: the phase, each event, and the command. */
function summarize(step: WatcherStep<Pod>): { phase: string; events: string[]; command: string } {
  const { command } = step;
  return {
    phase: step.state.phase.name,
    events: step.events.map((e) =>
      e.type === "error"
        ? `error ${e.recovery} ${className(e.error)}`
        : e.type === "initDone"
        ? `initDone ${e.resourceVersion}${e.streamed ? " streamed" : ""}`
        : e.type === "bookmark"
        ? `bookmark ${e.resourceVersion}`
        : e.type === "init"
        ? "init"
        : `${e.type} ${e.object.metadata?.name}`
    ),
    command: command.do === "back-off"
      ? `back-off ${command.recovery} ${
        className(command.error)
      } at least ${command.retryAfterMs} ms`
      : command.do === "list"
      ? `list at "${command.resourceVersion}"`
      : command.do === "watch"
      ? `${
        command.sendInitialEvents ? "stream" : "watch"
      } at "${command.resourceVersion}" idle ${command.idleMs}`
      : command.do === "read-event"
      ? `read-event idle ${command.idleMs}`
      : command.do,
  };
}

interface Row {
  situation: string;
  config?: WatcherConfig;
  state: WatcherState;
  input: WatcherInput<Pod>;
  phase: string;
  events: string[];
  command: string;
  sync?: Partial<SyncState>;
}

const ROWS: Row[] = [
  {
    situation: 'start lists from RV ""',
    state: INITIAL_WATCHER_STATE,
    input: { type: "begin", now: NOW },
    phase: "listing",
    events: ["init"],
    command: 'list at ""',
  },
  {
    situation: 'start with streaming lists streams from RV ""',
    config: STREAMING,
    state: INITIAL_WATCHER_STATE,
    input: { type: "begin", now: NOW },
    phase: "streaming",
    events: [],
    command: 'stream at "" idle 10000',
  },
  {
    situation: "a page hands over its named objects and reads on",
    state: { sync: SYNCED, phase: listing() },
    input: {
      type: "page",
      list: { metadata: { resourceVersion: "20" }, items: [pod("a", "20"), { metadata: {} }] },
      now: NOW,
    } as WatcherInput<Pod>,
    phase: "listing",
    events: ["initApply a"],
    command: "read-page",
  },
  {
    situation: "the end of the list completes the relist and watches from its RV",
    state: { sync: SYNCED, phase: listing(2) },
    input: { type: "list-end", now: NOW },
    phase: "watching",
    events: ["initDone 20"],
    command: 'watch at "20" idle 90000',
    sync: { lastSyncResourceVersion: "20" },
  },
  {
    situation: "LIST continue token expired mid-list (first time)",
    state: { sync: SYNCED, phase: listing(1) },
    input: fail(status(410, "Expired")),
    phase: "listing",
    events: ["error relist ExpiredError", "init"],
    command: 'list at "10"',
  },
  {
    situation: 'LIST 410 / too-large RV, RV was not ""',
    state: { sync: SYNCED, phase: listing(0) },
    input: fail(status(410, "Expired")),
    phase: "listing",
    events: ["error relist ExpiredError", "init"],
    command: 'list at ""',
    sync: { resourceVersionUnavailable: true },
  },
  {
    situation: "LIST other error backs off",
    state: { sync: SYNCED, phase: listing(0) },
    input: fail(status(500, "InternalError")),
    phase: "backoff",
    events: [],
    command: "back-off relist ApiError at least 0 ms",
  },
  {
    situation: "LIST 429 waits at least Retry-After",
    state: { sync: SYNCED, phase: listing(0) },
    input: fail(status(429, "TooManyRequests", 3)),
    phase: "backoff",
    events: [],
    command: "back-off relist ApiError at least 3000 ms",
  },
  {
    situation: "a MODIFIED event moves the RV on",
    state: { sync: SYNCED, phase: watching(true) },
    input: event({ type: "MODIFIED", object: pod("a", "12") }),
    phase: "watching",
    events: ["MODIFIED a"],
    command: "read-event idle 90000",
    sync: { lastSyncResourceVersion: "12" },
  },
  {
    situation: "a bookmark moves the RV on",
    state: { sync: SYNCED, phase: watching(true) },
    input: event({ type: "BOOKMARK", object: { metadata: { resourceVersion: "15" } } }),
    phase: "watching",
    events: ["bookmark 15"],
    command: "read-event idle 90000",
    sync: { lastSyncResourceVersion: "15" },
  },
  {
    situation: "an object of another kind is skipped and reported",
    state: { sync: SYNCED, phase: watching(true) },
    input: event({ type: "ADDED", object: pod("n1", "13", "Node") }),
    phase: "watching",
    events: ["error skip UnexpectedKindError"],
    command: "read-event idle 90000",
    sync: { lastSyncResourceVersion: "13" },
  },
  {
    situation: "an object without a name fails the watch",
    state: { sync: SYNCED, phase: watching(true) },
    input: event({ type: "ADDED", object: { kind: "Pod", metadata: {} } }),
    phase: "backoff",
    events: [],
    command: "back-off relist KubeError at least 0 ms",
  },
  {
    situation: "watch 429 (request or ERROR event) or no connection",
    state: { sync: SYNCED, phase: watching(false) },
    input: fail(new TransportError("connection refused")),
    phase: "backoff",
    events: [],
    command: "back-off rewatch TransportError at least 0 ms",
  },
  {
    situation: "new watch silent for `idleTimeoutMs` (30 s or more)",
    state: { sync: SYNCED, phase: watching(false) },
    input: fail(new WatchIdleError(90_000)),
    phase: "watching",
    events: ["error rewatch WatchIdleError"],
    command: 'watch at "10" idle 90000',
  },
  {
    situation: "new watch silent for a shorter `idleTimeoutMs`",
    config: { ...CONFIG, idleTimeoutMs: 5_000 },
    state: { sync: SYNCED, phase: watching(false) },
    input: fail(new WatchIdleError(5_000)),
    phase: "backoff",
    events: [],
    command: "back-off rewatch WatchIdleError at least 0 ms",
  },
  {
    situation: "watch ended within 1 s without events",
    state: { sync: SYNCED, phase: watching(true) },
    input: { type: "end", now: NOW },
    phase: "backoff",
    events: [],
    command: `back-off relist ${VeryShortWatchError.name} at least 0 ms`,
  },
  {
    situation: "watch ended after progress or 30 s",
    state: { sync: SYNCED, phase: watching(true, true, 5) },
    input: { type: "end", now: NOW },
    phase: "watching",
    events: [],
    command: 'watch at "10" idle 90000',
  },
  {
    situation: "watch broke or went silent after progress or 30 s",
    state: { sync: SYNCED, phase: watching(true, false, 5, NOW - 31_000) },
    input: fail(new TransportError("reset")),
    phase: "watching",
    events: ["error rewatch TransportError"],
    command: 'watch at "10" idle 90000',
  },
  {
    situation: "watch ended, broke or went silent without progress, sooner than 30 s",
    state: { sync: SYNCED, phase: watching(true, false, 5) },
    input: fail(new TransportError("reset")),
    phase: "backoff",
    events: [],
    command: `back-off rewatch ${WatchWithoutProgressError.name} at least 0 ms`,
  },
  {
    situation: "watch 410 (request or ERROR event)",
    state: { sync: SYNCED, phase: watching(true, true, 5) },
    input: event({
      type: "ERROR",
      object: { kind: "Status", apiVersion: "v1", code: 410, reason: "Expired" },
      error: status(410, "Expired"),
    }),
    phase: "backoff",
    events: [],
    command: "back-off relist ExpiredError at least 0 ms",
  },
  {
    situation: "a streaming list's first event begins the relist",
    config: STREAMING,
    state: { sync: SYNCED, phase: streaming(false) },
    input: event({ type: "ADDED", object: pod("a", "11") }),
    phase: "streaming",
    events: ["init", "initApply a"],
    command: "read-event idle 10000",
  },
  {
    situation: "the end bookmark completes the relist on the same stream",
    config: STREAMING,
    state: { sync: SYNCED, phase: streaming(true) },
    input: event(endBookmark("30")),
    phase: "watching",
    events: ["initDone 30 streamed"],
    command: "read-event idle 90000",
    sync: { lastSyncResourceVersion: "30", streaming: "supported" },
  },
  {
    situation: "streaming list refused with 400, 405, 406 or 422",
    config: STREAMING,
    state: { sync: SYNCED, phase: streaming(false) },
    input: fail(status(422, "Invalid")),
    phase: "listing",
    events: ["error fallback-to-list ApiError", "init"],
    command: 'list at "10"',
    sync: { streaming: "unsupported" },
  },
  {
    situation: 'streaming list 410 / too-large RV, RV was not ""',
    config: STREAMING,
    state: { sync: SYNCED, phase: streaming(false) },
    input: fail(status(410, "Expired")),
    phase: "streaming",
    events: ["error restream ExpiredError"],
    command: 'stream at "" idle 10000',
    sync: { resourceVersionUnavailable: true },
  },
  {
    situation: "streaming list ended or broke before its end bookmark",
    config: STREAMING,
    state: { sync: SYNCED, phase: streaming(true) },
    input: { type: "end", now: NOW },
    phase: "backoff",
    events: [],
    command: `back-off restream ${IncompleteStreamingListError.name} at least 0 ms`,
    sync: { streamingFailures: 1 },
  },
  {
    situation:
      "streaming list ended or broke before its end bookmark, twice in a row: LIST for 10 minutes",
    config: STREAMING,
    state: { sync: { ...SYNCED, streamingFailures: 1 }, phase: streaming(true) },
    input: fail(new TransportError("reset")),
    phase: "backoff",
    events: [],
    command: `back-off fallback-to-list ${IncompleteStreamingListError.name} at least 0 ms`,
    sync: { streamingFailures: 0, streamingPausedUntil: NOW + 600_000 },
  },
  {
    situation: "after the backoff, the request it waited for",
    state: {
      sync: SYNCED,
      phase: { name: "backoff", then: { to: "stream", resourceVersion: "10" } },
    },
    input: { type: "slept", now: NOW },
    phase: "streaming",
    events: [],
    command: 'stream at "10" idle 10000',
  },
];

for (const row of ROWS) {
  Deno.test(`watcher step: ${row.situation}`, () => {
    const config = row.config ?? CONFIG;
    const before = structuredClone(row.state);
    const step = stepWatcher<Pod>(config, row.state, row.input);
    assertEquals(summarize(step), {
      phase: row.phase,
      events: row.events,
      command: row.command,
    });
    assertEquals(
      step.state.sync,
      { ...row.state.sync, ...row.sync },
      "what the sync state learned",
    );
    assertEquals(row.state, before, "the step does not change its input state");
    assertEquals(
      summarize(stepWatcher<Pod>(config, row.state, row.input)),
      summarize(step),
      "the same state and input give the same answer",
    );
  });
}

Deno.test("watcher step: the table covers every phase", () => {
  const phases = new Set(ROWS.map((r) => r.state.phase.name));
  assertEquals([...phases].sort(), ["backoff", "listing", "start", "streaming", "watching"]);
});

Deno.test("watcher step: an input a phase cannot receive is a TypeError", () => {
  const state: WatcherState = { sync: SYNCED, phase: watching(true) };
  assertThrows(
    () => stepWatcher<Pod>(CONFIG, state, { type: "page", list: page("1"), now: NOW }),
    TypeError,
    "cannot receive",
  );
  assertThrows(
    () => stepWatcher<Pod>(CONFIG, INITIAL_WATCHER_STATE, { type: "slept", now: NOW }),
    TypeError,
  );
});

Deno.test('watcher step: a watch from RV "" does not move the RV on with ADDED events', () => {
  const state: WatcherState = {
    sync: { ...SYNCED, lastSyncResourceVersion: "" },
    phase: { ...watching(true), trackAddedVersions: false } as WatcherPhase,
  };
  const step = stepWatcher<Pod>(CONFIG, state, event({ type: "ADDED", object: pod("a", "7") }));
  assertEquals(step.state.sync.lastSyncResourceVersion, "");
  const modified = stepWatcher<Pod>(
    CONFIG,
    step.state,
    event({ type: "MODIFIED", object: pod("a", "8") }),
  );
  assertEquals(modified.state.sync.lastSyncResourceVersion, "8");
});

Deno.test("watcher step: an unexpected kind is reported with the object's key", () => {
  const step = stepWatcher<Pod>(
    CONFIG,
    { sync: SYNCED, phase: watching(true) },
    event({ type: "ADDED", object: pod("n1", "13", "Node") }),
  );
  const reported = step.events[0];
  assert(reported?.type === "error" && reported.error instanceof UnexpectedKindError);
  assert(reported.error.message.includes("default/n1"), reported.error.message);
});
