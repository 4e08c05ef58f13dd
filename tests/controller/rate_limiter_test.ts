import {
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
} from "../../mod.ts";
import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import { FakeClock } from "../_helpers/fake_clock.ts";

Deno.test("ItemExponentialRateLimiter doubles per item from the base to the cap, items apart", () => {
  const limiter = new ItemExponentialRateLimiter({ baseDelayMs: 5, maxDelayMs: 1_000_000 });
  const delays = Array.from({ length: 20 }, () => limiter.when("a"));
  assertEquals(delays.slice(0, 4), [5, 10, 20, 40]);
  assertEquals(delays.at(-1), 1_000_000);
  assertEquals(limiter.when("b"), 5);
  assertEquals(limiter.numRequeues("a"), 20);
  limiter.forget("a");
  assertEquals([limiter.numRequeues("a"), limiter.when("a")], [0, 5]);
  assertThrows(() => new ItemExponentialRateLimiter({ baseDelayMs: 0 }), RangeError);
});

Deno.test("TokenBucketRateLimiter lets a burst through, then spaces calls, and refills with time", async () => {
  const clock = new FakeClock();
  const limiter = new TokenBucketRateLimiter({ perSecond: 10, burst: 3, clock });
  assertEquals([1, 2, 3, 4, 5].map(() => limiter.when("x")), [0, 0, 0, 100, 200]);
  await clock.advance(1000); // 10 tokens' worth, but the bucket was 2 in debt and holds 3
  assertEquals([1, 2, 3, 4].map(() => limiter.when("x")), [0, 0, 0, 100]);
  assertEquals(limiter.numRequeues("x"), 0);
  assertThrows(() => new TokenBucketRateLimiter({ perSecond: -1 }), RangeError);
});

Deno.test("MaxOfRateLimiter and the default limiter take the longest delay of their parts", () => {
  const clock = new FakeClock();
  const limiter = defaultControllerRateLimiter({ clock });
  // 100 different keys pass the bucket; each waits only its own 5 ms.
  const first = Array.from({ length: 100 }, (_, i) => limiter.when(`k${i}`));
  assertEquals(new Set(first), new Set([5]));
  // The 101st waits for the bucket (100 ms), more than its own 5 ms.
  assertEquals(limiter.when("k100"), 100);
  assertEquals(limiter.numRequeues("k0"), 1);
  limiter.forget("k0");
  assertEquals(limiter.numRequeues("k0"), 0);
  assertThrows(() => new MaxOfRateLimiter([]), RangeError);
});
