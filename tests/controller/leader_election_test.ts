import { KubeClient, LeaderElector, LeaseLock, leases } from "../../mod.ts";
import { ApiError } from "../../mod.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
} from "../_helpers/assert.ts";
import { FakeClock } from "../_helpers/fake_clock.ts";

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function setup() {
  const server = new FakeApiServer();
  const clock = new FakeClock({ start: Date.UTC(2026, 0, 1) });
  const client = new KubeClient({ server: "http://fake.invalid", fetch: (r) => server.fetch(r) });
  const events: string[] = [];
  const elector = (
    identity: string,
    extra: Partial<ConstructorParameters<typeof LeaderElector>[0]> = {},
  ) =>
    new LeaderElector({
      lock: { client, namespace: "default", name: "lock" },
      identity,
      clock,
      random: () => 0,
      onStartedLeading: (signal) => {
        events.push(`${identity} started`);
        signal.addEventListener("abort", () => events.push(`${identity} signal aborted`));
      },
      onStoppedLeading: () => events.push(`${identity} stopped`),
      onNewLeader: (leader) => events.push(`${identity} sees ${leader}`),
      ...extra,
    });
  const lease = () => server.get(leases, "default", "lock")!.spec!;
  return { server, clock, client, events, elector, lease };
}

Deno.test("LeaderElector creates the Lease with client-go's fields and defaults, and renews it every retry period", async () => {
  const { server, clock, elector, lease, events } = setup();
  const a = elector("a");
  const ac = new AbortController();
  const running = a.run(ac.signal);
  await clock.flush();
  assert(a.isLeader());
  const created = lease();
  assertEquals(created.holderIdentity, "a");
  assertEquals(created.leaseDurationSeconds, 15);
  assertEquals(created.leaseTransitions, 0);
  assertMatch(created.renewTime!, MICRO_TIME);
  assertEquals(created.acquireTime, "2026-01-01T00:00:00.000000Z");
  await clock.advance(2000);
  const renewed = lease();
  assertEquals(renewed.renewTime, "2026-01-01T00:00:02.000000Z");
  assertEquals(renewed.acquireTime, created.acquireTime, "acquireTime is kept on renewal");
  assertEquals(renewed.leaseTransitions, 0);
  ac.abort();
  await clock.flush();
  await running;
  assertEquals(a.isLeader(), false);
  // Released: no holder, a 1-second lease, transitions unchanged.
  assertEquals(lease().holderIdentity ?? "", "");
  assertEquals(lease().leaseDurationSeconds, 1);
  assertEquals(lease().leaseTransitions, 0);
  assertEquals(events, ["a sees a", "a started", "a signal aborted", "a stopped"]);
  assertEquals(clock.pendingTimers, 0);
  await server.close();
});

Deno.test("LeaderElector waits a full lease duration of unchanged record before taking over from a dead leader", async () => {
  const { server, clock, elector, lease, events } = setup();
  const a = elector("a", { releaseOnCancel: false });
  const b = elector("b");
  const stopA = new AbortController();
  const runA = a.run(stopA.signal);
  await clock.flush();
  const stopB = new AbortController();
  const runB = b.run(stopB.signal);
  await clock.flush();
  assertEquals(b.isLeader(), false);
  assertEquals(b.getLeader(), "a");
  // a stops without releasing (as if killed): its last renewal was at t=0.
  stopA.abort();
  await runA;
  assertEquals(lease().holderIdentity, "a");
  const stoppedAt = clock.now();
  while (!b.isLeader()) await clock.advance(100);
  const took = clock.now() - stoppedAt;
  // b saw the record at t=0 and polls every 2 s (jitter 0 here); knowing when the lease
  // expires, it tries at that moment, 15 s after it saw the last renewal.
  assertEquals(took, 15_000);
  assertEquals(lease().holderIdentity, "b");
  assertEquals(lease().leaseTransitions, 1);
  assert(events.includes("b sees a") && events.includes("b sees b"));
  stopB.abort();
  await clock.flush();
  await runB;
  await server.close();
});

Deno.test("LeaderElector: a released lease is taken at the next retry, not after the lease duration", async () => {
  const { server, clock, elector, lease } = setup();
  const a = elector("a");
  const b = elector("b");
  const stopA = new AbortController();
  const runA = a.run(stopA.signal);
  await clock.flush();
  const stopB = new AbortController();
  const runB = b.run(stopB.signal);
  await clock.advance(3000);
  stopA.abort();
  await clock.flush();
  await runA;
  const releasedAt = clock.now();
  while (!b.isLeader()) await clock.advance(100);
  assert(clock.now() - releasedAt <= 2000, `took ${clock.now() - releasedAt} ms`);
  assertEquals(lease().leaseTransitions, 1);
  stopB.abort();
  await clock.flush();
  await runB;
  await server.close();
});

Deno.test("LeaderElector loses leadership at the renew deadline when renewals keep failing", async () => {
  const { server, clock, elector, events } = setup();
  const errors: unknown[] = [];
  const a = elector("a", { onError: (err) => errors.push(err) });
  const ac = new AbortController();
  const running = a.run(ac.signal);
  await clock.flush();
  assert(a.isLeader());
  server.failNext({ status: 500, count: 100, match: { resource: "leases" } });
  await clock.advance(9_999);
  assert(a.isLeader(), "still within the renew deadline of the last renewal (sent at 0)");
  await clock.advance(1);
  assertEquals(a.isLeader(), false);
  await running; // run returns once leadership is lost
  assertEquals(events, ["a sees a", "a started", "a signal aborted", "a stopped"]);
  assert(errors.length >= 4 && errors.every((e) => e instanceof ApiError && e.code === 500));
  server.clearFaults();
  await server.close();
});

Deno.test("LeaderElector: of two candidates racing for a free lock, exactly one wins", async () => {
  const { server, clock, elector, lease } = setup();
  const ac = new AbortController();
  const a = elector("a");
  const b = elector("b");
  const runs = [a.run(ac.signal), b.run(ac.signal)];
  await clock.advance(5000);
  assertEquals([a.isLeader(), b.isLeader()].filter(Boolean).length, 1);
  assertEquals(lease().holderIdentity, a.isLeader() ? "a" : "b");
  ac.abort();
  await clock.flush();
  await Promise.all(runs);
  await server.close();
});

Deno.test("LeaderElector rejects unsafe timings, an empty identity and a second concurrent run", async () => {
  const { server, client, clock, elector } = setup();
  const lock = { client, namespace: "default", name: "x" };
  assertThrows(() => new LeaderElector({ lock, identity: "" }), TypeError);
  assertThrows(
    () =>
      new LeaderElector({ lock, identity: "a", leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }),
    RangeError,
  );
  assertThrows(
    () => new LeaderElector({ lock, identity: "a", renewDeadlineMs: 2000, retryPeriodMs: 2000 }),
    RangeError,
  );
  const a = elector("a");
  const ac = new AbortController();
  const running = a.run(ac.signal);
  await assertRejects(a.run(ac.signal), TypeError);
  ac.abort();
  await clock.flush();
  await running;
  await server.close();
});

Deno.test("LeaseLock updates only at the resourceVersion it last read (409 otherwise)", async () => {
  const server = new FakeApiServer();
  const client = new KubeClient({ server: "http://fake.invalid", fetch: (r) => server.fetch(r) });
  const one = new LeaseLock(client, "default", "l");
  const two = new LeaseLock(client, "default", "l");
  const record = {
    holderIdentity: "one",
    leaseDurationSeconds: 15,
    acquireTime: "2026-01-01T00:00:00.000000Z",
    renewTime: "2026-01-01T00:00:00.000000Z",
    leaseTransitions: 0,
  };
  await one.create(record);
  assertEquals(await two.get(), record);
  await one.update({ ...record, renewTime: "2026-01-01T00:00:02.000000Z" });
  const err = await assertRejects(two.update({ ...record, holderIdentity: "two" }), ApiError);
  assertEquals(err.code, 409);
  assertEquals((await two.get())?.holderIdentity, "one");
  await server.close();
});

Deno.test("LeaderElector releases the Lease even when a renewal cut short by the stop reached the server", async () => {
  const server = new FakeApiServer();
  const clock = new FakeClock({ start: Date.UTC(2026, 0, 1) });
  let swallowNextPut = false;
  // A PUT that the server applies but whose response never arrives (until the request aborts).
  const fetch = async (request: Request): Promise<Response> => {
    const response = await server.fetch(request);
    if (request.method !== "PUT" || !swallowNextPut) return response;
    swallowNextPut = false;
    await response.body?.cancel();
    return new Promise((_, reject) => {
      request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
    });
  };
  const client = new KubeClient({ server: "http://fake.invalid", fetch });
  const errors: unknown[] = [];
  const elector = new LeaderElector({
    lock: { client, namespace: "default", name: "lock" },
    identity: "a",
    clock,
    random: () => 0,
    onError: (err) => errors.push(err),
  });
  const ac = new AbortController();
  const running = elector.run(ac.signal);
  await clock.flush();
  assert(elector.isLeader());
  swallowNextPut = true;
  await clock.advance(2000); // the renewal is applied, its response hangs
  const renewTime = server.get(leases, "default", "lock")!.spec!.renewTime;
  assertEquals(renewTime, "2026-01-01T00:00:02.000000Z");
  ac.abort();
  await clock.flush();
  await running;
  assertEquals(server.get(leases, "default", "lock")!.spec!.holderIdentity ?? "", "");
  assertEquals(errors, []);
  await server.close();
});
