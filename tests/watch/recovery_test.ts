import {
  type Failure,
  failure,
  type FailureKind,
  type FailureSite,
  recover,
  type Recovery,
  RECOVERY_TABLE,
} from "../../src/watch/recovery.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

const SITES: readonly FailureSite[] = ["list", "watch", "stream"];
const KINDS: readonly FailureKind[] = [
  "expired",
  "too-large-resource-version",
  "expired-continue",
  "throttled",
  "no-connection",
  "refused",
  "silent",
  "idle",
  "broken",
  "ended",
  "other",
];

const answer = (
  next: Recovery["next"],
  backoff: boolean,
  report: Recovery["report"],
  learns?: Recovery["learns"],
): Recovery => ({ next, backoff, report, learns });

/** One failure per row of RECOVERY_TABLE, in its order, with the answer written out by hand. */
const CASES: readonly [string, Failure, Recovery][] = [
  [
    "LIST continue token expired mid-list (first time)",
    failure("list", "expired-continue"),
    answer("list-again", false, "relist"),
  ],
  [
    'LIST 410 / too-large RV, RV was not ""',
    failure("list", "too-large-resource-version", { atResourceVersion: true }),
    answer("list-fresh", false, "relist", "resource-version-unavailable"),
  ],
  [
    'LIST 410 / too-large RV from RV ""',
    failure("list", "expired"),
    answer("relist", true, "relist", "resource-version-unavailable"),
  ],
  [
    "LIST other error",
    failure("list", "expired-continue", { restartedAfterExpiredContinue: true }),
    answer("relist", true, "relist"),
  ],
  [
    "watch 429 (request or ERROR event) or no connection",
    failure("watch", "no-connection"),
    answer("watch", true, "rewatch"),
  ],
  [
    "new watch silent for `idleTimeoutMs` (30 s or more)",
    failure("watch", "silent", { longIdleTimeout: true }),
    answer("watch", false, "rewatch"),
  ],
  [
    "new watch silent for a shorter `idleTimeoutMs`",
    failure("watch", "silent"),
    answer("watch", true, "rewatch"),
  ],
  [
    "watch ended within 1 s without events",
    failure("watch", "ended", { veryShort: true }),
    answer("relist", true, "relist"),
  ],
  [
    "watch ended after progress or 30 s",
    failure("watch", "ended", { progressed: true }),
    answer("watch", false, undefined),
  ],
  [
    "watch broke or went silent after progress or 30 s",
    failure("watch", "broken", { progressed: true }),
    answer("watch", false, "rewatch"),
  ],
  [
    "watch ended, broke or went silent without progress, sooner than 30 s",
    failure("watch", "idle"),
    answer("watch", true, "rewatch"),
  ],
  [
    "watch 410 (request or ERROR event)",
    failure("watch", "expired", { atResourceVersion: true, progressed: true }),
    answer("relist", true, "relist"),
  ],
  [
    "watch other error, ERROR event, undecodable stream, object without a name",
    failure("watch", "refused"),
    answer("relist", true, "relist"),
  ],
  [
    'streaming list 410 / too-large RV, RV was not ""',
    failure("stream", "expired", { atResourceVersion: true }),
    answer("stream-fresh", false, "restream", "resource-version-unavailable"),
  ],
  [
    "streaming list 429 or no connection",
    failure("stream", "throttled"),
    answer("stream-again", true, "restream"),
  ],
  [
    "streaming list refused with 400, 405, 406 or 422",
    failure("stream", "refused"),
    answer("list", false, "fallback-to-list", "streaming-unsupported"),
  ],
  [
    "streaming list silent for `streamingIdleTimeoutMs` after an event",
    failure("stream", "idle"),
    answer("list", false, "fallback-to-list", "streaming-unsupported"),
  ],
  [
    "streaming list ended or broke before its end bookmark, twice in a row",
    failure("stream", "ended", { incompleteStreamsInARow: 2 }),
    answer("list", true, "fallback-to-list", "streaming-paused"),
  ],
  [
    "streaming list ended or broke before its end bookmark",
    failure("stream", "broken", { incompleteStreamsInARow: 1 }),
    answer("stream-again", true, "restream", "streaming-incomplete"),
  ],
  [
    "streaming list other error, undecodable stream, silent from the start",
    failure("stream", "silent"),
    answer("list", true, "fallback-to-list"),
  ],
];

Deno.test("recover answers each row of the recovery table as written", async (t) => {
  assertEquals(CASES.map(([situation]) => situation), RECOVERY_TABLE.map((r) => r.situation));
  for (const [situation, input, expected] of CASES) {
    await t.step(situation, () => {
      assertEquals(recover(input), expected);
      const row = RECOVERY_TABLE.find((r) => r.situation === situation)!;
      assertEquals(
        { next: row.next, backoff: row.backoff, report: row.report, learns: row.learns },
        expected,
      );
    });
  }
});

Deno.test("recover is total: every site, kind and circumstance gets an answer", () => {
  const flags = [false, true];
  let answered = 0;
  for (const site of SITES) {
    for (const kind of KINDS) {
      for (const atResourceVersion of flags) {
        for (const progressed of flags) {
          for (const veryShort of flags) {
            for (const restartedAfterExpiredContinue of flags) {
              for (const incompleteStreamsInARow of [0, 1, 2, 3]) {
                for (const longIdleTimeout of flags) {
                  recover({
                    site,
                    kind,
                    atResourceVersion,
                    progressed,
                    veryShort,
                    restartedAfterExpiredContinue,
                    incompleteStreamsInARow,
                    longIdleTimeout,
                  });
                  answered++;
                }
              }
            }
          }
        }
      }
    }
  }
  assertEquals(answered, 3 * 11 * 2 ** 5 * 4);
});

Deno.test("recover never asks for the same request again at once after a failure without progress", () => {
  // At once and again: only after progress, or to a different request that cannot repeat at once.
  for (const row of RECOVERY_TABLE) {
    if (row.backoff) continue;
    const different = row.next === "list-fresh" || row.next === "stream-fresh" ||
      row.next === "list-again" || (row.site === "stream" && row.next === "list");
    const afterProgressOrWait = row.situation.includes("after progress") ||
      row.situation.includes("30 s or more");
    assert(different || afterProgressOrWait, `${row.situation}: at once without progress`);
  }
});

Deno.test("the reflector's documentation lists every row of the recovery table", async () => {
  const source = await Deno.readTextFile(new URL("../../src/watch/reflector.ts", import.meta.url));
  for (const row of RECOVERY_TABLE) {
    assert(
      source.includes(`| ${row.situation} |`),
      `reflector.ts does not document: ${row.situation}`,
    );
  }
});
