import { Backoff } from "../../src/watch/backoff.ts";
import { assert, assertEquals, assertThrows } from "../_helpers/assert.ts";
import { seededRandom } from "../_helpers/random.ts";

const BASES = [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000];

function delays(backoff: Backoff, count: number): number[] {
  return Array.from({ length: count }, () => backoff.next());
}

Deno.test("Backoff doubles from 800 ms up to a 30 s base when jitter draws 0", () => {
  const backoff = new Backoff({ now: () => 0, random: () => 0 });
  assertEquals(delays(backoff, BASES.length), BASES);
});

Deno.test("Backoff jitter drawing just under 1 makes each delay just under twice its base", () => {
  const backoff = new Backoff({ now: () => 0, random: () => 0.999 });
  const got = delays(backoff, BASES.length);
  assertEquals(got, [1599, 3198, 6397, 12794, 25587, 51174, 59970, 59970, 59970]);
  for (const [i, delay] of got.entries()) {
    const base = BASES[i] ?? 0;
    assert(delay > base && delay < 2 * base, `delay ${delay} for base ${base}`);
  }
});

Deno.test("Backoff delays stay within [base, 2 x base] for any random draw", () => {
  const random = seededRandom(20240601);
  const backoff = new Backoff({ now: () => 0, random });
  for (let round = 0; round < 50; round++) {
    backoff.reset();
    for (const base of BASES) {
      const delay = backoff.next();
      assert(delay >= base && delay <= 2 * base, `delay ${delay} for base ${base}`);
    }
  }
});

Deno.test("Backoff starts over once more than 120 s passed since the previous delay was asked for", () => {
  let now = 1_000;
  const backoff = new Backoff({ now: () => now, random: () => 0 });
  assertEquals(delays(backoff, 3), [800, 1600, 3200]);
  now += 120_000;
  assertEquals(backoff.next(), 6400, "exactly 120 s is not enough");
  now += 120_001;
  assertEquals(backoff.next(), 800);
  now += 60_000;
  assertEquals(backoff.next(), 1600);
  now += 60_001;
  assertEquals(backoff.next(), 3200, "the window counts from the previous request, not the reset");
});

Deno.test("Backoff.reset starts over from the initial delay", () => {
  const backoff = new Backoff({ now: () => 0, random: () => 0 });
  assertEquals(delays(backoff, 4), [800, 1600, 3200, 6400]);
  backoff.reset();
  assertEquals(delays(backoff, 2), [800, 1600]);
});

Deno.test("Backoff honours initialMs, factor, maxMs and jitter options", () => {
  const backoff = new Backoff({
    initialMs: 100,
    factor: 3,
    maxMs: 1000,
    jitter: 0.5,
    now: () => 0,
    random: () => 1,
  });
  assertEquals(delays(backoff, 5), [150, 450, 1350, 1500, 1500]);
  const flat = new Backoff({ initialMs: 100, factor: 1, jitter: 0, maxMs: 100, random: () => 0.7 });
  assertEquals(delays(flat, 3), [100, 100, 100]);
});

Deno.test("Backoff rejects non-positive delays, a cap below the first delay, a factor below 1 and negative jitter", () => {
  assertThrows(() => new Backoff({ initialMs: 0 }), RangeError);
  assertThrows(() => new Backoff({ initialMs: Number.NaN }), RangeError);
  assertThrows(() => new Backoff({ initialMs: 1000, maxMs: 999 }), RangeError);
  assertThrows(() => new Backoff({ factor: 0.5 }), RangeError);
  assertThrows(() => new Backoff({ jitter: -0.1 }), RangeError);
});
