/**
 * A randomized chaos driver for the shared informer against the fake
 * apiserver, reusable by tests (a few thousand operations) and by longer
 * soak runs.
 *
 * One run, for one seed:
 * - writes random creates, updates (some no-ops that still bump the
 *   resourceVersion), deletes (some held by a finalizer and finished later),
 *   silent writes (missed events), create+delete pairs and update bursts to
 *   pods in a few namespaces, with names drawn from a small pool so that they
 *   are reused after deletes;
 * - interleaves every fault the fake server can inject: closed, stalled and
 *   garbled watches, compaction, failed list and watch requests (429, 500,
 *   503, 410, 403, with and without Retry-After), bookmarks, latency bursts,
 *   and jumps of the informer's clock past its idle timeout;
 * - checks every notification as it arrives, in four consumers (a recording
 *   handler, a slow asynchronous one, one that throws, `events()`) and a late
 *   handler: no add for a known key, no update or delete for an unknown one,
 *   the old object of an update is the object last delivered for that key,
 *   resourceVersions only grow, initial adds come first;
 * - after the operations, clears the faults, makes one last silent write,
 *   compacts and stays silent past the idle timeout, so that every informer
 *   has to recover on its own (idle watchdog, in-stream 410, relist: the
 *   silent writes are only visible to a list), then sends bookmarks and waits
 *   until the caches, every consumer's model and the server agree exactly
 *   (keys and resourceVersions), failing with a diff otherwise;
 * - aborts and checks that nothing is delivered afterwards, no fake timer is
 *   pending and the server has no open watch.
 *
 * The sequence of operations and faults is a function of the seed alone (the
 * informer's reactions depend on timing; the checks do not). The informer
 * runs on a {@linkcode FakeClock} that the driver advances, with a small
 * backoff, so retries never wait for real time.
 *
 * @module
 */

import type { Pod } from "../../src/api/core_v1.ts";
import { ApiError } from "../../src/api/errors.ts";
import { pods } from "../../src/api/resources.ts";
import { INITIAL_EVENTS_END_ANNOTATION, type WatchEvent } from "../../src/api/watch_event.ts";
import {
  type DeletedFinalStateUnknown,
  isDeletedFinalStateUnknown,
} from "../../src/cache/deleted_final_state_unknown.ts";
import { metaNamespaceKey } from "../../src/cache/keys.ts";
import type { KubeClient } from "../../src/client/kube_client.ts";
import type { ListOptions, WatchOptions } from "../../src/client/request_options.ts";
import type {
  HandlerRegistration,
  InformerErrorEvent,
  ResourceEventHandler,
} from "../../src/informer/event_handler.ts";
import { SharedIndexInformer } from "../../src/informer/shared_index_informer.ts";
import { FakeApiServer, type RequestVerb } from "../../src/testing/mod.ts";
import { Backoff } from "../../src/watch/backoff.ts";
import type { ListerWatcher } from "../../src/watch/reflector.ts";
import { FakeClock } from "./fake_clock.ts";
import { seededRandom } from "./random.ts";

/** Kinds of write operations. */
export type ChaosOperation =
  | "create"
  | "update"
  | "noopUpdate"
  | "delete"
  | "finalizedDelete"
  | "finish"
  | "silentCreate"
  | "silentUpdate"
  | "silentDelete"
  | "createDelete"
  | "burst";

/** Kinds of faults. */
export type ChaosFault =
  | "closeWatches"
  | "stallWatches"
  | "malformedLine"
  | "compact"
  | "failWatch"
  | "failList"
  | "bookmark"
  | "latency"
  | "clockJump";

/** Options of {@linkcode runChaos}. */
export interface ChaosOptions {
  /** Seed of every random choice of the driver. */
  seed: number;
  /** Write operations to perform. @default {2000} */
  operations?: number | undefined;
  /** `in-process` uses `server.fetch`; `http` listens on 127.0.0.1. @default {"in-process"} */
  transport?: "in-process" | "http" | undefined;
  /** Whether the server supports streaming lists. @default {chosen from the seed (70 % true)} */
  streamingLists?: boolean | undefined;
  /** LIST page size of the informer. @default {chosen from the seed, 2 to 7} */
  pageSize?: number | undefined;
  /** Resync period of the informer (fake milliseconds). @default {chosen from the seed: 0 or 3000} */
  resyncPeriodMs?: number | undefined;
  /** Namespaces written to. @default {5} */
  namespaces?: number | undefined;
  /** Distinct pod names per namespace. @default {8} */
  namesPerNamespace?: number | undefined;
  /** Probability that an action is a fault rather than an operation. @default {0.08} */
  faultRate?: number | undefined;
  /** Real milliseconds to wait for the informer to converge at the end. @default {15000} */
  quiescenceTimeoutMs?: number | undefined;
  /**
   * Rewrites what the informers' watches deliver, to check that the checks
   * catch a misbehaving stream: gets each event and the previous ADDED or
   * MODIFIED event of the same stream, returns the events to deliver instead.
   */
  tamper?:
    | ((event: WatchEvent<Pod>, previous: WatchEvent<Pod> | undefined) => WatchEvent<Pod>[])
    | undefined;
}

/** What a run did and saw. */
export interface ChaosReport {
  /** The seed. */
  seed: number;
  /** The transport. */
  transport: "in-process" | "http";
  /** Whether the server supported streaming lists. */
  streamingLists: boolean;
  /** LIST page size. */
  pageSize: number;
  /** Informer resync period (fake ms, 0 = none). */
  resyncPeriodMs: number;
  /** Operations by kind. */
  operations: Record<ChaosOperation, number>;
  /** Writes to the server (a create+delete pair counts two). */
  writes: number;
  /** Faults by kind. */
  faults: Record<ChaosFault, number>;
  /** Injected request failures by `verb status`, such as `watch 429`. */
  failures: Record<string, number>;
  /** Notifications received by the recording handler of the all-pods informer, by kind. */
  notifications: { add: number; update: number; resync: number; delete: number; tombstone: number };
  /** Notifications received by the handler of the `app=web` informer. */
  selectorNotifications: number;
  /** Items read from `events()` by both consumers (errors and the sync included). */
  events: number;
  /** Errors reported by the informer, by `recovery` (`handler` for handler exceptions). */
  errors: Record<string, number>;
  /** The same errors by class (and status code for API errors), such as `ExpiredError 410`. */
  errorKinds: Record<string, number>;
  /** Completed LISTs and streaming lists of both informers (the initial ones included). */
  relists: number;
  /** LIST page requests, watch requests (streaming lists included) and streaming-list requests. */
  requests: { listPages: number; watches: number; streams: number };
  /** Pods on the server (and in the all-pods cache) at the end. */
  finalObjects: number;
  /** Real milliseconds the run took. */
  durationMs: number;
  /** Fake milliseconds the informer's clock moved. */
  fakeMs: number;
}

const OPERATIONS: readonly ChaosOperation[] = [
  "create",
  "update",
  "noopUpdate",
  "delete",
  "finalizedDelete",
  "finish",
  "silentCreate",
  "silentUpdate",
  "silentDelete",
  "createDelete",
  "burst",
];

const FAULTS: readonly ChaosFault[] = [
  "closeWatches",
  "stallWatches",
  "malformedLine",
  "compact",
  "failWatch",
  "failList",
  "bookmark",
  "latency",
  "clockJump",
];

const IDLE_TIMEOUT_MS = 5000;
const FINALIZER = "example.com/hold";
const PHASES = ["Pending", "Running", "Succeeded", "Failed"] as const;
const FAIL_STATUSES = [429, 500, 503, 410, 403] as const;
const MAX_VIOLATIONS = 40;

function countsOf<K extends string>(keys: readonly K[]): Record<K, number> {
  const record = {} as Record<K, number>;
  for (const key of keys) record[key] = 0;
  return record;
}

function rvOf(object: Pod | undefined): number {
  return Number(object?.metadata?.resourceVersion ?? NaN);
}

/** `key@rv` of every object, sorted: what "equal state" means here. */
function signature(objects: Iterable<[string, Pod]>): string[] {
  const out: string[] = [];
  for (const [key, object] of objects) out.push(`${key}@${object.metadata?.resourceVersion}`);
  return out.sort();
}

function describeDiff(label: string, expected: string[], actual: string[]): string | undefined {
  const want = new Set(expected);
  const have = new Set(actual);
  const missing = expected.filter((s) => !have.has(s));
  const extra = actual.filter((s) => !want.has(s));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const cut = (list: string[]) => list.slice(0, 10).join(", ") + (list.length > 10 ? ", ..." : "");
  return `${label}: missing [${cut(missing)}], unexpected [${cut(extra)}]`;
}

/** Checks one consumer's sequence of notifications and keeps its model of the cache. */
class SequenceChecker {
  readonly name: string;
  readonly model: Map<string, Pod> = new Map();
  readonly counts = { add: 0, update: 0, resync: 0, delete: 0, tombstone: 0 };
  #violations: string[];
  #sawLive = false;

  constructor(name: string, violations: string[]) {
    this.name = name;
    this.#violations = violations;
  }

  get calls(): number {
    const c = this.counts;
    return c.add + c.update + c.resync + c.delete + c.tombstone;
  }

  #fail(message: string): void {
    if (this.#violations.length < MAX_VIOLATIONS) this.#violations.push(`${this.name}: ${message}`);
  }

  add(object: Pod, isInInitialList: boolean): void {
    this.counts.add++;
    const key = metaNamespaceKey(object);
    if (isInInitialList && this.#sawLive) {
      this.#fail(`initial add of ${key} after live notifications`);
    }
    if (!isInInitialList) this.#sawLive = true;
    if (this.model.has(key)) {
      this.#fail(
        `add for known key ${key} (rv ${rvOf(object)}, known ${rvOf(this.model.get(key))})`,
      );
    }
    this.model.set(key, object);
  }

  update(oldObject: Pod, newObject: Pod): void {
    this.#sawLive = true;
    const key = metaNamespaceKey(newObject);
    const known = this.model.get(key);
    if (oldObject === newObject) {
      this.counts.resync++;
      if (known !== newObject) this.#fail(`resync of ${key} with an object never delivered`);
      return;
    }
    this.counts.update++;
    if (known === undefined) {
      this.#fail(`update for unknown key ${key}`);
    } else if (known !== oldObject) {
      this.#fail(
        `update of ${key}: old object (rv ${rvOf(oldObject)}) is not the last one delivered (rv ${
          rvOf(known)
        })`,
      );
    }
    if (metaNamespaceKey(oldObject) !== key) this.#fail(`update with different keys for ${key}`);
    if (!(rvOf(newObject) > rvOf(oldObject))) {
      this.#fail(
        `update of ${key} does not move the resourceVersion forward: ${rvOf(oldObject)} -> ${
          rvOf(newObject)
        }`,
      );
    }
    this.model.set(key, newObject);
  }

  delete(object: Pod | DeletedFinalStateUnknown<Pod>): void {
    this.#sawLive = true;
    if (isDeletedFinalStateUnknown(object)) {
      this.counts.tombstone++;
      const known = this.model.get(object.key);
      if (known === undefined) this.#fail(`tombstone for unknown key ${object.key}`);
      else if (object.obj !== known) {
        this.#fail(`tombstone of ${object.key} carries another object`);
      }
      this.model.delete(object.key);
      return;
    }
    this.counts.delete++;
    const key = metaNamespaceKey(object);
    const known = this.model.get(key);
    if (known === undefined) {
      this.#fail(`delete for unknown key ${key}`);
    } else if (!(rvOf(object) > rvOf(known))) {
      this.#fail(`delete of ${key} at rv ${rvOf(object)} older than the known ${rvOf(known)}`);
    }
    this.model.delete(key);
  }

  handler(): ResourceEventHandler<Pod> {
    return {
      onAdd: (object, initial) => this.add(object, initial),
      onUpdate: (oldObject, newObject) => this.update(oldObject, newObject),
      onDelete: (object) => this.delete(object),
    };
  }
}

/** Wraps a lister-watcher to count requests and completed (streaming) lists. */
function countingListerWatcher(
  inner: ListerWatcher<Pod>,
  counters: { listPages: number; watches: number; streams: number; relists: number },
  tamper: ChaosOptions["tamper"],
): ListerWatcher<Pod> {
  return {
    async list(options: ListOptions) {
      counters.listPages++;
      const list = await inner.list(options);
      if (!list.metadata?.continue) counters.relists++;
      return list;
    },
    async *watch(options: WatchOptions): AsyncGenerator<WatchEvent<Pod>, void, undefined> {
      counters.watches++;
      if (options.sendInitialEvents) counters.streams++;
      let previous: WatchEvent<Pod> | undefined;
      for await (const event of inner.watch(options)) {
        if (
          options.sendInitialEvents && event.type === "BOOKMARK" &&
          event.object.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === "true"
        ) {
          counters.relists++;
        }
        if (tamper === undefined) {
          yield event;
          continue;
        }
        yield* tamper(event, previous);
        if (event.type === "ADDED" || event.type === "MODIFIED") previous = event;
      }
    },
  };
}

function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** One informer under test, with its consumers. */
interface Subject {
  readonly name: string;
  readonly informer: SharedIndexInformer<Pod>;
  readonly counters: { listPages: number; watches: number; streams: number; relists: number };
  readonly checkers: SequenceChecker[];
  readonly registrations: HandlerRegistration[];
  /** Which server objects it should hold at the end. */
  readonly wants: (pod: Pod) => boolean;
  running?: Promise<void> | undefined;
}

/**
 * Runs one chaos scenario and returns what happened. Throws an `Error`
 * listing the violations when a consumer saw an inconsistent sequence, when
 * the informers did not converge to the server's state in time (with a
 * diff), or when something was delivered or left running after abort.
 *
 * Two informers run side by side: one over all pods, with four consumers
 * from the start plus a late handler and a late `events()` consumer, and one
 * with the label selector `app=web` (objects move in and out of it as their
 * labels change) with a recording handler.
 *
 * @param options Seed, number of operations, transport and knobs.
 * @returns Counts of operations, faults, notifications, relists, duration.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = performance.now();
  const seed = options.seed;
  const config = seededRandom(seed ^ 0x5bd1e995);
  const rng = seededRandom(seed);
  const handlerRng = seededRandom(seed ^ 0x27d4eb2f);
  const transport = options.transport ?? "in-process";
  // Drawn whether or not overridden, so that overriding one keeps the others.
  const drawn = {
    streaming: config() >= 0.3,
    page: 2 + Math.floor(config() * 6),
    resync: config(),
  };
  const streamingLists = options.streamingLists ?? drawn.streaming;
  const pageSize = options.pageSize ?? drawn.page;
  const resyncPeriodMs = options.resyncPeriodMs ?? (drawn.resync < 0.5 ? 0 : 3000);
  const operationsTarget = options.operations ?? 2000;
  const namespaceCount = options.namespaces ?? 5;
  const namesPerNamespace = options.namesPerNamespace ?? 8;
  const faultRate = options.faultRate ?? 0.08;
  const quiescenceTimeoutMs = options.quiescenceTimeoutMs ?? 15_000;

  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const operations = countsOf(OPERATIONS);
  const faults = countsOf(FAULTS);
  const failures: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  const recentErrors: string[] = [];
  const violations: string[] = [];
  let writes = 0;
  let events = 0;

  const server = transport === "http"
    ? await FakeApiServer.start({ streamingLists, bookmarkIntervalMs: 0 })
    : new FakeApiServer({ streamingLists, bookmarkIntervalMs: 0 });
  let client: KubeClient | undefined;
  const clock = new FakeClock({ flushTurns: 200 });
  const ac = new AbortController();
  const subjects: Subject[] = [];
  const readers: Promise<void>[] = [];
  let stopped = false;
  let slowBusy = false;
  let callsAfterStop = 0;

  try {
    // The client's transparent Retry-After retries wait on the fake clock too.
    const kube = client = server.client({ sleep: (ms, signal) => clock.sleep(ms, signal) });

    const makeSubject = (
      name: string,
      wants: (pod: Pod) => boolean,
      labelSelector: string | undefined,
    ): Subject => {
      const counters = { listPages: 0, watches: 0, streams: 0, relists: 0 };
      const random = seededRandom(seed ^ 0x68e31da4 ^ subjects.length);
      const informer = new SharedIndexInformer<Pod>(
        countingListerWatcher(kube.resource(pods), counters, options.tamper),
        pods,
        {
          pageSize,
          resyncPeriodMs,
          idleTimeoutMs: IDLE_TIMEOUT_MS,
          clock,
          random,
          backoff: new Backoff({ initialMs: 5, maxMs: 100, now: () => clock.now(), random }),
          tweakListOptions: labelSelector === undefined
            ? undefined
            : (o) => void (o.labelSelector = labelSelector),
        },
      );
      informer.setWatchErrorHandler((event: InformerErrorEvent) => {
        const error = event.error;
        const errorName = error instanceof Error ? error.name : typeof error;
        errors[event.recovery] = (errors[event.recovery] ?? 0) + 1;
        const kind = error instanceof ApiError ? `${errorName} ${error.code}` : errorName;
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
        recentErrors.push(
          `${name}: ${event.recovery} after ${errorName}: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
        if (recentErrors.length > 10) recentErrors.shift();
      });
      const subject: Subject = {
        name,
        informer,
        counters,
        checkers: [],
        registrations: [],
        wants,
      };
      subjects.push(subject);
      return subject;
    };

    // Counts calls that happen once the informers have stopped.
    const guard = (h: ResourceEventHandler<Pod>): ResourceEventHandler<Pod> => ({
      onAdd: (o, i) => (stopped && callsAfterStop++, h.onAdd?.(o, i)),
      onUpdate: (o, n) => (stopped && callsAfterStop++, h.onUpdate?.(o, n)),
      onDelete: (o) => (stopped && callsAfterStop++, h.onDelete?.(o)),
    });
    const addChecked = (
      subject: Subject,
      checker: SequenceChecker,
      around?: (apply: () => void) => unknown,
    ): void => {
      const call = around ?? ((apply: () => void) => apply());
      const registration = subject.informer.addEventHandler(guard({
        onAdd: (o, i) => call(() => checker.add(o, i)),
        onUpdate: (o, n) => call(() => checker.update(o, n)),
        onDelete: (o) => call(() => checker.delete(o)),
      }));
      subject.registrations.push(registration);
      subject.checkers.push(checker);
    };
    /** Reads `events()` into a checker; a late consumer sees no `synced` event. */
    const consume = (subject: Subject, checker: SequenceChecker, late: boolean): void => {
      subject.checkers.push(checker);
      let synced = late;
      const fail = (message: string) => {
        if (violations.length < MAX_VIOLATIONS) violations.push(`${checker.name}: ${message}`);
      };
      readers.push((async () => {
        for await (const event of subject.informer.events({ signal: ac.signal })) {
          if (stopped) callsAfterStop++;
          events++;
          switch (event.type) {
            case "add":
              if (event.isInInitialList && synced && !late) fail("initial add after the sync");
              checker.add(event.object, event.isInInitialList);
              break;
            case "update":
              if (!synced) fail("update before the sync");
              checker.update(event.oldObject, event.newObject);
              break;
            case "delete":
              if (!synced) fail("delete before the sync");
              checker.delete(event.object);
              break;
            case "synced":
              if (synced) fail(late ? "synced event for a late consumer" : "second synced event");
              synced = true;
              break;
            case "error":
              break;
          }
        }
      })());
    };

    const all = makeSubject("all pods", () => true, undefined);
    const web = makeSubject("app=web", (p) => p.metadata?.labels?.app === "web", "app=web");

    addChecked(all, new SequenceChecker("recording handler", violations));
    // Sometimes asynchronous (microtasks, or a macrotask), never re-entered.
    addChecked(all, new SequenceChecker("slow handler", violations), (apply) => {
      if (slowBusy) {
        violations.push("slow handler: called while its previous call was still running");
      }
      const r = handlerRng();
      if (r < 0.5) return void apply();
      slowBusy = true;
      return (async () => {
        try {
          if (r < 0.95) {
            for (let i = Math.floor(r * 20); i > 0; i--) await Promise.resolve();
          } else {
            await macrotask();
          }
          apply();
        } finally {
          slowBusy = false;
        }
      })();
    });
    // Throws or rejects now and then, after taking note.
    addChecked(all, new SequenceChecker("throwing handler", violations), (apply) => {
      apply();
      const r = handlerRng();
      if (r < 0.04) throw new Error("chaos handler failure");
      if (r < 0.06) return Promise.reject(new Error("chaos handler rejection"));
      return undefined;
    });
    consume(all, new SequenceChecker("events()", violations), false);
    addChecked(web, new SequenceChecker("app=web handler", violations));

    for (const subject of subjects) subject.running = subject.informer.run(ac.signal);

    // ---- the operations and faults ----
    const keys: { namespace: string; name: string }[] = [];
    for (let n = 0; n < namespaceCount; n++) {
      for (let i = 0; i < namesPerNamespace; i++) {
        keys.push({ namespace: `ns-${n}`, name: `pod-${String(i).padStart(2, "0")}` });
      }
    }
    let latencyRounds = 0;

    const mutate = (pod: Pod, opIndex: number): void => {
      const labels = { ...pod.metadata?.labels };
      labels.app = pick(["web", "db", "cache"]);
      if (rng() < 0.5) labels.tier = pick(["a", "b"]);
      else delete labels.tier;
      labels.rev = String(opIndex);
      pod.metadata = { ...pod.metadata, labels };
      if (rng() < 0.5) pod.status = { ...pod.status, phase: pick(PHASES) };
    };

    const operate = (opIndex: number): void => {
      const { namespace, name } = pick(keys);
      const current = server.get(pods, namespace, name);
      const write = (fn: () => void) => {
        fn();
        writes++;
      };
      if (current === undefined) {
        const r = rng();
        const pod: Pod = {
          metadata: { namespace, name, labels: { app: pick(["web", "db", "cache"]) } },
          spec: { containers: [{ name: "main", image: "example/app:1" }] },
          status: { phase: "Pending" },
        };
        if (r < 0.08) {
          operations.createDelete++;
          write(() => server.create(pods, pod));
          write(() => server.delete(pods, namespace, name));
        } else if (r < 0.13) {
          operations.silentCreate++;
          write(() => server.create(pods, pod, { silent: true }));
        } else {
          operations.create++;
          if (rng() < 0.15) pod.metadata!.finalizers = [FINALIZER];
          write(() => server.create(pods, pod));
        }
        return;
      }
      if (current.metadata?.deletionTimestamp !== undefined) {
        if (rng() < 0.7) {
          operations.finish++;
          current.metadata = { ...current.metadata, finalizers: [] };
        } else {
          operations.update++;
          mutate(current, opIndex);
        }
        write(() => server.update(pods, current));
        return;
      }
      const r = rng();
      if (r < 0.38) {
        operations.update++;
        mutate(current, opIndex);
        write(() => server.update(pods, current));
      } else if (r < 0.44) {
        operations.noopUpdate++;
        write(() => server.update(pods, current));
      } else if (r < 0.50) {
        operations.burst++;
        for (let i = 2 + Math.floor(rng() * 4); i > 0; i--) {
          mutate(current, opIndex);
          write(() => server.update(pods, current));
        }
      } else if (r < 0.56) {
        operations.silentUpdate++;
        mutate(current, opIndex);
        write(() => server.update(pods, current, { silent: true }));
      } else if (r < 0.62) {
        operations.silentDelete++;
        write(() => server.delete(pods, namespace, name, { silent: true }));
      } else {
        const held = (current.metadata?.finalizers ?? []).length > 0;
        if (held) operations.finalizedDelete++;
        else operations.delete++;
        write(() => server.delete(pods, namespace, name));
      }
    };

    const inject = async (): Promise<void> => {
      const fault = pick(FAULTS);
      faults[fault]++;
      switch (fault) {
        case "closeWatches":
          server.closeWatches();
          return;
        case "stallWatches":
          server.stallWatches();
          return;
        case "malformedLine":
          server.injectMalformedLine();
          return;
        case "compact":
          server.compact();
          return;
        case "failWatch":
        case "failList": {
          const verb: RequestVerb = fault === "failWatch" ? "watch" : "list";
          const status = pick(FAIL_STATUSES);
          const count = 1 + Math.floor(rng() * 3);
          const retry = (status === 429 || status === 503) && rng() < 0.5
            ? 1 + Math.floor(rng() * 2)
            : undefined;
          // Half of the watch failures spare streaming lists, which the
          // informer gives up for good after one refusal other than 410/429.
          const spareStreams = verb === "watch" && rng() < 0.5;
          const label = `${verb}${spareStreams ? " (not streaming)" : ""} ${status}`;
          failures[label] = (failures[label] ?? 0) + 1;
          server.failNext({
            status,
            count,
            ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
            match: spareStreams
              ? (info) =>
                info.verb === "watch" && info.resource === "pods" &&
                !info.query.includes("sendInitialEvents=true")
              : { verb, resource: "pods" },
          });
          return;
        }
        case "bookmark":
          server.bookmark();
          return;
        case "latency":
          server.latencyMs = 1 + Math.floor(rng() * 4);
          latencyRounds = 1 + Math.floor(rng() * 4);
          return;
        case "clockJump":
          await clock.advance(IDLE_TIMEOUT_MS + Math.floor(rng() * 3000));
          return;
      }
    };

    const lagging = () =>
      subjects.some((s) => s.informer.lastSyncResourceVersion() !== server.resourceVersion);
    const pace = async (): Promise<void> => {
      const r = rng();
      const dt = r < 0.6
        ? 0
        : r < 0.95
        ? 1 + Math.floor(rng() * 100)
        : 100 + Math.floor(rng() * 900);
      await clock.advance(dt);
      if (latencyRounds > 0 && --latencyRounds === 0) server.latencyMs = 0;
      if (transport === "http") {
        // Bytes over a socket need turns of the event loop: give the informers
        // a few to catch up (how many it takes depends on timing, not on rng),
        // firing their short backoffs on the way.
        for (let i = 0; i < 4 && lagging(); i++) {
          await macrotask();
          const due = clock.nextTimerIn;
          if (due !== undefined && due <= 200) await clock.advance(due);
        }
      } else if (server.latencyMs > 0 || rng() < 0.25) {
        await macrotask();
      }
    };

    const lateAt = Math.floor(operationsTarget * (0.3 + rng() * 0.4));
    let lateAdded = false;
    let op = 0;
    while (op < operationsTarget) {
      const roundLength = 1 + Math.floor(rng() * 12);
      for (let k = 0; k < roundLength && op < operationsTarget; k++) {
        if (rng() < faultRate) await inject();
        else operate(op++);
      }
      if (!lateAdded && op >= lateAt) {
        lateAdded = true;
        addChecked(all, new SequenceChecker("late handler", violations));
        consume(all, new SequenceChecker("late events()", violations), true);
      }
      await pace();
    }

    // ---- quiescence: no faults, one relist each, then wait for agreement ----
    server.clearFaults();
    server.latencyMs = 0;
    // Silent writes are only seen by a list. A last silent write, then a
    // compaction, then silence past the idle timeout (no event, no bookmark):
    // whatever state the faults left them in (stalled watch included), the
    // informers' watches give up, and the next one of each starts before the
    // compaction, meets an in-stream 410 and relists.
    const marker = pick(keys);
    const existing = server.get(pods, marker.namespace, marker.name);
    if (existing === undefined) {
      server.create(pods, {
        metadata: { namespace: marker.namespace, name: marker.name, labels: { app: "web" } },
      }, { silent: true });
    } else {
      server.update(pods, existing, { silent: true });
    }
    writes++;
    server.compact();
    for (let quiet = 0; quiet < IDLE_TIMEOUT_MS * 1.6; quiet += 1000) {
      await clock.advance(1000);
      await macrotask();
    }
    const deadline = Date.now() + quiescenceTimeoutMs;
    const disagreements = (): string[] => {
      const out: string[] = [];
      const onServer = server.list(pods);
      for (const subject of subjects) {
        const { informer } = subject;
        const want = signature(
          onServer.filter(subject.wants).map((p) => [metaNamespaceKey(p), p] as [string, Pod]),
        );
        const cache = signature(
          informer.indexer.list().map((p) => [metaNamespaceKey(p), p] as [string, Pod]),
        );
        const d = describeDiff(`${subject.name}: cache vs server`, want, cache);
        if (d) out.push(d);
        for (const checker of subject.checkers) {
          const m = describeDiff(
            `${subject.name}: ${checker.name} vs server`,
            want,
            signature(checker.model),
          );
          if (m) out.push(m);
        }
        if (!informer.hasSynced()) out.push(`${subject.name}: not synced`);
        const unsynced = subject.registrations.filter((r) => !r.hasSynced()).length;
        if (unsynced > 0) out.push(`${subject.name}: ${unsynced} registrations not synced`);
        if (informer.lastSyncResourceVersion() !== server.resourceVersion) {
          out.push(
            `${subject.name}: lastSyncResourceVersion ${informer.lastSyncResourceVersion()}, server at ${server.resourceVersion}`,
          );
        }
      }
      if (slowBusy) out.push("the slow handler is still busy");
      return out;
    };
    for (;;) {
      server.bookmark();
      await clock.advance(50);
      await macrotask();
      const out = disagreements();
      if (out.length === 0) break;
      if (Date.now() > deadline) {
        const seen = violations.length === 0
          ? ""
          : `\n  violations:\n    ${violations.join("\n    ")}`;
        throw new Error(
          `seed ${seed}: no convergence within ${quiescenceTimeoutMs} ms:\n  ${
            out.join("\n  ")
          }\n  recent errors:\n    ${recentErrors.join("\n    ")}${seen}`,
        );
      }
    }
    const finalObjects = all.informer.indexer.size;

    // ---- abort: nothing afterwards ----
    ac.abort();
    for (const subject of subjects) {
      await subject.running;
      subject.running = undefined;
    }
    stopped = true;
    await Promise.all(readers.splice(0));
    for (let i = 0; i < 5; i++) {
      await clock.advance(1000);
      await macrotask();
    }
    if (callsAfterStop > 0) {
      violations.push(`${callsAfterStop} notifications were delivered after the informers stopped`);
    }
    if (clock.pendingTimers !== 0) {
      violations.push(`${clock.pendingTimers} fake timers are still pending after abort`);
    }
    const watchDeadline = Date.now() + 2000;
    while (server.watchCount !== 0 && Date.now() < watchDeadline) await macrotask();
    if (server.watchCount !== 0) {
      violations.push(`${server.watchCount} watches are still open after abort`);
    }
    if (violations.length > 0) {
      throw new Error(
        `seed ${seed}: ${violations.length} violations:\n  ${violations.join("\n  ")}`,
      );
    }

    const recorder = all.checkers[0]!;
    const sum = (f: (s: Subject) => number) => subjects.reduce((n, s) => n + f(s), 0);
    return {
      seed,
      transport,
      streamingLists,
      pageSize,
      resyncPeriodMs,
      operations,
      writes,
      faults,
      failures,
      notifications: { ...recorder.counts },
      selectorNotifications: web.checkers[0]!.calls,
      events,
      errors,
      errorKinds,
      relists: sum((s) => s.counters.relists),
      requests: {
        listPages: sum((s) => s.counters.listPages),
        watches: sum((s) => s.counters.watches),
        streams: sum((s) => s.counters.streams),
      },
      finalObjects,
      durationMs: Math.round(performance.now() - started),
      fakeMs: clock.now(),
    };
  } finally {
    ac.abort();
    for (const subject of subjects) await subject.running?.catch(() => {});
    await Promise.all(readers).catch(() => {});
    client?.close();
    await server.close();
  }
}

/**
 * One line per aspect of a report, for logs.
 *
 * @param report A report from {@linkcode runChaos}.
 * @returns Printable text.
 */
export function formatChaosReport(report: ChaosReport): string {
  const nonZero = (record: Record<string, number>) =>
    Object.entries(record).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`).join(" ");
  const ops = Object.values(report.operations).reduce((a, b) => a + b, 0);
  return [
    `seed ${report.seed} (${report.transport}, streamingLists=${report.streamingLists}, pageSize=${report.pageSize}, resync=${report.resyncPeriodMs}ms): ${ops} operations, ${report.writes} writes, ${report.finalObjects} pods at the end, ${report.durationMs} ms (${report.fakeMs} fake ms)`,
    `  operations: ${nonZero(report.operations)}`,
    `  faults: ${nonZero(report.faults)}; failNext: ${nonZero(report.failures)}`,
    `  relists: ${report.relists}; requests: list pages=${report.requests.listPages} watches=${report.requests.watches} (streaming lists ${report.requests.streams})`,
    `  notifications: ${
      nonZero(report.notifications)
    }; app=web handler: ${report.selectorNotifications}; events(): ${report.events}; errors: ${
      nonZero(report.errors)
    }`,
    `  errors by kind: ${nonZero(report.errorKinds)}`,
  ].join("\n");
}
