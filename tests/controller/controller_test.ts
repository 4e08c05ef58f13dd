import {
  type ConfigMap,
  configMaps,
  Controller,
  type ControllerOptions,
  type Deployment,
  deployments,
  generationChanged,
  leases,
  type Pod,
  pods,
  type ReconcileErrorEvent,
  replicaSets,
  SharedInformerFactory,
} from "../../mod.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { FakeClock } from "../_helpers/fake_clock.ts";
import { deferred, waitFor } from "../_helpers/wait.ts";

interface Setup {
  server: FakeApiServer;
  factory: SharedInformerFactory;
  close(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const server = await FakeApiServer.start();
  const factory = new SharedInformerFactory(server.client());
  return {
    server,
    factory,
    close: async () => {
      await factory.shutdown();
      await server.close();
    },
  };
}

function deployment(name: string, replicas = 1): Deployment {
  return {
    metadata: { namespace: "default", name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [] } },
    },
  };
}

/** Changes a Deployment's replicas directly in the server. */
function scale(server: FakeApiServer, name: string, replicas: number): void {
  const current = server.get(deployments, "default", name)!;
  server.update(deployments, { ...current, spec: { ...current.spec!, replicas } });
}

function ownedBy(kind: string, apiVersion: string, name: string, controller = true) {
  return [{ apiVersion, kind, name, uid: `uid-${name}`, controller }];
}

/** Starts a controller; returns a stop function that resolves when it has stopped. */
function start<T extends Deployment>(options: ControllerOptions<T>) {
  const ac = new AbortController();
  const controller = new Controller<T>(options);
  const running = controller.run(ac.signal);
  return {
    controller,
    stop: async () => {
      ac.abort();
      await running;
    },
  };
}

Deno.test("Controller reconciles every primary object after sync and again when it changes", async () => {
  const { server, factory, close } = await setup();
  server.create(deployments, deployment("web"));
  server.create(deployments, deployment("api"));
  const seen: string[] = [];
  const { stop } = start({
    factory,
    resource: deployments,
    reconcile: (key) => void seen.push(key),
  });
  await waitFor(() => seen.length === 2, 5000, "the initial reconciles");
  assertEquals([...seen].sort(), ["default/api", "default/web"]);
  scale(server, "web", 3);
  await waitFor(() => seen.length === 3, 5000, "the reconcile of the update");
  assertEquals(seen[2], "default/web");
  server.delete(deployments, "default", "api");
  await waitFor(() => seen.length === 4, 5000, "the reconcile of the delete");
  assertEquals(seen[3], "default/api");
  await stop();
  await close();
});

Deno.test("Controller drops updates that fail a predicate (generationChanged ignores metadata-only updates)", async () => {
  const { server, factory, close } = await setup();
  server.create(deployments, deployment("web"));
  const seen: string[] = [];
  const { stop } = start({
    factory,
    resource: deployments,
    predicates: [generationChanged],
    reconcile: (key) => void seen.push(key),
  });
  await waitFor(() => seen.length === 1);
  // Over HTTP, as a client writes: the server moves the generation on spec changes only.
  const api = server.client().resource(deployments, "default");
  const current = await api.get("web");
  const labelled = await api.replace({
    ...current,
    metadata: { ...current.metadata, labels: { x: "1" } },
  });
  assertEquals(labelled.metadata?.generation, current.metadata?.generation);
  const scaled = await api.replace({ ...labelled, spec: { ...labelled.spec!, replicas: 5 } });
  assertEquals(scaled.metadata?.generation, (current.metadata?.generation ?? 0) + 1);
  await waitFor(() => seen.length === 2, 5000, "the reconcile of the spec change");
  // The metadata-only update came first and was dropped: one reconcile for both updates.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(seen, ["default/web", "default/web"]);
  await stop();
  await close();
});

Deno.test("Controller maps owned objects to their controlling owner of the primary kind only", async () => {
  const { server, factory, close } = await setup();
  server.create(deployments, deployment("web"));
  const seen: string[] = [];
  const { stop } = start({
    factory,
    resource: deployments,
    owns: [replicaSets],
    reconcile: (key) => void seen.push(key),
  });
  await waitFor(() => seen.length === 1);
  seen.length = 0;
  const rs = (name: string, refs: ReturnType<typeof ownedBy>) => ({
    metadata: { namespace: "default", name, ownerReferences: refs },
    spec: { selector: { matchLabels: { app: "web" } } },
  });
  server.create(replicaSets, rs("not-controller", ownedBy("Deployment", "apps/v1", "a", false)));
  server.create(replicaSets, rs("other-kind", ownedBy("StatefulSet", "apps/v1", "b")));
  server.create(replicaSets, rs("other-group", ownedBy("Deployment", "example.com/v1", "c")));
  server.create(replicaSets, rs("web-123", ownedBy("Deployment", "apps/v1", "web")));
  await waitFor(() => seen.length >= 1, 5000, "the owner's reconcile");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assertEquals(seen, ["default/web"]);
  server.delete(replicaSets, "default", "web-123");
  await waitFor(() => seen.length === 2, 5000, "the owner's reconcile after the delete");
  await stop();
  await close();
});

Deno.test("Controller maps arbitrary watches with their mapping function", async () => {
  const { server, factory, close } = await setup();
  server.create(deployments, deployment("web"));
  const seen: string[] = [];
  const { stop } = start({
    factory,
    resource: deployments,
    watches: [{
      resource: configMaps,
      map: (cm: ConfigMap) =>
        cm.data?.target === undefined ? [] : [`${cm.metadata?.namespace}/${cm.data.target}`],
    }],
    reconcile: (key) => void seen.push(key),
  });
  await waitFor(() => seen.length === 1);
  server.create(configMaps, {
    metadata: { namespace: "default", name: "c" },
    data: { target: "web" },
  });
  server.create(configMaps, { metadata: { namespace: "default", name: "d" }, data: {} });
  await waitFor(() => seen.length === 2, 5000, "the mapped reconcile");
  assertEquals(seen, ["default/web", "default/web"]);
  await stop();
  await close();
});

Deno.test("Controller never reconciles one key concurrently, with 4 workers and a stream of changes", async () => {
  const { server, factory, close } = await setup();
  for (const name of ["a", "b", "c"]) server.create(deployments, deployment(name));
  const running = new Set<string>();
  let overlaps = 0;
  let maxParallel = 0;
  let calls = 0;
  const { stop } = start({
    factory,
    resource: deployments,
    workers: 4,
    reconcile: async (key) => {
      if (running.has(key)) overlaps++;
      running.add(key);
      maxParallel = Math.max(maxParallel, running.size);
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      running.delete(key);
    },
  });
  for (let i = 0; i < 30; i++) {
    const name = ["a", "b", "c"][i % 3]!;
    scale(server, name, i);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await waitFor(() => calls >= 6 && running.size === 0, 5000);
  await stop();
  assertEquals(overlaps, 0);
  assert(maxParallel > 1, "different keys ran in parallel");
  await close();
});

Deno.test("Controller requeues: a throw with the rate limiter (reported), requeue, requeueAfterMs", async () => {
  const { server, factory, close } = await setup();
  server.create(deployments, deployment("web"));
  const clock = new FakeClock({ start: 1_000_000 });
  const calls: { at: number; retries: number }[] = [];
  const errors: ReconcileErrorEvent[] = [];
  const { controller, stop } = start({
    factory,
    resource: deployments,
    clock,
    onError: (event) => errors.push(event),
    reconcile: (_key, { retries }) => {
      calls.push({ at: clock.now(), retries });
      if (calls.length <= 3) throw new RangeError(`failure ${calls.length}`);
      if (calls.length === 4) return { requeue: true };
      if (calls.length === 5) return { requeueAfterMs: 60_000 };
      return undefined;
    },
  });
  await waitFor(() => calls.length === 1, 5000);
  const advanceUntil = async (n: number) => {
    while (calls.length < n) {
      await clock.next();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  await advanceUntil(6);
  const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
  // 5, 10, 20 ms after three failures, 40 after requeue, then 60 s after requeueAfterMs.
  assertEquals(gaps, [5, 10, 20, 40, 60_000]);
  assertEquals(calls.map((c) => c.retries), [0, 1, 2, 3, 4, 0]);
  assertEquals(errors.map((e) => [e.key, e.retries, (e.error as Error).message]), [
    ["default/web", 1, "failure 1"],
    ["default/web", 2, "failure 2"],
    ["default/web", 3, "failure 3"],
  ]);
  assert(errors.every((e) => e.type === "reconcileError" && e.error instanceof RangeError));
  assertEquals(controller.queue.metrics().retries, 4);
  assertEquals(controller.queue.numRequeues("default/web"), 0);
  await stop();
  assertEquals(clock.pendingTimers, 0, "nothing scheduled after stop");
  await close();
});

Deno.test("Controller stop aborts the reconcile's signal and waits for it", async () => {
  const { server, factory, close } = await setup();
  server.create(deployments, deployment("web"));
  const entered = deferred();
  let finished = false;
  const { stop } = start({
    factory,
    resource: deployments,
    reconcile: async (_key, { signal }) => {
      entered.resolve();
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    },
  });
  await entered.promise;
  await stop();
  assertEquals(finished, true);
  await close();
});

Deno.test("Controller stop gives up on a reconcile that ignores its signal after shutdownTimeoutMs", async () => {
  const { server, factory, close } = await setup();
  server.create(deployments, deployment("web"));
  const entered = deferred();
  const release = deferred();
  const clock = new FakeClock();
  const { controller, stop } = start({
    factory,
    resource: deployments,
    clock,
    shutdownTimeoutMs: 5_000,
    reconcile: async () => {
      entered.resolve();
      await release.promise;
    },
  });
  await entered.promise;
  let stopped = false;
  const stopping = stop().then(() => (stopped = true));
  await clock.advance(4_999);
  assertEquals(stopped, false);
  await clock.advance(1);
  await stopping;
  assertEquals(controller.queue.metrics().processing, 1, "still running, and reported so");
  release.resolve();
  await new Promise((resolve) => setTimeout(resolve, 1));
  assertEquals(controller.queue.metrics().processing, 0);
  await close();
});

Deno.test("Controller under leader election: one replica reconciles, the other takes over when it stops", async () => {
  const { server, close } = await setup();
  server.create(pods, { metadata: { namespace: "default", name: "p" }, spec: { containers: [] } });
  const replicas = ["one", "two"].map((identity) => {
    const factory = new SharedInformerFactory(server.client());
    const seen: string[] = [];
    const ac = new AbortController();
    const controller = new Controller<Pod>({
      factory,
      resource: pods,
      reconcile: (key) => void seen.push(key),
    });
    const running = controller.run(ac.signal, {
      leaderElection: {
        lock: { client: server.client(), namespace: "default", name: "test-controller" },
        identity,
        leaseDurationMs: 3000,
        renewDeadlineMs: 2000,
        retryPeriodMs: 50,
      },
    });
    return { identity, seen, factory, stop: () => (ac.abort(), running) };
  });
  await waitFor(() => replicas.some((r) => r.seen.length > 0), 5000, "a leader reconciles");
  await new Promise((resolve) => setTimeout(resolve, 200));
  const leader = replicas.find((r) => r.seen.length > 0)!;
  const follower = replicas.find((r) => r !== leader)!;
  assertEquals(follower.seen, [], "the follower reconciles nothing");
  const stoppedAt = Date.now();
  await leader.stop();
  await waitFor(() => follower.seen.length > 0, 5000, "the follower takes over");
  // Released on stop: the follower takes over at its next retry, far sooner than the lease.
  assert(Date.now() - stoppedAt < 2000, `takeover took ${Date.now() - stoppedAt} ms`);
  assertEquals(
    server.get(leases, "default", "test-controller")?.spec?.holderIdentity,
    follower.identity,
  );
  await follower.stop();
  for (const r of replicas) await r.factory.shutdown();
  await close();
});
