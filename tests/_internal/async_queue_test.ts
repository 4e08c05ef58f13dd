import { assert, assertEquals, assertRejects, assertThrows } from "../_helpers/assert.ts";
import { AsyncQueue } from "../../src/_internal/async_queue.ts";

Deno.test("AsyncQueue hands items to the consumer in the order pushed", async () => {
  const queue = new AsyncQueue<number>();
  assert(queue.push(1));
  assert(queue.push(2));
  assertEquals(queue.size, 2);
  assertEquals(await queue.next(), { done: false, value: 1 });
  assertEquals(await queue.next(), { done: false, value: 2 });
  assertEquals(queue.size, 0);
});

Deno.test("AsyncQueue resolves a waiting consumer when an item is pushed", async () => {
  const queue = new AsyncQueue<string>();
  const waiting = queue.next();
  queue.push("a");
  assertEquals(await waiting, { done: false, value: "a" });
  assertEquals(queue.size, 0, "the item went straight to the consumer");
});

Deno.test("AsyncQueue take hands over queued items without waiting", async (t) => {
  await t.step("items come in order, then undefined once the queue is empty", () => {
    const queue = new AsyncQueue<number>();
    assertEquals(queue.take(), undefined);
    queue.push(1);
    queue.push(2);
    assertEquals(queue.take(), 1);
    assertEquals(queue.size, 1);
    assertEquals(queue.take(), 2);
    assertEquals(queue.take(), undefined);
    assert(!queue.ended, "an empty queue stays open");
    assert(queue.push(3));
    assertEquals(queue.take(), 3);
  });
  await t.step("take and next share one order", async () => {
    const queue = new AsyncQueue<number>();
    for (let i = 0; i < 4; i++) queue.push(i);
    assertEquals(queue.take(), 0);
    assertEquals(await queue.next(), { done: false, value: 1 });
    assertEquals(queue.take(), 2);
    assertEquals(await queue.next(), { done: false, value: 3 });
  });
  await t.step("a closed queue still hands over what it holds", async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.close();
    assertEquals(queue.take(), 1);
    assertEquals(queue.take(), undefined);
    assertEquals(await queue.next(), { done: true, value: undefined });
  });
  await t.step("an aborted queue holds nothing", () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.abort(new Error("gone"));
    assertEquals(queue.take(), undefined);
  });
  await t.step("taking frees a slot of a bounded queue", () => {
    const queue = new AsyncQueue<number>({ capacity: 1 });
    assert(queue.push(1));
    assert(!queue.push(2));
    assertEquals(queue.take(), 1);
    assert(queue.push(2));
  });
});

Deno.test("AsyncQueue refuses pushes beyond its capacity", async (t) => {
  await t.step("a bounded queue refuses the item that does not fit", async () => {
    const queue = new AsyncQueue<number>({ capacity: 2 });
    assert(queue.push(1));
    assert(queue.push(2));
    assert(!queue.push(3));
    assertEquals(queue.size, 2);
    await queue.next();
    assert(queue.push(3), "taking an item frees a slot");
  });
  await t.step("a waiting consumer takes an item even at capacity 1", async () => {
    const queue = new AsyncQueue<number>({ capacity: 1 });
    const waiting = queue.next();
    assert(queue.push(1));
    assert(queue.push(2));
    assertEquals((await waiting).value, 1);
    assertEquals(queue.size, 1);
  });
  await t.step("a capacity below 1 is a RangeError", () => {
    assertThrows(() => new AsyncQueue({ capacity: 0 }), RangeError);
  });
});

Deno.test("AsyncQueue close lets the consumer drain, then ends", async () => {
  const queue = new AsyncQueue<number>();
  queue.push(1);
  queue.close();
  assert(queue.ended);
  assert(!queue.push(2), "a closed queue refuses pushes");
  assertEquals(await queue.next(), { done: false, value: 1 });
  assertEquals(await queue.next(), { done: true, value: undefined });
  assertEquals(await queue.next(), { done: true, value: undefined });
});

Deno.test("AsyncQueue close ends a waiting consumer", async () => {
  const queue = new AsyncQueue<number>();
  const waiting = queue.next();
  queue.close();
  assertEquals(await waiting, { done: true, value: undefined });
});

Deno.test("AsyncQueue abort drops queued items and rejects the consumer", async () => {
  const queue = new AsyncQueue<number>();
  const waiting = queue.next();
  queue.abort(new Error("gone"));
  await assertRejects(() => waiting, Error, "gone");
  queue.push(1);
  assertEquals(queue.size, 0);
  await assertRejects(() => queue.next(), Error, "gone");

  const full = new AsyncQueue<number>();
  full.push(1);
  full.abort(new Error("dropped"));
  assertEquals(full.size, 0);
  await assertRejects(() => full.next(), Error, "dropped");
});

Deno.test("AsyncQueue aborts with its signal and removes the listener when it ends", async () => {
  const controller = new AbortController();
  const queue = new AsyncQueue<number>({ signal: controller.signal });
  const waiting = queue.next();
  controller.abort(new Error("signal"));
  await assertRejects(() => waiting, Error, "signal");

  const already = new AsyncQueue<number>({ signal: AbortSignal.abort(new Error("early")) });
  assert(already.ended);
  await assertRejects(() => already.next(), Error, "early");

  const closedFirst = new AbortController();
  const closing = new AsyncQueue<number>({ signal: closedFirst.signal });
  closing.close();
  closedFirst.abort(new Error("late"));
  assertEquals(
    await closing.next(),
    { done: true, value: undefined },
    "abort after close is ignored",
  );
});

Deno.test("AsyncQueue iterates with for await until closed", async () => {
  const queue = new AsyncQueue<number>();
  const seen: number[] = [];
  const consumer = (async () => {
    for await (const item of queue) seen.push(item);
  })();
  for (let i = 0; i < 5; i++) {
    queue.push(i);
    await Promise.resolve();
  }
  queue.close();
  await consumer;
  assertEquals(seen, [0, 1, 2, 3, 4]);
});

Deno.test("AsyncQueue aborts when the consumer leaves the loop early", async () => {
  const queue = new AsyncQueue<number>();
  queue.push(1);
  queue.push(2);
  for await (const item of queue) {
    assertEquals(item, 1);
    break;
  }
  assert(queue.ended);
  assert(!queue.push(3));
  await assertRejects(() => queue.next(), DOMException);
});

Deno.test("AsyncQueue keeps order across many items and compactions", async () => {
  const queue = new AsyncQueue<number>();
  const count = 5000;
  for (let i = 0; i < count; i++) queue.push(i);
  for (let i = 0; i < count / 2; i++) assertEquals((await queue.next()).value, i);
  for (let i = count; i < count + 100; i++) queue.push(i);
  for (let i = count / 2; i < count + 100; i++) assertEquals((await queue.next()).value, i);
  assertEquals(queue.size, 0);

  // The same with take, pushing while taking so compactions happen with items behind the head.
  let pushed = 0;
  let taken = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 700; i++) queue.push(pushed++);
    for (let i = 0; i < 500; i++) assertEquals(queue.take(), taken++);
    assertEquals(queue.size, pushed - taken);
  }
  while (queue.size > 0) assertEquals(queue.take(), taken++);
  assertEquals(taken, pushed);
});
