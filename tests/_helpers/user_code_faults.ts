/**
 * A seeded fault run for informers whose user code fails: a transform that throws or returns
 * garbage, an index function that throws and a handler that throws, switched on and off for
 * random objects while the fake apiserver creates, updates and deletes them and drops watches.
 * At the end the cache must hold exactly the objects the user code accepts, each at its latest
 * version, and the informer must still run. Used by `tests/informer/user_code_test.ts` (bounded)
 * and `bench/user_code_soak.ts` (long).
 *
 * @module
 */

import type { Pod } from "../../src/api/core_v1.ts";
import { UserCodeError } from "../../src/api/errors.ts";
import { pods } from "../../src/api/resources.ts";
import type { InformerErrorEvent } from "../../src/informer/event_handler.ts";
import { SharedIndexInformer } from "../../src/informer/shared_index_informer.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { seededRandom } from "./random.ts";
import { waitFor } from "./wait.ts";

function pod(name: string, labels: Record<string, string>): Pod {
  return {
    metadata: { name, namespace: "default", labels },
    spec: { containers: [{ name: "app", image: "nginx" }] },
  };
}

/** Runs `operations` seeded operations; throws (an assertion) when a guarantee does not hold. */
export async function runUserCodeFaults(seed: number, operations: number): Promise<void> {
  const random = seededRandom(seed);
  const server = new FakeApiServer();
  const failing = new Set<string>();
  let handlerThrows = 0;
  const client = server.client();
  const informer = new SharedIndexInformer<Pod>(client.resource(pods), pods, {
    transform: (p) => {
      if (failing.has(`transform ${p.metadata?.name}`)) throw new Error("transform");
      if (failing.has(`garbage ${p.metadata?.name}`)) return 42 as unknown as Pod;
      return p;
    },
    indexers: {
      byLabel: (p) => {
        if (failing.has(`index ${p.metadata?.name}`)) throw new Error("index");
        return Object.values(p.metadata?.labels ?? {});
      },
    },
  });
  const errors: InformerErrorEvent[] = [];
  informer.setWatchErrorHandler((event) => errors.push(event));
  informer.addEventHandler({
    onAdd: () => {
      if (random() < 0.2) {
        handlerThrows++;
        throw new Error("handler");
      }
    },
  });
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  try {
    await informer.waitForSync();
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const live = new Map<string, number>();
    for (let op = 0; op < operations; op++) {
      const name = names[Math.floor(random() * names.length)]!;
      const roll = random();
      if (roll < 0.15) {
        const kinds = ["transform", "garbage", "index"];
        const what = `${kinds[Math.floor(random() * kinds.length)]} ${name}`;
        if (failing.has(what)) failing.delete(what);
        else failing.add(what);
        continue;
      }
      if (roll < 0.2) {
        server.closeWatches();
        continue;
      }
      const version = (live.get(name) ?? 0) + 1;
      if (!live.has(name)) server.create(pods, pod(name, { v: String(version) }));
      else if (roll < 0.85) server.update(pods, pod(name, { v: String(version) }));
      else {
        server.delete(pods, "default", name);
        live.delete(name);
        continue;
      }
      live.set(name, version);
      if (op % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // One more change to each object, so that its latest event meets the final user code.
    for (const [name, version] of live) {
      server.update(pods, pod(name, { v: String(version + 1) }));
      live.set(name, version + 1);
    }
    // Every object the user code accepts is cached at its latest version; the others are not.
    const failsFor = (name: string) =>
      ["transform", "garbage", "index"].some((k) => failing.has(`${k} ${name}`));
    const expected = [...live.keys()].filter((n) => !failsFor(n)).map((n) => `default/${n}`)
      .sort();
    const snapshot = () =>
      informer.indexer.list().map((p) => `${p.metadata?.name} v${p.metadata?.labels?.v}`)
        .sort();
    const wanted = expected.map((key) => key.slice("default/".length))
      .map((name) => `${name} v${live.get(name)}`).sort();
    await waitFor(() => JSON.stringify(snapshot()) === JSON.stringify(wanted), 10_000)
      .catch(() => assertEquals(snapshot(), wanted));
    assert(!informer.isStopped(), "the informer stopped");
    for (
      const error of errors.filter((e) => e.error instanceof UserCodeError).map((e) =>
        e.error as UserCodeError
      )
    ) {
      assert(error.key === undefined || error.key.startsWith("default/p"), error.message);
    }
    assert(handlerThrows === 0 || errors.some((e) => e.recovery === "handler"));
  } finally {
    ac.abort();
    await running;
    client.close();
    await server.close();
  }
}
