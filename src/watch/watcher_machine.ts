/**
 * The watcher as a pure state machine: {@linkcode stepWatcher} takes a state
 * and what just happened (a page, a watch event, the end of a stream, a
 * failure, the end of a sleep) and returns the next state, the events for the
 * cache and the one thing the driver must do next (list, read a page, open a
 * watch, read an event, back off). It performs no I/O, reads no clock (the
 * time comes with the input) and draws no random numbers, so every
 * transition can be tested by table. The {@linkcode Reflector} is the driver.
 *
 * @module
 */

import {
  ApiError,
  IncompleteStreamingListError,
  isExpired,
  isTooLargeResourceVersion,
  KubeError,
  TransportError,
  UnexpectedKindError,
  VeryShortWatchError,
  WatchIdleError,
  WatchWithoutProgressError,
} from "../api/errors.ts";
import type { KubeList, KubeObject } from "../api/meta.ts";
import { INITIAL_EVENTS_END_ANNOTATION, type WatchEvent } from "../api/watch_event.ts";
import type { ReflectorErrorEvent, ReflectorEvent } from "./reflector_event.ts";
import {
  type Failure,
  failure,
  type FailureKind,
  type Lesson,
  type NextRequest,
  recover,
  type ReflectorRecovery,
} from "./recovery.ts";

/** How long relists use LIST pages after repeated streaming-list failures. */
const STREAMING_PAUSE_MS = 10 * 60_000;
/** A watch that lasted this long is healthy even if nothing changed while it ran. */
export const HEALTHY_WATCH_MS = 30_000;

/** What the machine is configured with; fixed for a reflector's life. */
export interface WatcherConfig {
  /** Try streaming lists before LIST. */
  readonly streamingList: boolean;
  /** Idle timeout of a plain watch. */
  readonly idleTimeoutMs: number;
  /** Idle timeout of a streaming list before its end bookmark. */
  readonly streamingIdleTimeoutMs: number;
  /** The kind watched (objects of another kind are skipped), or undefined for any. */
  readonly kind: string | undefined;
}

/** What the watcher knows across phases. */
export interface SyncState {
  /** resourceVersion of the last list, event or bookmark; undefined before the first list. */
  readonly lastSyncResourceVersion: string | undefined;
  /** The last resourceVersion turned out expired or too large: list with "" next. */
  readonly resourceVersionUnavailable: boolean;
  /** Whether streaming lists work on this server. */
  readonly streaming: "untried" | "supported" | "unsupported";
  /** Streaming lists in a row that ended before their end bookmark. */
  readonly streamingFailures: number;
  /** Clock time before which relists use LIST pages, after repeated streaming-list failures (0: not paused). */
  readonly streamingPausedUntil: number;
}

/** Nothing requested yet. */
export interface StartPhase {
  /** Always `start`. */
  readonly name: "start";
}

/** A LIST in flight, read page by page. */
export interface ListingPhase {
  /** Always `listing`. */
  readonly name: "listing";
  /** The resourceVersion the LIST asked for. */
  readonly resourceVersion: string;
  /** This LIST already started over once after an expired continue token. */
  readonly restartedAfterExpiredContinue: boolean;
  /** Pages read so far. */
  readonly pages: number;
  /** The first page's resourceVersion. */
  readonly listResourceVersion: string | undefined;
}

/** A plain watch in flight (or a streaming list past its end bookmark). */
export interface WatchingPhase {
  /** Always `watching`. */
  readonly name: "watching";
  /** When it was requested. */
  readonly openedAt: number;
  /** Whether anything (an event or the end) has arrived on it yet. */
  readonly connected: boolean;
  /** Events received. */
  readonly events: number;
  /** ADDED events move the resourceVersion on (not for a watch from "" or "0", whose synthetic ADDED events are unordered). */
  readonly trackAddedVersions: boolean;
  /** Whether this watch moved the resourceVersion on (or completed a streaming list). */
  readonly progressed: boolean;
}

/** A streaming list in flight, before its end bookmark. */
export interface StreamingPhase {
  /** Always `streaming`. */
  readonly name: "streaming";
  /** When it was requested. */
  readonly openedAt: number;
  /** Whether anything has arrived on it yet. */
  readonly connected: boolean;
  /** Events received. */
  readonly events: number;
  /** The resourceVersion it asked for. */
  readonly resourceVersion: string;
}

/** Waiting for the backoff before a request. */
export interface BackoffPhase {
  /** Always `backoff`. */
  readonly name: "backoff";
  /** The request after the wait. */
  readonly then: WatcherRequest;
}

/** The watcher's phases. */
export type WatcherPhase =
  | StartPhase
  | ListingPhase
  | WatchingPhase
  | StreamingPhase
  | BackoffPhase;

/** The whole state: what is known across phases, and the phase. */
export interface WatcherState {
  /** Known across phases. */
  readonly sync: SyncState;
  /** Where the watcher is. */
  readonly phase: WatcherPhase;
}

/** A request the machine decided to make. */
export type WatcherRequest =
  | {
    readonly to: "list";
    readonly resourceVersion: string;
    readonly restartedAfterExpiredContinue: boolean;
  }
  | { readonly to: "watch" }
  | { readonly to: "stream"; readonly resourceVersion: string };

/** What happened, as the driver reports it, with the clock time it happened at. */
export type WatcherInput<T> =
  & { readonly now: number }
  & (
    /** Start (from the `start` phase). */
    | { readonly type: "begin" }
    /** A LIST page arrived. */
    | { readonly type: "page"; readonly list: KubeList<T> }
    /** The LIST has no more pages. */
    | { readonly type: "list-end" }
    /** A watch event arrived. */
    | { readonly type: "event"; readonly event: WatchEvent<T> }
    /** The watch stream ended cleanly. */
    | { readonly type: "end" }
    /** The request or the stream failed (a watchdog firing is a {@linkcode WatchIdleError}). */
    | { readonly type: "failure"; readonly error: unknown }
    /** The backoff is over. */
    | { readonly type: "slept" }
  );

/** The one thing the driver does next (anything but a read closes the open list or watch). */
export type WatcherCommand =
  /** Start a LIST at `resourceVersion` and read its first page. */
  | { readonly do: "list"; readonly resourceVersion: string }
  /** Read the next page of the LIST. */
  | { readonly do: "read-page" }
  /** Open a watch (a streaming list with `sendInitialEvents`) and read its first result. */
  | {
    readonly do: "watch";
    readonly resourceVersion: string;
    readonly sendInitialEvents: boolean;
    readonly idleMs: number;
  }
  /** Read the next result of the open watch, whose idle timeout is `idleMs`. */
  | { readonly do: "read-event"; readonly idleMs: number }
  /**
   * Report `error` with `recovery` and the delay, wait for the next backoff (at least
   * `retryAfterMs`), then say `slept`.
   */
  | {
    readonly do: "back-off";
    readonly error: unknown;
    readonly recovery: ReflectorRecovery;
    readonly retryAfterMs: number;
  };

/** The result of one {@linkcode stepWatcher}. */
export interface WatcherStep<T> {
  /** The next state. */
  readonly state: WatcherState;
  /** Events for the cache, in order. */
  readonly events: readonly ReflectorEvent<T>[];
  /** What the driver does next. */
  readonly command: WatcherCommand;
}

/** The state a watcher starts in. */
export const INITIAL_WATCHER_STATE: WatcherState = Object.freeze({
  sync: Object.freeze({
    lastSyncResourceVersion: undefined,
    resourceVersionUnavailable: false,
    streaming: "untried",
    streamingFailures: 0,
    streamingPausedUntil: 0,
  }),
  phase: Object.freeze({ name: "start" }),
});

const NO_EVENTS: readonly never[] = Object.freeze([]);

/**
 * One transition: the next state, the events for the cache and the next
 * command, from the current state and what happened. Pure: same arguments,
 * same answer. An input the phase cannot receive (a page while watching) is
 * a driver bug and throws a `TypeError`.
 *
 * @param config The reflector's settings.
 * @param state The current state.
 * @param input What happened.
 * @returns The next state, events and command.
 */
export function stepWatcher<T extends KubeObject>(
  config: WatcherConfig,
  state: WatcherState,
  input: WatcherInput<T>,
): WatcherStep<T> {
  const { phase } = state;
  switch (phase.name) {
    case "start":
      if (input.type !== "begin") break;
      return enter(config, state.sync, relistRequest(config, state.sync, input.now), input.now);
    case "backoff":
      if (input.type !== "slept") break;
      return enter(config, state.sync, phase.then, input.now);
    case "listing":
      return listing(config, state.sync, phase, input);
    case "watching":
      return watching(config, state.sync, phase, input);
    case "streaming":
      return streaming(config, state.sync, phase, input);
    default: {
      const unreachable: never = phase;
      throw new TypeError(`unknown watcher phase ${JSON.stringify(unreachable)}`);
    }
  }
  throw new TypeError(`a watcher in phase ${phase.name} cannot receive "${input.type}"`);
}

function listing<T extends KubeObject>(
  config: WatcherConfig,
  sync: SyncState,
  phase: ListingPhase,
  input: WatcherInput<T>,
): WatcherStep<T> {
  switch (input.type) {
    case "page": {
      const events: ReflectorEvent<T>[] = [];
      for (const item of input.list.items ?? []) {
        if (hasName(item)) events.push({ type: "initApply", object: item });
      }
      return {
        state: {
          sync,
          phase: {
            ...phase,
            pages: phase.pages + 1,
            listResourceVersion: phase.pages === 0
              ? input.list.metadata?.resourceVersion
              : phase.listResourceVersion,
          },
        },
        events,
        command: READ_PAGE,
      };
    }
    case "list-end": {
      const resourceVersion = phase.listResourceVersion ?? "";
      const next: SyncState = {
        ...sync,
        lastSyncResourceVersion: resourceVersion,
        resourceVersionUnavailable: false,
      };
      const done: ReflectorEvent<T> = { type: "initDone", resourceVersion, streamed: false };
      return withEvent(done, enter(config, next, { to: "watch" }, input.now));
    }
    case "failure": {
      const kind = phase.pages > 0 && isExpired(input.error)
        ? "expired-continue"
        : classify(input.error);
      return recoverFrom(
        config,
        failure("list", kind, {
          atResourceVersion: phase.resourceVersion !== "",
          restartedAfterExpiredContinue: phase.restartedAfterExpiredContinue,
        }),
        input.error,
        sync,
        phase.resourceVersion,
        input.now,
      );
    }
  }
  throw new TypeError(`a watcher in phase listing cannot receive "${input.type}"`);
}

function watching<T extends KubeObject>(
  config: WatcherConfig,
  sync: SyncState,
  phase: WatchingPhase,
  input: WatcherInput<T>,
): WatcherStep<T> {
  switch (input.type) {
    case "event":
      return watchEvent(config, sync, phase, input.event, input.now);
    case "end": {
      const durationMs = input.now - phase.openedAt;
      const veryShort = phase.events === 0 && durationMs < 1000;
      const progressed = healthy(phase, input.now);
      const error = veryShort
        ? new VeryShortWatchError()
        : progressed
        ? undefined
        : new WatchWithoutProgressError(durationMs);
      return recoverFrom(
        config,
        failure("watch", "ended", { veryShort, progressed }),
        error,
        sync,
        "",
        input.now,
      );
    }
    case "failure": {
      const err = input.error;
      if (!phase.connected) {
        // The watch never answered: its request failed, or it stayed silent from the start.
        const kind = err instanceof WatchIdleError ? "silent" : classify(err);
        return recoverFrom(
          config,
          failure("watch", kind, { longIdleTimeout: config.idleTimeoutMs >= HEALTHY_WATCH_MS }),
          err,
          sync,
          "",
          input.now,
        );
      }
      const kind = err instanceof WatchIdleError
        ? "idle"
        : err instanceof TransportError
        ? "broken"
        : classify(err);
      const progressed = healthy(phase, input.now);
      const error = progressed || (kind !== "idle" && kind !== "broken")
        ? err
        : new WatchWithoutProgressError(input.now - phase.openedAt, { cause: err });
      return recoverFrom(
        config,
        failure("watch", kind, { progressed }),
        error,
        sync,
        "",
        input.now,
      );
    }
  }
  throw new TypeError(`a watcher in phase watching cannot receive "${input.type}"`);
}

function watchEvent<T extends KubeObject>(
  config: WatcherConfig,
  sync: SyncState,
  phase: WatchingPhase,
  event: WatchEvent<T>,
  now: number,
): WatcherStep<T> {
  switch (event.type) {
    case "ADDED":
    case "MODIFIED":
    case "DELETED": {
      if (!hasName(event.object)) {
        return recoverFrom(
          config,
          failure("watch", "other"),
          new KubeError(`watch ${event.type} event carried an object without metadata.name`),
          sync,
          "",
          now,
        );
      }
      const trackAdded = phase.trackAddedVersions || event.type !== "ADDED";
      const rv = event.object.metadata?.resourceVersion;
      const nextSync = trackAdded && rv ? { ...sync, lastSyncResourceVersion: rv } : sync;
      const state: WatcherState = {
        sync: nextSync,
        phase: {
          ...phase,
          connected: true,
          events: phase.events + 1,
          trackAddedVersions: trackAdded,
          progressed: phase.progressed ||
            nextSync.lastSyncResourceVersion !== sync.lastSyncResourceVersion,
        },
      };
      const wrongKind = unexpectedKind(config, event.object);
      const out: ReflectorEvent<T> = wrongKind
        ? { type: "error", error: wrongKind, recovery: "skip", delayMs: 0 }
        : { type: event.type, object: event.object };
      return { state, events: [out], command: readEvent(config.idleTimeoutMs) };
    }
    case "BOOKMARK": {
      const rv = event.object.metadata?.resourceVersion;
      const counted: WatchingPhase = { ...phase, connected: true, events: phase.events + 1 };
      const command = readEvent(config.idleTimeoutMs);
      if (!rv) return { state: { sync, phase: counted }, events: NO_EVENTS, command };
      return {
        state: {
          sync: { ...sync, lastSyncResourceVersion: rv },
          phase: {
            ...counted,
            progressed: phase.progressed || rv !== sync.lastSyncResourceVersion,
          },
        },
        events: [{ type: "bookmark", resourceVersion: rv }],
        command,
      };
    }
    case "ERROR":
      return recoverFrom(
        config,
        failure("watch", classify(event.error)),
        event.error,
        sync,
        "",
        now,
      );
    default: {
      const unreachable: never = event;
      throw new TypeError(`unknown watch event ${JSON.stringify(unreachable)}`);
    }
  }
}

function streaming<T extends KubeObject>(
  config: WatcherConfig,
  sync: SyncState,
  phase: StreamingPhase,
  input: WatcherInput<T>,
): WatcherStep<T> {
  switch (input.type) {
    case "event": {
      const step = streamEvent(config, sync, { ...phase, connected: true }, input.event, input.now);
      // The relist begins once the stream answers: a refused or silent one changes nothing.
      return phase.connected ? step : withEvent({ type: "init" }, step);
    }
    case "end":
      return streamIncomplete(config, sync, phase, undefined, input.now);
    case "failure": {
      const err = input.error;
      if (!phase.connected) {
        const kind = err instanceof WatchIdleError ? "silent" : classify(err);
        return streamFailed(config, sync, phase, err, kind, input.now);
      }
      if (err instanceof WatchIdleError) {
        return streamFailed(config, sync, phase, err, "idle", input.now);
      }
      if (err instanceof TransportError) {
        return streamIncomplete(config, sync, phase, err, input.now);
      }
      return streamFailed(config, sync, phase, err, classify(err), input.now);
    }
  }
  throw new TypeError(`a watcher in phase streaming cannot receive "${input.type}"`);
}

function streamEvent<T extends KubeObject>(
  config: WatcherConfig,
  sync: SyncState,
  phase: StreamingPhase,
  event: WatchEvent<T>,
  now: number,
): WatcherStep<T> {
  const counted: WatcherState = { sync, phase: { ...phase, events: phase.events + 1 } };
  const command = readEvent(config.streamingIdleTimeoutMs);
  switch (event.type) {
    case "ADDED":
    case "MODIFIED":
    case "DELETED": {
      if (!hasName(event.object)) {
        return streamFailed(
          config,
          sync,
          phase,
          new KubeError(
            `streaming list ${event.type} event carried an object without metadata.name`,
          ),
          "other",
          now,
        );
      }
      const wrongKind = unexpectedKind(config, event.object);
      // During a relist the cache builds the new state aside: objects go there, and a
      // delete takes one out of it.
      const out: ReflectorEvent<T> = wrongKind
        ? { type: "error", error: wrongKind, recovery: "skip", delayMs: 0 }
        : event.type === "DELETED"
        ? { type: "DELETED", object: event.object }
        : { type: "initApply", object: event.object };
      return { state: counted, events: [out], command };
    }
    case "BOOKMARK": {
      if (event.object.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] !== "true") {
        return { state: counted, events: NO_EVENTS, command };
      }
      const resourceVersion = event.object.metadata?.resourceVersion ?? "";
      const next: SyncState = {
        lastSyncResourceVersion: resourceVersion,
        resourceVersionUnavailable: false,
        streaming: "supported",
        streamingFailures: 0,
        streamingPausedUntil: 0,
      };
      // The same connection goes on as a plain watch.
      const watchingPhase: WatchingPhase = {
        name: "watching",
        openedAt: phase.openedAt,
        connected: true,
        events: phase.events + 1,
        trackAddedVersions: true,
        progressed: true,
      };
      return {
        state: { sync: next, phase: watchingPhase },
        events: [{ type: "initDone", resourceVersion, streamed: true }],
        command: readEvent(config.idleTimeoutMs),
      };
    }
    case "ERROR":
      return streamFailed(config, sync, phase, event.error, classify(event.error), now);
    default: {
      const unreachable: never = event;
      throw new TypeError(`unknown watch event ${JSON.stringify(unreachable)}`);
    }
  }
}

/** A streaming list failed before its end bookmark (a refusal, an error, garbage). */
function streamFailed<T>(
  config: WatcherConfig,
  sync: SyncState,
  phase: StreamingPhase,
  error: unknown,
  kind: FailureKind,
  now: number,
): WatcherStep<T> {
  return recoverFrom(
    config,
    failure("stream", kind, { atResourceVersion: phase.resourceVersion !== "" }),
    error,
    sync,
    phase.resourceVersion,
    now,
  );
}

/** A streaming list ended or broke before its end bookmark: what it carried is incomplete. */
function streamIncomplete<T>(
  config: WatcherConfig,
  sync: SyncState,
  phase: StreamingPhase,
  cause: unknown,
  now: number,
): WatcherStep<T> {
  return recoverFrom(
    config,
    failure("stream", cause instanceof TransportError ? "broken" : "ended", {
      incompleteStreamsInARow: sync.streamingFailures + 1,
    }),
    new IncompleteStreamingListError(phase.events, { cause }),
    sync,
    phase.resourceVersion,
    now,
  );
}

/**
 * Carries out what {@linkcode recover} answers for a failure: what the sync
 * state learns, the next request, and the report (after a backoff or not).
 */
function recoverFrom<T>(
  config: WatcherConfig,
  what: Failure,
  error: unknown,
  sync: SyncState,
  resourceVersion: string,
  now: number,
): WatcherStep<T> {
  const answer = recover(what);
  const learned = learn(sync, answer.learns, now);
  const request = requestFor(config, answer.next, learned, resourceVersion, now);
  if (answer.report === undefined) return enter(config, learned, request, now);
  if (answer.backoff) {
    const retryAfterMs = error instanceof ApiError && error.retryAfterSeconds !== undefined
      ? error.retryAfterSeconds * 1000
      : 0;
    return {
      state: { sync: learned, phase: { name: "backoff", then: request } },
      events: NO_EVENTS,
      command: { do: "back-off", error, recovery: answer.report, retryAfterMs },
    };
  }
  const report: ReflectorErrorEvent = {
    type: "error",
    error,
    recovery: answer.report,
    delayMs: 0,
  };
  return withEvent(report, enter(config, learned, request, now));
}

function learn(sync: SyncState, lesson: Lesson | undefined, now: number): SyncState {
  switch (lesson) {
    case undefined:
      return sync;
    case "resource-version-unavailable":
      return { ...sync, resourceVersionUnavailable: true };
    case "streaming-unsupported":
      return { ...sync, streaming: "unsupported" };
    case "streaming-incomplete":
      return { ...sync, streamingFailures: sync.streamingFailures + 1 };
    case "streaming-paused":
      return { ...sync, streamingFailures: 0, streamingPausedUntil: now + STREAMING_PAUSE_MS };
    default: {
      const unreachable: never = lesson;
      throw new TypeError(`unknown lesson ${unreachable}`);
    }
  }
}

/** The request for a recovery's next step; `resourceVersion` is that of the failed list or stream. */
function requestFor(
  config: WatcherConfig,
  next: NextRequest,
  sync: SyncState,
  resourceVersion: string,
  now: number,
): WatcherRequest {
  switch (next) {
    case "relist":
      return relistRequest(config, sync, now);
    case "list":
      return listRequest(sync);
    case "list-again":
      return { to: "list", resourceVersion, restartedAfterExpiredContinue: true };
    case "list-fresh":
      return { to: "list", resourceVersion: "", restartedAfterExpiredContinue: false };
    case "watch":
      return { to: "watch" };
    case "stream-again":
      return { to: "stream", resourceVersion };
    case "stream-fresh":
      return { to: "stream", resourceVersion: "" };
    default: {
      const unreachable: never = next;
      throw new TypeError(`unknown request ${unreachable}`);
    }
  }
}

/** Where a (re)list starts: a streaming list when enabled, not known unsupported and not paused, else LIST. */
function relistRequest(config: WatcherConfig, sync: SyncState, now: number): WatcherRequest {
  if (
    config.streamingList && sync.streaming !== "unsupported" && sync.streamingPausedUntil <= now
  ) {
    return {
      to: "stream",
      resourceVersion: sync.resourceVersionUnavailable ? "" : sync.lastSyncResourceVersion ?? "",
    };
  }
  return listRequest(sync);
}

/**
 * A LIST at the last resourceVersion. The first one is a consistent read (RV ""), which a real
 * server pages; RV "0" would be served whole from its watch cache whatever the limit, one
 * response that for a large cluster outgrows the longest string a JavaScript engine can parse.
 */
function listRequest(sync: SyncState): WatcherRequest {
  const resourceVersion = sync.resourceVersionUnavailable ? "" : sync.lastSyncResourceVersion ?? "";
  return { to: "list", resourceVersion, restartedAfterExpiredContinue: false };
}

/** The phase and command that make a request. */
function enter<T>(
  config: WatcherConfig,
  sync: SyncState,
  request: WatcherRequest,
  now: number,
): WatcherStep<T> {
  switch (request.to) {
    case "list":
      return {
        state: {
          sync,
          phase: {
            name: "listing",
            resourceVersion: request.resourceVersion,
            restartedAfterExpiredContinue: request.restartedAfterExpiredContinue,
            pages: 0,
            listResourceVersion: undefined,
          },
        },
        events: [{ type: "init" }],
        command: { do: "list", resourceVersion: request.resourceVersion },
      };
    case "watch": {
      const resourceVersion = sync.lastSyncResourceVersion ?? "";
      return {
        state: {
          sync,
          phase: {
            name: "watching",
            openedAt: now,
            connected: false,
            events: 0,
            trackAddedVersions: resourceVersion !== "" && resourceVersion !== "0",
            progressed: false,
          },
        },
        events: NO_EVENTS,
        command: {
          do: "watch",
          resourceVersion,
          sendInitialEvents: false,
          idleMs: config.idleTimeoutMs,
        },
      };
    }
    case "stream":
      return {
        state: {
          sync,
          phase: {
            name: "streaming",
            openedAt: now,
            connected: false,
            events: 0,
            resourceVersion: request.resourceVersion,
          },
        },
        events: NO_EVENTS,
        command: {
          do: "watch",
          resourceVersion: request.resourceVersion,
          sendInitialEvents: true,
          idleMs: config.streamingIdleTimeoutMs,
        },
      };
    default: {
      const unreachable: never = request;
      throw new TypeError(`unknown request ${JSON.stringify(unreachable)}`);
    }
  }
}

const READ_PAGE: WatcherCommand = Object.freeze({ do: "read-page" });
const READ_EVENT_COMMANDS = new Map<number, WatcherCommand>();

/** The read command for an idle timeout (one shared object per timeout: no allocation per event). */
function readEvent(idleMs: number): WatcherCommand {
  let command = READ_EVENT_COMMANDS.get(idleMs);
  if (command === undefined) {
    command = Object.freeze({ do: "read-event", idleMs });
    if (READ_EVENT_COMMANDS.size < 64) READ_EVENT_COMMANDS.set(idleMs, command);
  }
  return command;
}

function withEvent<T>(event: ReflectorEvent<T>, step: WatcherStep<T>): WatcherStep<T> {
  return { ...step, events: [event, ...step.events] };
}

/** A watch is healthy when it moved the resourceVersion on or lasted long enough. */
function healthy(phase: WatchingPhase, now: number): boolean {
  return phase.progressed || now - phase.openedAt >= HEALTHY_WATCH_MS;
}

function hasName(object: KubeObject | undefined): boolean {
  return typeof object?.metadata?.name === "string" && object.metadata.name !== "";
}

/** An object of another kind than the one watched (PartialObjectMetadata is always fine). */
function unexpectedKind(
  config: WatcherConfig,
  object: KubeObject,
): UnexpectedKindError | undefined {
  const kind = object.kind;
  if (config.kind === undefined || typeof kind !== "string" || kind === "") return undefined;
  if (kind === config.kind || kind === "PartialObjectMetadata") return undefined;
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? "";
  return new UnexpectedKindError(config.kind, kind, namespace ? `${namespace}/${name}` : name);
}

/** The kind of a failure from its error (where it happened refines some kinds: see the callers). */
function classify(err: unknown): FailureKind {
  if (err instanceof WatchIdleError) return "idle";
  if (isExpired(err)) return "expired";
  if (isTooLargeResourceVersion(err)) return "too-large-resource-version";
  if (err instanceof ApiError && err.code === 429) return "throttled";
  if (err instanceof TransportError) return "no-connection";
  if (refusesStreaming(err)) return "refused";
  return "other";
}

/** Errors that say the server does not do streaming lists (a server without the WatchList feature answers 422). */
function refusesStreaming(err: unknown): boolean {
  return err instanceof ApiError && [400, 405, 406, 422].includes(err.code);
}
