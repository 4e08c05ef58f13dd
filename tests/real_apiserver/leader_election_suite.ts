/**
 * Leader election on a real kube-apiserver: the Lease as client-go writes
 * it (MicroTime, transitions, release), a race of in-process candidates,
 * and candidates in separate processes, where the leader is killed with
 * SIGKILL (a survivor takes over after the lease expires) or stopped with
 * SIGTERM (it releases the Lease; the successor takes over at once).
 * `bench/leader_election_takeover.ts` runs the process part at length.
 *
 * @module
 */

import {
  ApiError,
  type ConfigMap,
  configMaps,
  Controller,
  LeaderElector,
  leases,
  SharedInformerFactory,
} from "../../mod.ts";
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { measureTakeovers, summarizeMs } from "../../bench/leader_election_takeover.ts";
import { clientFor, controlPlane, freshNamespace, kubeconfigFor } from "./_cluster.ts";

const info = controlPlane();
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const FAST = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };

Deno.test("a LeaderElector writes the Lease as client-go does, renews it, and releases it on stop", async () => {
  const client = clientFor(info);
  const namespace = await freshNamespace(client, "le");
  const ac = new AbortController();
  const started: string[] = [];
  const elector = new LeaderElector({
    lock: { client, namespace, name: "lock" },
    identity: "one",
    ...FAST,
    onStartedLeading: () => started.push("one"),
  });
  const running = elector.run(ac.signal);
  while (!elector.isLeader()) await new Promise((resolve) => setTimeout(resolve, 50));
  const api = client.resource(leases, namespace);
  const first = (await api.get("lock")).spec!;
  assertEquals(first.holderIdentity, "one");
  assertEquals(first.leaseDurationSeconds, 3);
  assertEquals(first.leaseTransitions, 0);
  assertMatch(first.acquireTime!, MICRO_TIME);
  assertMatch(first.renewTime!, MICRO_TIME);
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const renewed = (await api.get("lock")).spec!;
  assert(renewed.renewTime! > first.renewTime!, "renewed");
  assertEquals(renewed.acquireTime, first.acquireTime);
  ac.abort();
  await running;
  const released = (await api.get("lock")).spec!;
  assertEquals(released.holderIdentity ?? "", "");
  assertEquals(released.leaseDurationSeconds, 1);
  assertEquals(started, ["one"]);
  client.close();
});

Deno.test("candidates racing on a real apiserver: exactly one leads, the others see it, a stale write gets 409", async () => {
  const client = clientFor(info);
  const namespace = await freshNamespace(client, "le");
  const ac = new AbortController();
  const seen = new Map<string, string>();
  const clients = ["a", "b", "c", "d"].map(() => clientFor(info));
  const electors = ["a", "b", "c", "d"].map((identity, i) =>
    new LeaderElector({
      lock: { client: clients[i]!, namespace, name: "race" },
      identity,
      ...FAST,
      onNewLeader: (leader) => seen.set(identity, leader),
    })
  );
  const runs = electors.map((e) => e.run(ac.signal));
  const deadline = Date.now() + 10_000;
  while (electors.filter((e) => e.isLeader()).length !== 1 || seen.size < 4) {
    assert(Date.now() < deadline, "no single leader within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const leader = electors.find((e) => e.isLeader())!.identity;
  assertEquals([...seen.values()], [leader, leader, leader, leader]);
  // A write at an old resourceVersion is refused: the optimistic concurrency the election needs.
  const api = client.resource(leases, namespace);
  const lease = await api.get("race");
  await new Promise((resolve) => setTimeout(resolve, 700)); // the leader renews meanwhile
  const stale = await api.replace({ ...lease, spec: { ...lease.spec, holderIdentity: "x" } })
    .catch((err) => err);
  assert(stale instanceof ApiError && stale.code === 409, `expected a 409, got ${stale}`);
  ac.abort();
  await Promise.all(runs);
  for (const c of clients) c.close();
  client.close();
});

Deno.test("separate processes: after SIGKILL a survivor leads within the bound, after SIGTERM at once", async () => {
  const client = clientFor(info);
  const namespace = await freshNamespace(client, "le");
  client.close();
  const kubeconfig = `${info.workDir}/leader-election-kubeconfig.yaml`;
  await Deno.writeTextFile(kubeconfig, kubeconfigFor(info, "admin"));
  const timings = { leaseMs: 3000, renewMs: 2000, retryMs: 500 };
  const report = await measureTakeovers({
    kubeconfig,
    namespace,
    candidates: 3,
    kills: 3,
    terms: 2,
    ...timings,
  });
  const kill = summarizeMs(report.killTakeoversMs);
  const term = summarizeMs(report.termTakeoversMs);
  console.log(`SIGKILL takeovers ${report.killTakeoversMs.join(", ")} ms (median ${kill.median})`);
  console.log(`SIGTERM takeovers ${report.termTakeoversMs.join(", ")} ms (median ${term.median})`);
  assertEquals(report.overlaps, []);
  // From the kill: the last renewal up to a retry period before, one jittered retry period to
  // observe it, the lease, and request and process time (see leader_election.ts).
  const killBound = timings.retryMs + timings.retryMs * 2.2 + timings.leaseMs + 1000;
  for (const ms of report.killTakeoversMs) {
    assert(ms <= killBound, `takeover ${ms} ms > ${killBound}`);
  }
  // Released: one jittered retry period plus request time.
  const termBound = timings.retryMs * 2.2 + 1000;
  for (const ms of report.termTakeoversMs) {
    assert(ms <= termBound, `takeover ${ms} ms > ${termBound}`);
  }
});

Deno.test("a Controller under leader election on a real apiserver: one replica reconciles", async () => {
  const client = clientFor(info);
  const namespace = await freshNamespace(client, "le");
  await client.resource(configMaps, namespace).create({ metadata: { name: "c" }, data: {} });
  const replicas = ["one", "two"].map((identity) => {
    const replicaClient = clientFor(info);
    const factory = new SharedInformerFactory(replicaClient, { namespace });
    const reconciled: string[] = [];
    const ac = new AbortController();
    const controller = new Controller<ConfigMap>({
      factory,
      resource: configMaps,
      informer: { namespace },
      reconcile: (key) => void reconciled.push(key),
    });
    const running = controller.run(ac.signal, {
      leaderElection: { lock: { client, namespace, name: "controller" }, identity, ...FAST },
    });
    return { identity, reconciled, factory, replicaClient, stop: () => (ac.abort(), running) };
  });
  const deadline = Date.now() + 10_000;
  while (!replicas.some((r) => r.reconciled.includes(`${namespace}/c`))) {
    assert(Date.now() < deadline, "no reconcile within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  assertEquals(replicas.filter((r) => r.reconciled.length > 0).length, 1);
  for (const r of replicas) {
    await r.stop();
    await r.factory.shutdown();
    r.replicaClient.close();
  }
  client.close();
});
