/**
 * How the reflector recovers from every failure, as data: one table of rows
 * and one total function from a classified failure to what happens next. The
 * reflector classifies what went wrong ({@linkcode Failure}), asks
 * {@linkcode recover}, and carries the answer out; it decides nothing else.
 *
 * @module
 */

/** How the reflector recovers from an error (the `recovery` of its error events). */
export type ReflectorRecovery = "relist" | "rewatch" | "restream" | "fallback-to-list" | "skip";

/** Streaming lists in a row that may end early before relists use LIST pages for a while. */
const STREAMING_FAILURES_BEFORE_PAUSE = 2;

/** Where a failure happened: a LIST, a plain watch, or a streaming list before its end bookmark. */
export type FailureSite = "list" | "watch" | "stream";

/**
 * What went wrong, classified:
 * - `expired`: 410 Expired (an HTTP status or an ERROR event);
 * - `too-large-resource-version`: the server has not reached the resourceVersion asked for;
 * - `expired-continue`: a continue token expired in the middle of a LIST;
 * - `throttled`: 429;
 * - `no-connection`: the request got no response;
 * - `refused`: 400, 405, 406 or 422 to a streaming list (a server without them);
 * - `silent`: nothing at all arrived for the idle timeout after the request;
 * - `idle`: nothing arrived for the idle timeout after earlier events;
 * - `broken`: the connection broke while events were being read;
 * - `ended`: the stream ended cleanly;
 * - `other`: anything else (another status, another ERROR event, an undecodable
 *   stream, an object without a name).
 */
export type FailureKind =
  | "expired"
  | "too-large-resource-version"
  | "expired-continue"
  | "throttled"
  | "no-connection"
  | "refused"
  | "silent"
  | "idle"
  | "broken"
  | "ended"
  | "other";

/** A classified failure and what the reflector knows around it. */
export interface Failure {
  /** Where. */
  site: FailureSite;
  /** What. */
  kind: FailureKind;
  /** The request named a resourceVersion (not ""). */
  atResourceVersion: boolean;
  /** The watch moved the resourceVersion on, or lasted 30 s. */
  progressed: boolean;
  /** The watch ended within a second without any event. */
  veryShort: boolean;
  /** The LIST was already started over once after an expired continue token. */
  restartedAfterExpiredContinue: boolean;
  /** Streaming lists in a row (this one included) that ended before their end bookmark. */
  incompleteStreamsInARow: number;
  /** The idle timeout of a plain watch is 30 s or more (a silent new watch waited that long). */
  longIdleTimeout: boolean;
}

/**
 * A failure with nothing known around it but what `known` says.
 *
 * @param site Where it happened.
 * @param kind What went wrong.
 * @param known What is known around it.
 * @returns The failure.
 *
 * @example A watch that broke after progress
 * ```ts
 * import { failure, recover } from "./recovery.ts";
 * console.log(recover(failure("watch", "broken", { progressed: true })).backoff); // false
 * ```
 */
export function failure(
  site: FailureSite,
  kind: FailureKind,
  known?: Partial<Failure>,
): Failure {
  known ??= {};
  return {
    site,
    kind,
    atResourceVersion: false,
    progressed: false,
    veryShort: false,
    restartedAfterExpiredContinue: false,
    incompleteStreamsInARow: 0,
    longIdleTimeout: false,
    ...known,
  };
}

/** What to request next. */
export type NextRequest =
  /** A relist: a streaming list when enabled, not known unsupported and not paused, else LIST. */
  | "relist"
  /** LIST at the last resourceVersion (or "" when it is unavailable). */
  | "list"
  /** The same LIST again from its first page. */
  | "list-again"
  /** LIST from resourceVersion "". */
  | "list-fresh"
  /** The same watch again, from the last resourceVersion. */
  | "watch"
  /** The same streaming list again. */
  | "stream-again"
  /** A streaming list from resourceVersion "". */
  | "stream-fresh";

/** What the sync state learns from a failure. */
export type Lesson =
  /** The last resourceVersion is unavailable: the next lists start from "". */
  | "resource-version-unavailable"
  /** This server has no streaming lists. */
  | "streaming-unsupported"
  /** One more streaming list in a row ended before its end bookmark. */
  | "streaming-incomplete"
  /** Relists use LIST pages for a while. */
  | "streaming-paused";

/** The answer of {@linkcode recover}. */
export interface Recovery {
  /** What to request next. */
  next: NextRequest;
  /** Wait for the backoff first. */
  backoff: boolean;
  /** What to report (the error event's `recovery`); undefined: nothing to report. */
  report: ReflectorRecovery | undefined;
  /** What the sync state learns. */
  learns: Lesson | undefined;
}

/** One row of {@linkcode RECOVERY_TABLE}. */
export interface RecoveryRow extends Recovery {
  /** The situation, in words (the reflector's documentation lists the same rows). */
  situation: string;
  /** Where. */
  site: FailureSite;
  /** What. */
  kinds: readonly FailureKind[];
  /** A further condition, when the site and kind are not enough. */
  when?: (failure: Failure) => boolean;
}

/**
 * Every recovery, first match wins; the last row of each site matches
 * anything there, so {@linkcode recover} is total. No row requests again
 * without a backoff after a request that made no progress, except where the
 * next request differs (another resourceVersion, LIST instead of a
 * streaming list) and can happen only once in a row.
 */
export const RECOVERY_TABLE: readonly RecoveryRow[] = [
  {
    situation: "LIST continue token expired mid-list (first time)",
    site: "list",
    kinds: ["expired-continue"],
    when: (f) => !f.restartedAfterExpiredContinue,
    next: "list-again",
    backoff: false,
    report: "relist",
    learns: undefined,
  },
  {
    situation: 'LIST 410 / too-large RV, RV was not ""',
    site: "list",
    kinds: ["expired", "too-large-resource-version"],
    when: (f) => f.atResourceVersion,
    next: "list-fresh",
    backoff: false,
    report: "relist",
    learns: "resource-version-unavailable",
  },
  {
    situation: 'LIST 410 / too-large RV from RV ""',
    site: "list",
    kinds: ["expired", "too-large-resource-version"],
    next: "relist",
    backoff: true,
    report: "relist",
    learns: "resource-version-unavailable",
  },
  {
    situation: "LIST other error",
    site: "list",
    kinds: [],
    next: "relist",
    backoff: true,
    report: "relist",
    learns: undefined,
  },
  {
    situation: "watch 429 (request or ERROR event) or no connection",
    site: "watch",
    kinds: ["throttled", "no-connection"],
    next: "watch",
    backoff: true,
    report: "rewatch",
    learns: undefined,
  },
  {
    situation: "new watch silent for `idleTimeoutMs` (30 s or more)",
    site: "watch",
    kinds: ["silent"],
    when: (f) => f.longIdleTimeout,
    next: "watch",
    backoff: false,
    report: "rewatch",
    learns: undefined,
  },
  {
    situation: "new watch silent for a shorter `idleTimeoutMs`",
    site: "watch",
    kinds: ["silent"],
    next: "watch",
    backoff: true,
    report: "rewatch",
    learns: undefined,
  },
  {
    situation: "watch ended within 1 s without events",
    site: "watch",
    kinds: ["ended"],
    when: (f) => f.veryShort,
    next: "relist",
    backoff: true,
    report: "relist",
    learns: undefined,
  },
  {
    situation: "watch ended after progress or 30 s",
    site: "watch",
    kinds: ["ended"],
    when: (f) => f.progressed,
    next: "watch",
    backoff: false,
    report: undefined,
    learns: undefined,
  },
  {
    situation: "watch broke or went silent after progress or 30 s",
    site: "watch",
    kinds: ["broken", "idle"],
    when: (f) => f.progressed,
    next: "watch",
    backoff: false,
    report: "rewatch",
    learns: undefined,
  },
  {
    situation: "watch ended, broke or went silent without progress, sooner than 30 s",
    site: "watch",
    kinds: ["ended", "broken", "idle"],
    next: "watch",
    backoff: true,
    report: "rewatch",
    learns: undefined,
  },
  {
    situation: "watch 410 (request or ERROR event)",
    site: "watch",
    kinds: ["expired"],
    next: "relist",
    backoff: true,
    report: "relist",
    learns: undefined,
  },
  {
    situation: "watch other error, ERROR event, undecodable stream, object without a name",
    site: "watch",
    kinds: [],
    next: "relist",
    backoff: true,
    report: "relist",
    learns: undefined,
  },
  {
    situation: 'streaming list 410 / too-large RV, RV was not ""',
    site: "stream",
    kinds: ["expired", "too-large-resource-version"],
    when: (f) => f.atResourceVersion,
    next: "stream-fresh",
    backoff: false,
    report: "restream",
    learns: "resource-version-unavailable",
  },
  {
    situation: "streaming list 429 or no connection",
    site: "stream",
    kinds: ["throttled", "no-connection"],
    next: "stream-again",
    backoff: true,
    report: "restream",
    learns: undefined,
  },
  {
    situation: "streaming list refused with 400, 405, 406 or 422",
    site: "stream",
    kinds: ["refused"],
    next: "list",
    backoff: false,
    report: "fallback-to-list",
    learns: "streaming-unsupported",
  },
  {
    situation: "streaming list silent for `streamingIdleTimeoutMs` after an event",
    site: "stream",
    kinds: ["idle"],
    next: "list",
    backoff: false,
    report: "fallback-to-list",
    learns: "streaming-unsupported",
  },
  {
    situation: "streaming list ended or broke before its end bookmark, twice in a row",
    site: "stream",
    kinds: ["ended", "broken"],
    when: (f) => f.incompleteStreamsInARow >= STREAMING_FAILURES_BEFORE_PAUSE,
    next: "list",
    backoff: true,
    report: "fallback-to-list",
    learns: "streaming-paused",
  },
  {
    situation: "streaming list ended or broke before its end bookmark",
    site: "stream",
    kinds: ["ended", "broken"],
    next: "stream-again",
    backoff: true,
    report: "restream",
    learns: "streaming-incomplete",
  },
  {
    situation: "streaming list other error, undecodable stream, silent from the start",
    site: "stream",
    kinds: [],
    next: "list",
    backoff: true,
    report: "fallback-to-list",
    learns: undefined,
  },
];

/**
 * What happens after a failure: the first row of {@linkcode RECOVERY_TABLE}
 * that matches its site, kind and condition (a row with no kinds matches any
 * kind at its site).
 *
 * @param failure The classified failure.
 * @returns What to request next, whether to back off first, what to report and learn.
 *
 * @example A watch that broke after making progress is re-opened at once
 * ```ts
 * import { recover } from "./recovery.ts";
 * const next = recover({
 *   site: "watch",
 *   kind: "broken",
 *   atResourceVersion: true,
 *   progressed: true,
 *   veryShort: false,
 *   restartedAfterExpiredContinue: false,
 *   incompleteStreamsInARow: 0,
 *   longIdleTimeout: true,
 * });
 * console.log(next.next, next.backoff); // "watch" false
 * ```
 */
export function recover(failure: Failure): Recovery {
  for (const row of RECOVERY_TABLE) {
    if (row.site !== failure.site) continue;
    if (row.kinds.length > 0 && !row.kinds.includes(failure.kind)) continue;
    if (row.when !== undefined && !row.when(failure)) continue;
    return { next: row.next, backoff: row.backoff, report: row.report, learns: row.learns };
  }
  throw new TypeError(`no recovery for ${JSON.stringify(failure)}`); // unreachable: each site ends with a catch-all
}
