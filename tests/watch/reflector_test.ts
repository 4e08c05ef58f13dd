import {
  ApiError,
  IncompleteStreamingListError,
  KubeError,
  TransportError,
  VeryShortWatchError,
  WatchDecodeError,
  WatchIdleError,
  WatchWithoutProgressError,
} from "../../src/api/errors.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import type { Status } from "../../src/api/meta.ts";
import { INITIAL_EVENTS_END_ANNOTATION, type WatchEvent } from "../../src/api/watch_event.ts";
import type { ListOptions, WatchOptions } from "../../src/client/request_options.ts";
import {
  Reflector,
  type ReflectorEvent,
  type ReflectorOptions,
} from "../../src/watch/reflector.ts";
import type { ReflectorRecovery } from "../../src/watch/recovery.ts";
import { assert, assertEquals, assertStrictEquals } from "../_helpers/assert.ts";
import { FakeClock } from "../_helpers/fake_clock.ts";
import { listPage, ScriptedListerWatcher } from "../_helpers/scripted_lister_watcher.ts";

// ---------------------------------------------------------------------------
// Fixtures

function pod(name: string, resourceVersion?: string): Pod {
  const metadata: Pod["metadata"] = { namespace: "default", name };
  if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
  return { metadata };
}

function added(name: string, rv: string): WatchEvent<Pod> {
  return { type: "ADDED", object: pod(name, rv) };
}

function modified(name: string, rv: string): WatchEvent<Pod> {
  return { type: "MODIFIED", object: pod(name, rv) };
}

function deleted(name: string, rv: string): WatchEvent<Pod> {
  return { type: "DELETED", object: pod(name, rv) };
}

function bookmark(rv: string, annotations?: Record<string, string>): WatchEvent<Pod> {
  const metadata: Pod["metadata"] & object = { resourceVersion: rv };
  if (annotations) metadata.annotations = annotations;
  return { type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata } };
}

function endBookmark(rv: string): WatchEvent<Pod> {
  return bookmark(rv, { [INITIAL_EVENTS_END_ANNOTATION]: "true" });
}

function errorEvent(status: Status): WatchEvent<Pod> {
  const object: Status = { kind: "Status", apiVersion: "v1", status: "Failure", ...status };
  return { type: "ERROR", object, error: ApiError.fromStatus(object) };
}

const expired = (): ApiError =>
  ApiError.fromStatus({ code: 410, reason: "Expired", message: "too old resource version" });
const tooMany = (): ApiError => ApiError.fromStatus({ code: 429, reason: "TooManyRequests" });
const internal = (): ApiError => ApiError.fromStatus({ code: 500, reason: "InternalError" });
const forbidden = (): ApiError => ApiError.fromStatus({ code: 403, reason: "Forbidden" });
const invalid = (): ApiError => ApiError.fromStatus({ code: 422, reason: "Invalid" });
const reset = (): TransportError => new TransportError("connection reset");

/** The options of the first page of a LIST. */
function firstPage(resourceVersion: string | undefined): ListOptions {
  if (resourceVersion === undefined || resourceVersion === "") return { limit: 500 };
  return { limit: 500, resourceVersion, resourceVersionMatch: "NotOlderThan" };
}

/** The options of a plain watch (random fixed at 0). */
function plainWatch(resourceVersion: string): WatchOptions {
  return { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 };
}

/** The options of a streaming list (random fixed at 0). */
function streamWatch(resourceVersion = ""): WatchOptions {
  return {
    resourceVersion,
    resourceVersionMatch: "NotOlderThan",
    sendInitialEvents: true,
    allowWatchBookmarks: true,
    timeoutSeconds: 300,
  };
}

type Summary =
  | { type: "replace"; names: string[]; resourceVersion: string; streamed: boolean }
  | {
    type: "ADDED" | "MODIFIED" | "DELETED";
    name: string | undefined;
    resourceVersion: string | undefined;
  }
  | { type: "bookmark"; resourceVersion: string }
  | { type: "error"; error: string; recovery: ReflectorRecovery; delayMs: number };

function className(value: unknown): string {
  return typeof value === "object" && value !== null ? value.constructor.name : typeof value;
}

/**
 * A reflector event, with each relist (init, initApply..., initDone) folded
 * into one `replace` carrying the relist's objects (the latest per key).
 */
type TestEvent<T> =
  | Exclude<ReflectorEvent<T>, { type: "init" | "initApply" | "initDone" }>
  | { type: "replace"; objects: T[]; resourceVersion: string; streamed: boolean };

/** Folds relists; returns the folded event once complete, else undefined. */
function folder<T extends Pod>(): (event: ReflectorEvent<T>) => TestEvent<T> | undefined {
  let pending: Map<string, T> | undefined;
  const keyOf = (o: T) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  return (event) => {
    switch (event.type) {
      case "init":
        pending = new Map();
        return undefined;
      case "initApply":
        pending?.set(keyOf(event.object), event.object);
        return undefined;
      case "initDone": {
        const objects = [...(pending?.values() ?? [])];
        pending = undefined;
        return {
          type: "replace",
          objects,
          resourceVersion: event.resourceVersion,
          streamed: event.streamed,
        };
      }
      case "DELETED":
        if (pending !== undefined) {
          pending.delete(keyOf(event.object));
          return undefined;
        }
        return event;
      default:
        return event;
    }
  };
}

function summarize(event: TestEvent<Pod>): Summary {
  switch (event.type) {
    case "replace":
      return {
        type: "replace",
        names: event.objects.map((o) => o.metadata?.name ?? "?"),
        resourceVersion: event.resourceVersion,
        streamed: event.streamed,
      };
    case "ADDED":
    case "MODIFIED":
    case "DELETED":
      return {
        type: event.type,
        name: event.object.metadata?.name,
        resourceVersion: event.object.metadata?.resourceVersion,
      };
    case "bookmark":
      return event;
    case "error":
      return {
        type: "error",
        error: className(event.error),
        recovery: event.recovery,
        delayMs: event.delayMs,
      };
  }
}

const replaced = (names: string[], resourceVersion: string, streamed = false): Summary => ({
  type: "replace",
  names,
  resourceVersion,
  streamed,
});
const failed = (error: string, recovery: ReflectorRecovery, delayMs: number): Summary => ({
  type: "error",
  error,
  recovery,
  delayMs,
});
const changed = (
  type: "ADDED" | "MODIFIED" | "DELETED",
  name: string,
  resourceVersion: string,
): Summary => ({ type, name, resourceVersion });

// ---------------------------------------------------------------------------
// Harness: runs a reflector against the scripted lister-watcher on a fake clock

interface Harness {
  clock: FakeClock;
  lw: ScriptedListerWatcher<Pod>;
  reflector: Reflector<Pod>;
  events: TestEvent<Pod>[];
  /** `reflector.lastSyncResourceVersion` as the consumer saw it with each event. */
  seenVersions: (string | undefined)[];
  /** The events in summary form. */
  summary(): Summary[];
  /** Aborts the run and checks that it ended cleanly with nothing left open. */
  stop(): Promise<void>;
}

function start(
  options: Partial<ReflectorOptions<Pod>> = {},
  lw = new ScriptedListerWatcher<Pod>(),
): Harness {
  const clock = new FakeClock();
  const reflector = new Reflector<Pod>(lw, {
    clock,
    random: () => 0,
    streamingList: false,
    ...options,
  });
  const controller = new AbortController();
  const events: TestEvent<Pod>[] = [];
  const seenVersions: (string | undefined)[] = [];
  const fold = folder<Pod>();
  const done = (async () => {
    for await (const raw of reflector.run(controller.signal)) {
      const event = fold(raw);
      if (event === undefined) continue;
      events.push(event);
      seenVersions.push(reflector.lastSyncResourceVersion);
    }
  })();
  return {
    clock,
    lw,
    reflector,
    events,
    seenVersions,
    summary: () => events.map(summarize),
    async stop() {
      controller.abort(new DOMException("test over", "AbortError"));
      await done;
      await clock.flush();
      assertEquals(clock.pendingTimers, 0, "timers left scheduled after abort");
      lw.watches.forEach((w, i) => assert(w.closed, `watch ${i} left open after abort`));
      assertEquals(lw.listWaiting, false, "a list request left waiting after abort");
    },
  };
}

// ---------------------------------------------------------------------------
// Initial LIST and the first watch

Deno.test('Reflector without streaming lists pages a consistent read (RV ""), replaces, then watches from the list RV', async () => {
  const h = start();
  h.lw.queueList(
    listPage([pod("a"), pod("b")], { resourceVersion: "10", continue: "t1" }),
    listPage([pod("c")], { resourceVersion: "11", continue: "t2" }),
    listPage([pod("d")], { resourceVersion: "12" }),
  );
  await h.clock.flush();
  assertEquals(h.lw.requests, [
    { verb: "list", options: { limit: 500 } },
    { verb: "list", options: { limit: 500, continue: "t1" } },
    { verb: "list", options: { limit: 500, continue: "t2" } },
    {
      verb: "watch",
      options: { resourceVersion: "10", allowWatchBookmarks: true, timeoutSeconds: 300 },
    },
  ]);
  assertEquals(h.summary(), [replaced(["a", "b", "c", "d"], "10")]);
  assertEquals(h.reflector.lastSyncResourceVersion, "10");
  assertEquals(h.clock.sleeps, []);
  await h.stop();
});

Deno.test("Reflector honours pageSize on every page", async () => {
  const h = start({ pageSize: 2 });
  h.lw.queueList(
    listPage([pod("a"), pod("b")], { resourceVersion: "10", continue: "t1" }),
    listPage([pod("c")], { resourceVersion: "10" }),
  );
  await h.clock.flush();
  assertEquals(h.lw.lists, [{ limit: 2 }, { limit: 2, continue: "t1" }]);
  await h.stop();
});

Deno.test("Reflector asks each watch to time out after a random whole number of seconds in [300, 600)", async () => {
  for (const [random, expected] of [[0, 300], [0.5, 450], [0.9999999, 599]] as const) {
    const h = start({ random: () => random });
    h.lw.queueList(listPage([], { resourceVersion: "7" }));
    await h.clock.flush();
    assertEquals(h.lw.lastWatch?.options?.timeoutSeconds, expected, `random ${random}`);
    await h.stop();
  }
  const longer = start({ random: () => 0.9999999, minWatchTimeoutSeconds: 600 });
  longer.lw.queueList(listPage([], { resourceVersion: "7" }));
  await longer.clock.flush();
  assertEquals(longer.lw.lastWatch?.options?.timeoutSeconds, 1199);
  await longer.stop();
});

Deno.test("Reflector sends its label and field selectors on every list page and watch", async () => {
  const h = start({ labelSelector: "app=web", fieldSelector: { "spec.nodeName": "n1" } });
  h.lw.queueList(
    listPage([pod("a")], { resourceVersion: "10", continue: "t1" }),
    listPage([pod("b")], { resourceVersion: "10" }),
  );
  await h.clock.flush();
  assertEquals(h.lw.requests.length, 3);
  for (const request of h.lw.requests) {
    assertEquals(request.options.labelSelector, "app=web");
    assertEquals(request.options.fieldSelector, { "spec.nodeName": "n1" });
  }
  await h.stop();
});

// ---------------------------------------------------------------------------
// Streaming list

Deno.test("Reflector lists pages by default, without streaming lists", async () => {
  const h = start({ streamingList: undefined });
  await h.clock.flush();
  assertEquals(h.lw.requests, [{ verb: "list", options: firstPage("") }]);
  await h.stop();
});

Deno.test('Reflector with streaming lists on starts with a sendInitialEvents watch at RV ""', async () => {
  const h = start({ streamingList: true });
  await h.clock.flush();
  assertEquals(h.lw.requests, [{ verb: "watch", options: streamWatch("") }]);
  await h.stop();
});

Deno.test("Reflector builds the streamed state until the end bookmark, replaces, then keeps the same stream", async () => {
  const h = start({ streamingList: true });
  const stream = h.lw.queueWatch();
  stream.push(
    added("a", "5"),
    added("b", "6"),
    modified("a", "7"),
    added("c", "8"),
    deleted("b", "9"),
  );
  await h.clock.flush();
  assertEquals(h.events.length, 0, "nothing is yielded before the end bookmark");
  assertEquals(h.reflector.lastSyncResourceVersion, undefined);

  stream.push(endBookmark("10"));
  await h.clock.flush();
  assertEquals(h.summary(), [replaced(["a", "c"], "10", true)]);
  const replace = h.events[0];
  assert(replace?.type === "replace");
  assertEquals(replace.objects.map((o) => o.metadata?.resourceVersion), ["7", "8"]);
  assertEquals(h.seenVersions, ["10"]);

  stream.push(modified("c", "11"), added("d", "12"));
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [changed("MODIFIED", "c", "11"), changed("ADDED", "d", "12")]);
  assertEquals(h.reflector.lastSyncResourceVersion, "12");
  assertEquals(h.lw.requests.length, 1, "no LIST and no second watch");
  assertEquals(stream.closed, false);
  assertEquals(h.clock.sleeps, []);
  await h.stop();
  assert(stream.closed);
});

Deno.test('Reflector keeps streaming past a bookmark whose initial-events-end annotation is not "true"', async () => {
  const h = start({ streamingList: true });
  const stream = h.lw.queueWatch();
  stream.push(
    added("a", "5"),
    bookmark("6"),
    bookmark("7", { [INITIAL_EVENTS_END_ANNOTATION]: "false" }),
    bookmark("8", { [INITIAL_EVENTS_END_ANNOTATION]: "True" }),
    added("b", "9"),
  );
  await h.clock.flush();
  assertEquals(h.events.length, 0);
  stream.push(endBookmark("10"));
  await h.clock.flush();
  assertEquals(h.summary(), [replaced(["a", "b"], "10", true)]);
  await h.stop();
});

Deno.test("Reflector falls back to LIST when the streaming list is refused with 422 and never streams again", async () => {
  const h = start({ streamingList: true });
  const refusal = invalid();
  h.lw.queueWatch().refuse(refusal);
  h.lw.queueList(listPage([pod("a", "3")], { resourceVersion: "10" }));
  const watch = h.lw.queueWatch();
  await h.clock.flush();
  assertEquals(h.lw.requests, [
    { verb: "watch", options: streamWatch("") },
    { verb: "list", options: firstPage("") },
    { verb: "watch", options: plainWatch("10") },
  ]);
  assertEquals(h.summary(), [failed("ApiError", "fallback-to-list", 0), replaced(["a"], "10")]);
  assertStrictEquals(h.events[0]?.type === "error" && h.events[0].error, refusal);
  assertEquals(h.clock.sleeps, []);

  // Later recoveries (relist after an expired watch, re-watch after a clean end) stay on LIST + watch.
  h.lw.queueList(listPage([pod("a", "3")], { resourceVersion: "20" }));
  watch.push(modified("a", "11"), errorEvent({ code: 410, reason: "Expired" }));
  await h.clock.advance(800);
  h.lw.lastWatch?.push(modified("a", "21")).end();
  await h.clock.flush();
  assertEquals(h.lw.requests.slice(3), [
    { verb: "list", options: firstPage("11") },
    { verb: "watch", options: plainWatch("20") },
    { verb: "watch", options: plainWatch("21") },
  ]);
  assertEquals(
    h.lw.requests.filter((r) => r.verb === "watch" && r.options.sendInitialEvents).length,
    1,
  );
  await h.stop();
});

Deno.test("Reflector backs off and falls back to LIST for one cycle after a streaming list fails with 500, then streams again", async () => {
  const h = start({ streamingList: true });
  const failure = ApiError.fromStatus({ code: 500, reason: "InternalError", message: "etcd" });
  h.lw.queueWatch().refuse(failure);
  h.lw.queueList(listPage([pod("a", "3")], { resourceVersion: "10" }));
  const watch = h.lw.queueWatch();
  await h.clock.flush();
  assertEquals(h.summary(), [failed("ApiError", "fallback-to-list", 800)]);
  assertEquals(h.lw.lists, [], "no LIST before the backoff");
  await h.clock.advance(800);
  assertEquals(h.summary(), [failed("ApiError", "fallback-to-list", 800), replaced(["a"], "10")]);

  // A later relist (after an expired watch) tries the streaming list again, at the last RV.
  const restream = h.lw.queueWatch();
  watch.push(modified("a", "11"), errorEvent({ code: 410, reason: "Expired" }));
  await h.clock.advance(1600);
  assertEquals(h.lw.requests.slice(3), [{ verb: "watch", options: streamWatch("11") }]);
  restream.push(added("a", "12"), endBookmark("13"));
  await h.clock.flush();
  assertEquals(h.summary().at(-1), replaced(["a"], "13", true));
  await h.stop();
});

Deno.test("Reflector backs off and retries the streaming list after a 429", async () => {
  const h = start({ streamingList: true });
  h.lw.queueWatch().refuse(tooMany());
  await h.clock.flush();
  assertEquals(h.summary(), [failed("ApiError", "restream", 800)]);
  await h.clock.advance(799);
  assertEquals(h.lw.requests.length, 1);
  await h.clock.advance(1);
  assertEquals(h.lw.requests.map((r) => r.options), [streamWatch(""), streamWatch("")]);
  await h.stop();
});

Deno.test("Reflector backs off, reports and restreams with fresh state when a streaming list ends before its end bookmark", async () => {
  const h = start({ streamingList: true });
  const first = h.lw.queueWatch().push(added("a", "5"), added("b", "6")).end();
  const second = h.lw.queueWatch().push(added("b", "7"), endBookmark("8"));
  await h.clock.flush();
  assertEquals(
    h.lw.requests.map((r) => r.options),
    [streamWatch("")],
    "no request before the backoff",
  );
  await h.clock.advance(800);
  assertEquals(h.lw.requests.map((r) => r.options), [streamWatch(""), streamWatch("")]);
  assertEquals(h.summary(), [
    failed("IncompleteStreamingListError", "restream", 800),
    replaced(["b"], "8", true),
  ]);
  const error = h.events[0];
  assert(error?.type === "error" && error.error instanceof IncompleteStreamingListError);
  assertEquals(error.error.events, 2);
  assert(first.closed);
  assertEquals(second.closed, false);
  assertEquals(h.clock.sleeps, [800]);
  await h.stop();
});

Deno.test("Reflector treats a streaming list that breaks before its end bookmark like one that ends", async () => {
  const h = start({ streamingList: true });
  h.lw.queueWatch().push(added("a", "5")).fail(reset());
  h.lw.queueWatch().push(added("a", "7"), endBookmark("8"));
  await h.clock.advance(800);
  assertEquals(h.summary(), [
    failed("IncompleteStreamingListError", "restream", 800),
    replaced(["a"], "8", true),
  ]);
  const error = h.events[0];
  assert(error?.type === "error" && error.error instanceof IncompleteStreamingListError);
  assert(error.error.cause instanceof TransportError);
  await h.stop();
});

Deno.test("Reflector lists pages for ten minutes after two streaming lists in a row end before their end bookmark", async () => {
  const h = start({ streamingList: true, idleTimeoutMs: 3_600_000 });
  // What a real server does when the gzip stream of a streaming list is cut: one event, then the end.
  h.lw.queueWatch().push(added("a", "5")).end();
  h.lw.queueWatch().push(added("a", "5")).end();
  h.lw.queueList(listPage([pod("a", "5")], { resourceVersion: "10" }));
  const watch = h.lw.queueWatch();
  await h.clock.advance(800 + 1600);
  assertEquals(h.summary(), [
    failed("IncompleteStreamingListError", "restream", 800),
    failed("IncompleteStreamingListError", "fallback-to-list", 1600),
    replaced(["a"], "10"),
  ]);
  assertEquals(h.lw.requests.map((r) => r.verb), ["watch", "watch", "list", "watch"]);

  // A relist within the pause lists pages again.
  watch.push(errorEvent({ code: 410, reason: "Expired" }));
  h.lw.queueList(listPage([pod("a", "5")], { resourceVersion: "20" }));
  const second = h.lw.queueWatch();
  await h.clock.advance(3200);
  assertEquals(h.lw.requests.map((r) => r.verb), [
    "watch",
    "watch",
    "list",
    "watch",
    "list",
    "watch",
  ]);

  // After the pause, a relist tries the streaming list again.
  await h.clock.advance(10 * 60_000);
  h.lw.queueWatch().push(added("a", "21"), endBookmark("22"));
  second.push(errorEvent({ code: 410, reason: "Expired" }));
  await h.clock.advance(60_000);
  assertEquals(h.lw.requests.at(-1)?.options, streamWatch("20"));
  assertEquals(h.summary().at(-1), replaced(["a"], "22", true));
  await h.stop();
});

Deno.test("Reflector never sends more than one request per backoff while streaming lists keep ending early", async () => {
  const h = start({ streamingList: true });
  for (let i = 0; i < 40; i++) h.lw.queueWatch().push(added("a", "5")).end();
  for (let i = 0; i < 40; i++) h.lw.queueList(listPage([pod("a", "5")], { resourceVersion: "10" }));
  for (let i = 0; i < 40; i++) h.lw.queueWatch().end();
  await h.clock.advance(5 * 60_000);
  const requests = h.lw.requests.length;
  const waits = h.clock.sleeps.length;
  // Only a successful LIST (progress) is followed by a request without a wait: its watch.
  const lists = h.lw.requests.filter((r) => r.verb === "list").length;
  assert(requests <= waits + lists + 1, `${requests} requests, ${lists} lists, ${waits} waits`);
  assert(requests < 40, `${requests} requests in 5 minutes`);
  await h.stop();
});

Deno.test("Reflector falls back to LIST when a streaming list goes silent for streamingIdleTimeoutMs after an event", async () => {
  const h = start({ streamingList: true, streamingIdleTimeoutMs: 10_000 });
  const stream = h.lw.queueWatch().push(added("a", "5"));
  await h.clock.flush();
  await h.clock.advance(9_999);
  assertEquals(h.lw.requests.length, 1);
  assertEquals(stream.closed, false);
  await h.clock.advance(1);
  assert(stream.closed);
  assert(stream.signal?.reason instanceof WatchIdleError);
  assertEquals(h.summary(), [failed("WatchIdleError", "fallback-to-list", 0)]);
  assertEquals(h.lw.lists, [firstPage("")]);
  await h.stop();
});

Deno.test("Reflector falls back to LIST when a streaming list sends nothing at all for streamingIdleTimeoutMs", async () => {
  const h = start({ streamingList: true, streamingIdleTimeoutMs: 10_000 });
  const stream = h.lw.queueWatch();
  await h.clock.advance(10_000);
  assert(stream.closed);
  assertEquals(h.summary(), [failed("WatchIdleError", "fallback-to-list", 800)]);
  await h.clock.advance(800);
  assertEquals(h.lw.lists, [firstPage("")]);
  await h.stop();
});

// ---------------------------------------------------------------------------
// Watching

async function listed(h: Harness, resourceVersion = "10"): Promise<void> {
  h.lw.queueList(listPage([pod("a", "3")], { resourceVersion }));
  await h.clock.flush();
  assertEquals(h.summary(), [replaced(["a"], resourceVersion)]);
}

Deno.test("Reflector passes watch events on in order and tracks their resourceVersions and bookmarks", async () => {
  const h = start();
  await listed(h);
  h.lw.lastWatch?.push(
    added("b", "11"),
    modified("a", "12"),
    bookmark("13"),
    deleted("b", "14"),
    { type: "BOOKMARK", object: { metadata: {} } },
    bookmark("15"),
  );
  await h.clock.flush();
  assertEquals(h.summary(), [
    replaced(["a"], "10"),
    changed("ADDED", "b", "11"),
    changed("MODIFIED", "a", "12"),
    { type: "bookmark", resourceVersion: "13" },
    changed("DELETED", "b", "14"),
    { type: "bookmark", resourceVersion: "15" },
  ]);
  assertEquals(h.seenVersions, ["10", "11", "12", "13", "14", "15"]);
  assertEquals(h.reflector.lastSyncResourceVersion, "15");
  await h.stop();
});

Deno.test('Reflector watching from RV "" ignores ADDED resourceVersions until a non-ADDED event', async () => {
  const h = start();
  h.lw.queueList(listPage([pod("a")], {}));
  await h.clock.flush();
  assertEquals(h.lw.lastWatch?.options, plainWatch(""));
  h.lw.lastWatch?.push(added("b", "11"), added("c", "12"), modified("b", "13"), added("d", "14"));
  await h.clock.flush();
  assertEquals(h.seenVersions, ["", "", "", "13", "14"]);
  await h.stop();
});

Deno.test("Reflector re-watches at once from the last RV after a watch that delivered events ends cleanly", async () => {
  const h = start();
  await listed(h);
  const first = h.lw.lastWatch;
  first?.push(modified("a", "11"), bookmark("12")).end();
  await h.clock.flush();
  assertEquals(h.lw.requests.slice(1).map((r) => r.options), [plainWatch("10"), plainWatch("12")]);
  assertEquals(h.lw.lists.length, 1);
  assertEquals(h.clock.sleeps, []);
  assertEquals(h.events.filter((e) => e.type === "error"), []);
  assert(first?.closed);
  await h.stop();
});

Deno.test("Reflector backs off and re-watches after an empty watch that ends sooner than 30 s", async () => {
  const h = start();
  await listed(h);
  await h.clock.advance(1000);
  h.lw.lastWatch?.end();
  await h.clock.flush();
  assertEquals(h.summary(), [
    replaced(["a"], "10"),
    failed("WatchWithoutProgressError", "rewatch", 800),
  ]);
  assertEquals(h.lw.requests.length, 2, "no request before the backoff");
  await h.clock.advance(800);
  assertEquals(h.lw.requests.slice(1).map((r) => r.options), [plainWatch("10"), plainWatch("10")]);
  await h.stop();
});

Deno.test("Reflector backs off when watches keep ending after bookmarks that repeat the same resourceVersion", async () => {
  const h = start();
  await listed(h);
  h.lw.lastWatch?.push(bookmark("10")).end();
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [
    { type: "bookmark", resourceVersion: "10" },
    failed("WatchWithoutProgressError", "rewatch", 800),
  ]);
  await h.stop();
});

Deno.test("Reflector re-watches at once after an empty watch that lasted 30 s", async () => {
  const h = start();
  await listed(h);
  await h.clock.advance(30_000);
  h.lw.lastWatch?.end();
  await h.clock.flush();
  assertEquals(h.lw.requests.slice(1).map((r) => r.options), [plainWatch("10"), plainWatch("10")]);
  assertEquals(h.summary(), [replaced(["a"], "10")]);
  assertEquals(h.clock.sleeps, []);
  await h.stop();
});

Deno.test("Reflector backs off after a watch breaks before any progress", async () => {
  const h = start();
  await listed(h);
  h.lw.lastWatch?.push(bookmark("10")).fail(reset());
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [
    { type: "bookmark", resourceVersion: "10" },
    failed("WatchWithoutProgressError", "rewatch", 800),
  ]);
  const error = h.events[2];
  assert(error?.type === "error" && error.error instanceof WatchWithoutProgressError);
  assert(error.error.cause instanceof TransportError);
  await h.stop();
});

Deno.test("Reflector backs off and relists after a watch that ends within a second without events", async () => {
  const h = start();
  await listed(h);
  await h.clock.advance(999);
  h.lw.lastWatch?.end();
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [failed("VeryShortWatchError", "relist", 800)]);
  const error = h.events[1];
  assert(error?.type === "error" && error.error instanceof VeryShortWatchError);
  assertEquals(h.clock.sleeps, [800]);
  await h.clock.advance(799);
  assertEquals(h.lw.lists.length, 1);
  await h.clock.advance(1);
  assertEquals(h.lw.lists, [firstPage(""), firstPage("10")]);
  await h.stop();
});

Deno.test('Reflector backs off after an in-stream 410, relists at the last RV, and lists from RV "" at once if that is 410 too', async () => {
  const h = start();
  await listed(h);
  const watch = h.lw.lastWatch;
  const gone = errorEvent({
    code: 410,
    reason: "Expired",
    message: "too old resource version: 10 (40)",
  });
  watch?.push(modified("a", "12"), gone);
  h.lw.queueList(expired(), listPage([pod("a", "41")], { resourceVersion: "45" }));
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [
    changed("MODIFIED", "a", "12"),
    failed("ExpiredError", "relist", 800),
  ]);
  assertStrictEquals(
    h.events[2]?.type === "error" && h.events[2].error,
    gone.type === "ERROR" && gone.error,
  );
  assert(watch?.closed);
  assertEquals(h.clock.sleeps, [800]);
  assertEquals(h.lw.lists.length, 1);

  await h.clock.advance(800);
  assertEquals(h.lw.lists, [
    firstPage(""),
    { limit: 500, resourceVersion: "12", resourceVersionMatch: "NotOlderThan" },
    { limit: 500 },
  ]);
  assertEquals(h.summary().slice(3), [failed("ExpiredError", "relist", 0), replaced(["a"], "45")]);
  assertEquals(h.clock.sleeps, [800], 'the RV "" list comes without another sleep');
  assertEquals(h.lw.lastWatch?.options, plainWatch("45"));
  await h.stop();
});

Deno.test("Reflector backs off and relists at the last RV when the watch request is refused with 410", async () => {
  const h = start();
  h.lw.queueList(listPage([pod("a", "3")], { resourceVersion: "10" }));
  h.lw.queueWatch().refuse(expired());
  await h.clock.flush();
  assertEquals(h.summary(), [replaced(["a"], "10"), failed("ExpiredError", "relist", 800)]);
  await h.clock.advance(800);
  assertEquals(h.lw.lists, [firstPage(""), firstPage("10")]);
  await h.stop();
});

Deno.test("Reflector backs off and re-watches without listing when the watch request gets 429 or no connection", async () => {
  const h = start();
  h.lw.queueList(listPage([pod("a", "3")], { resourceVersion: "10" }));
  h.lw.queueWatch().refuse(tooMany());
  h.lw.queueWatch().refuse(reset());
  await h.clock.flush();
  assertEquals(h.summary(), [replaced(["a"], "10"), failed("ApiError", "rewatch", 800)]);
  await h.clock.advance(800);
  assertEquals(h.summary().slice(2), [failed("TransportError", "rewatch", 1600)]);
  await h.clock.advance(1600);
  assertEquals(h.lw.requests.map((r) => r.verb), ["list", "watch", "watch", "watch"]);
  assertEquals(h.lw.watches.map((w) => w.options), [
    plainWatch("10"),
    plainWatch("10"),
    plainWatch("10"),
  ]);
  assertEquals(h.clock.sleeps, [800, 1600]);
  await h.stop();
});

Deno.test("Reflector backs off and re-watches from the last RV after an in-stream 429 ERROR", async () => {
  const h = start();
  await listed(h);
  const watch = h.lw.lastWatch;
  watch?.push(modified("a", "12"), errorEvent({ code: 429, reason: "TooManyRequests" }));
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [
    changed("MODIFIED", "a", "12"),
    failed("ApiError", "rewatch", 800),
  ]);
  assert(watch?.closed);
  await h.clock.advance(800);
  assertEquals(h.lw.requests.map((r) => r.verb), ["list", "watch", "watch"]);
  assertEquals(h.lw.lastWatch?.options, plainWatch("12"));
  await h.stop();
});

Deno.test("Reflector backs off and relists after an in-stream 500 ERROR", async () => {
  const h = start();
  await listed(h);
  h.lw.lastWatch?.push(errorEvent({ code: 500, reason: "InternalError" }));
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [failed("ApiError", "relist", 800)]);
  await h.clock.advance(800);
  assertEquals(h.lw.lists, [firstPage(""), firstPage("10")]);
  await h.stop();
});

Deno.test("Reflector backs off and relists when the watch request fails with another status", async () => {
  const h = start();
  h.lw.queueList(listPage([pod("a", "3")], { resourceVersion: "10" }));
  h.lw.queueWatch().refuse(forbidden());
  await h.clock.flush();
  assertEquals(h.summary(), [replaced(["a"], "10"), failed("ApiError", "relist", 800)]);
  await h.clock.advance(800);
  assertEquals(h.lw.lists, [firstPage(""), firstPage("10")]);
  await h.stop();
});

Deno.test("Reflector backs off and relists after an undecodable watch stream", async () => {
  const h = start();
  await listed(h);
  const watch = h.lw.lastWatch;
  watch?.push(added("b", "11")).fail(new WatchDecodeError("malformed-json", "line 2 is not JSON"));
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [
    changed("ADDED", "b", "11"),
    failed("WatchDecodeError", "relist", 800),
  ]);
  assert(watch?.closed);
  await h.clock.advance(800);
  assertEquals(h.lw.lists, [firstPage(""), firstPage("11")]);
  await h.stop();
});

Deno.test("Reflector re-watches at once from the last RV when the connection breaks mid-stream", async () => {
  const h = start();
  await listed(h);
  const watch = h.lw.lastWatch;
  watch?.push(added("b", "11")).fail(reset());
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [
    changed("ADDED", "b", "11"),
    failed("TransportError", "rewatch", 0),
  ]);
  assert(watch?.closed);
  assertEquals(h.lw.watches.map((w) => w.options), [plainWatch("10"), plainWatch("11")]);
  assertEquals(h.clock.sleeps, []);
  await h.stop();
});

Deno.test("Reflector's default idle timeout is 90 s, a minute and a half of bookmarks", async () => {
  const h = start();
  await listed(h);
  const watch = h.lw.lastWatch;
  await h.clock.advance(89_999);
  assertEquals(watch?.closed, false);
  await h.clock.advance(1);
  assert(watch?.closed);
  assert(watch?.signal?.reason instanceof WatchIdleError);
  await h.stop();
});

Deno.test("Reflector closes a watch that was silent for idleTimeoutMs and re-watches at once from the same RV", async () => {
  const h = start({ idleTimeoutMs: 150_000 });
  await listed(h);
  const watch = h.lw.lastWatch;
  watch?.push(added("b", "11"));
  await h.clock.flush();
  assertEquals(h.clock.pendingTimers, 1, "one watchdog timer");
  await h.clock.advance(149_999);
  assertEquals(watch?.closed, false);
  await h.clock.advance(1);
  assert(watch?.closed);
  assert(watch?.signal?.reason instanceof WatchIdleError);
  assertEquals(h.summary().slice(1), [
    changed("ADDED", "b", "11"),
    failed("WatchIdleError", "rewatch", 0),
  ]);
  assertEquals(h.lw.watches.map((w) => w.options), [plainWatch("10"), plainWatch("11")]);
  assertEquals(h.lw.lists.length, 1);
  assertEquals(h.clock.sleeps, []);
  await h.stop();
});

Deno.test("Reflector re-watches when a new watch stays silent for idleTimeoutMs before its first event", async () => {
  const h = start({ idleTimeoutMs: 60_000 });
  await listed(h);
  await h.clock.advance(60_000);
  assert(h.lw.watches[0]?.closed);
  assertEquals(h.summary().slice(1), [failed("WatchIdleError", "rewatch", 0)]);
  assertEquals(h.lw.watches.map((w) => w.options), [plainWatch("10"), plainWatch("10")]);
  await h.stop();
});

Deno.test("Reflector turns a watch event object without metadata.name into an error and a relist", async () => {
  const h = start();
  await listed(h);
  const watch = h.lw.lastWatch;
  watch?.push({ type: "MODIFIED", object: { metadata: { resourceVersion: "11" } } });
  await h.clock.flush();
  assertEquals(h.summary().slice(1), [failed("KubeError", "relist", 800)]);
  const error = h.events[1];
  assert(error?.type === "error" && error.error instanceof KubeError);
  assert(watch?.closed);
  assertEquals(h.reflector.lastSyncResourceVersion, "10");
  await h.clock.advance(800);
  assertEquals(h.lw.lists, [firstPage(""), firstPage("10")]);
  await h.stop();
});

Deno.test("Reflector's backoff starts over after two minutes without failures", async () => {
  const h = start({ idleTimeoutMs: 1_000_000 });
  h.lw.queueList(internal(), listPage([pod("a", "3")], { resourceVersion: "10" }));
  h.lw.queueWatch().refuse(tooMany());
  await h.clock.advance(800);
  assertEquals(h.summary().map((e) => e.type === "error" ? e.delayMs : e.type), [
    800,
    "replace",
    1600,
  ]);
  await h.clock.advance(1600);
  await h.clock.advance(120_001);
  h.lw.lastWatch?.push(errorEvent({ code: 429, reason: "TooManyRequests" }));
  await h.clock.flush();
  assertEquals(h.summary().at(-1), failed("ApiError", "rewatch", 800));
  await h.stop();
});

// ---------------------------------------------------------------------------
// LIST failures

Deno.test("Reflector restarts a LIST from page one at once when page two's continue token expired", async () => {
  const h = start();
  h.lw.queueList(
    listPage([pod("a")], { resourceVersion: "10", continue: "t1" }),
    expired(),
    listPage([pod("a")], { resourceVersion: "11", continue: "t2" }),
    listPage([pod("b")], { resourceVersion: "11" }),
  );
  await h.clock.flush();
  assertEquals(h.lw.requests.map((r) => r.options), [
    firstPage(""),
    { limit: 500, continue: "t1" },
    firstPage(""),
    { limit: 500, continue: "t2" },
    plainWatch("11"),
  ]);
  assertEquals(h.summary(), [failed("ExpiredError", "relist", 0), replaced(["a", "b"], "11")]);
  assertEquals(h.clock.sleeps, []);
  await h.stop();
});

Deno.test("Reflector backs off when the continue token expires a second time in a row", async () => {
  const h = start();
  h.lw.queueList(
    listPage([pod("a")], { resourceVersion: "10", continue: "t1" }),
    expired(),
    listPage([pod("a")], { resourceVersion: "11", continue: "t2" }),
    expired(),
  );
  await h.clock.flush();
  assertEquals(h.summary(), [
    failed("ExpiredError", "relist", 0),
    failed("ExpiredError", "relist", 800),
  ]);
  assertEquals(h.lw.lists.length, 4);
  h.lw.queueList(
    listPage([pod("a")], { resourceVersion: "12", continue: "t3" }),
    expired(),
    listPage([pod("b")], { resourceVersion: "13" }),
  );
  await h.clock.advance(799);
  assertEquals(h.lw.lists.length, 4);
  await h.clock.advance(1);
  assertEquals(h.lw.lists.slice(4), [
    firstPage(""),
    { limit: 500, continue: "t3" },
    firstPage(""),
  ]);
  assertEquals(h.summary().slice(2), [failed("ExpiredError", "relist", 0), replaced(["b"], "13")]);
  await h.stop();
});

Deno.test("Reflector reports a failed LIST and lists again after the backoff", async () => {
  const h = start();
  const error = internal();
  h.lw.queueList(error);
  await h.clock.flush();
  assertEquals(h.summary(), [failed("ApiError", "relist", 800)]);
  assertStrictEquals(h.events[0]?.type === "error" && h.events[0].error, error);
  assertEquals(h.clock.sleeps, [800]);
  await h.clock.advance(799);
  assertEquals(h.lw.lists.length, 1);
  h.lw.queueList(listPage([pod("a", "3")], { resourceVersion: "10" }));
  await h.clock.advance(1);
  assertEquals(h.lw.lists, [firstPage(""), firstPage("")]);
  assertEquals(h.summary().slice(1), [replaced(["a"], "10")]);
  await h.stop();
});

Deno.test("Reflector keeps retrying a forbidden LIST with growing delays capped at 30 s", async () => {
  const h = start();
  const expected = [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000];
  for (let i = 0; i < expected.length; i++) h.lw.queueList(forbidden());
  await h.clock.flush();
  for (const [i, delay] of expected.entries()) {
    assertEquals(h.lw.lists.length, i + 1);
    assertEquals(h.summary()[i], failed("ApiError", "relist", delay));
    await h.clock.advance(delay - 1);
    assertEquals(h.lw.lists.length, i + 1, `no LIST before ${delay} ms`);
    await h.clock.advance(1);
  }
  assertEquals(h.clock.sleeps, expected);
  assertEquals(h.lw.lists.length, expected.length + 1);
  assert(h.lw.lists.every((l) => l.resourceVersion === undefined));
  await h.stop();
});

Deno.test('Reflector relists from RV "" at once when a LIST at a specific RV is too large, and backs off if that fails', async () => {
  const h = start();
  await listed(h);
  h.lw.lastWatch?.push(errorEvent({ code: 500, reason: "InternalError" }));
  h.lw.queueList(
    ApiError.fromStatus({
      code: 504,
      reason: "Timeout",
      details: { causes: [{ reason: "ResourceVersionTooLarge" }] },
    }),
    internal(),
  );
  await h.clock.advance(800);
  assertEquals(h.lw.lists, [firstPage(""), firstPage("10"), firstPage(undefined)]);
  assertEquals(h.summary().slice(1), [
    failed("ApiError", "relist", 800),
    failed("ApiError", "relist", 0),
    failed("ApiError", "relist", 1600),
  ]);
  await h.clock.advance(1600);
  assertEquals(h.lw.lists.at(-1), firstPage(undefined), 'still RV "" after the failed retry');
  await h.stop();
});

Deno.test("Reflector skips list items without metadata.name", async () => {
  const h = start();
  h.lw.queueList(
    listPage([pod("a"), { metadata: { namespace: "default" } }, {}, pod("b")], {
      resourceVersion: "10",
    }),
  );
  await h.clock.flush();
  assertEquals(h.summary(), [replaced(["a", "b"], "10")]);
  await h.stop();
});

// ---------------------------------------------------------------------------
// The change vocabulary and tweakListOptions

Deno.test("Reflector hands a paginated LIST over as init, one initApply per object as each page arrives, then initDone", async () => {
  const clock = new FakeClock();
  const lw = new ScriptedListerWatcher<Pod>();
  const reflector = new Reflector<Pod>(lw, { clock, random: () => 0, streamingList: false });
  const a = pod("a", "3");
  lw.queueList(
    listPage([a], { resourceVersion: "10", continue: "t" }),
    listPage([pod("b", "4"), { metadata: {} } as Pod], { resourceVersion: "10" }),
  );
  lw.queueWatch().push(modified("a", "11"), bookmark("12"), deleted("b", "13"));
  const seen: string[] = [];
  const ac = new AbortController();
  for await (const event of reflector.run(ac.signal)) {
    seen.push(
      event.type === "initApply" || event.type === "MODIFIED" || event.type === "DELETED"
        ? `${event.type} ${event.object.metadata?.name}`
        : event.type === "initDone"
        ? `initDone ${event.resourceVersion}`
        : event.type,
    );
    if (event.type === "initApply" && event.object.metadata?.name === "a") {
      assertStrictEquals(event.object, a, "objects go out as the server sent them");
    }
    if (event.type === "DELETED") ac.abort();
  }
  assertEquals(seen, [
    "init",
    "initApply a",
    "initApply b",
    "initDone 10",
    "MODIFIED a",
    "bookmark",
    "DELETED b",
  ]);
});

Deno.test("Reflector hands a streaming list over as init, initApply per object, DELETED for one that went away, initDone", async () => {
  const clock = new FakeClock();
  const lw = new ScriptedListerWatcher<Pod>();
  const reflector = new Reflector<Pod>(lw, { clock, random: () => 0, streamingList: true });
  lw.queueWatch().push(
    added("a", "5"),
    bookmark("6"),
    added("b", "7"),
    deleted("a", "8"),
    endBookmark("9"),
    added("c", "10"),
  );
  const seen: string[] = [];
  const ac = new AbortController();
  for await (const event of reflector.run(ac.signal)) {
    seen.push(
      "object" in event ? `${event.type} ${event.object.metadata?.name}` : event.type,
    );
    if (event.type === "ADDED") ac.abort();
  }
  assertEquals(seen, ["init", "initApply a", "initApply b", "DELETED a", "initDone", "ADDED c"]);
});

Deno.test("Reflector calls tweakListOptions once on every list page, streaming list and watch request", async () => {
  const received: unknown[] = [];
  const h = start({
    streamingList: true,
    labelSelector: "app=web",
    tweakListOptions(options) {
      received.push(options.labelSelector);
      options.labelSelector = `${options.labelSelector},tier=front`;
    },
  });
  h.lw.queueWatch().refuse(invalid());
  h.lw.queueList(
    listPage([pod("a")], { resourceVersion: "10", continue: "t" }),
    listPage([pod("b")], { resourceVersion: "10" }),
  );
  await h.clock.advance(1000);
  h.lw.lastWatch?.end();
  await h.clock.advance(800);
  assertEquals(h.lw.requests.map((r) => r.verb), ["watch", "list", "list", "watch", "watch"]);
  assertEquals(received, Array(5).fill("app=web"), "each request gets fresh options");
  for (const request of h.lw.requests) {
    assertEquals(request.options.labelSelector, "app=web,tier=front");
  }
  await h.stop();
});

// ---------------------------------------------------------------------------
// Abort

Deno.test("Reflector.run ends without throwing when aborted during a LIST", async () => {
  const h = start();
  await h.clock.flush();
  assert(h.lw.listWaiting);
  await h.stop();
  assertEquals(h.events.length, 0);
});

Deno.test("Reflector.run ends without throwing and closes the watch when aborted during a watch read", async () => {
  const h = start();
  await listed(h);
  h.lw.lastWatch?.push(added("b", "11"));
  await h.clock.flush();
  assertEquals(h.clock.pendingTimers, 1);
  assertEquals(h.lw.lastWatch?.closed, false);
  await h.stop();
  assertEquals(h.events.length, 2);
});

Deno.test("Reflector.run ends without throwing and closes the stream when aborted during a streaming list", async () => {
  const h = start({ streamingList: true });
  h.lw.queueWatch().push(added("a", "5"));
  await h.clock.flush();
  assertEquals(h.clock.pendingTimers, 1);
  await h.stop();
  assertEquals(h.events.length, 0);
});

Deno.test("Reflector.run ends without throwing when aborted during a backoff sleep", async () => {
  const h = start();
  h.lw.queueList(internal());
  await h.clock.flush();
  assertEquals(h.clock.pendingTimers, 1, "the backoff sleep");
  await h.clock.advance(400);
  await h.stop();
  assertEquals(h.lw.lists.length, 1);
});

Deno.test("Reflector.run closes the open watch when the consumer stops iterating", async () => {
  const clock = new FakeClock();
  const lw = new ScriptedListerWatcher<Pod>();
  const reflector = new Reflector<Pod>(lw, {
    clock,
    random: () => 0,
    streamingList: false,
  });
  lw.queueList(listPage([pod("a", "3")], { resourceVersion: "10" }));
  const watch = lw.queueWatch().push(added("b", "11"), added("c", "12"));
  const seen: string[] = [];
  for await (const event of reflector.run(new AbortController().signal)) {
    seen.push(event.type);
    if (event.type === "ADDED") break;
  }
  assertEquals(seen, ["init", "initApply", "initDone", "ADDED"]);
  assert(watch.closed);
  assertEquals(clock.pendingTimers, 0);
});

Deno.test("Reflector backs off when a new watch with a short idleTimeoutMs stays silent before its first event", async () => {
  const h = start({ idleTimeoutMs: 5_000 });
  await listed(h);
  await h.clock.advance(5_000);
  assertEquals(h.summary().slice(1), [failed("WatchIdleError", "rewatch", 800)]);
  assertEquals(h.lw.watches.length, 1, "no watch before the backoff");
  await h.clock.advance(800);
  assertEquals(h.lw.watches.map((w) => w.options), [plainWatch("10"), plainWatch("10")]);
  await h.stop();
});
