/**
 * How your own tests use the fake apiserver: a small piece of application
 * code (`PodIPDirectory`, an informer with a by-IP index) tested in process
 * and over HTTP, through throttling, server errors and a compacted watch
 * history, without a cluster and without waiting for real backoff delays.
 *
 * ```sh
 * deno test --allow-net=127.0.0.1 examples/fake_apiserver_in_tests.ts
 * ```
 *
 * @module
 */

import {
  ApiError,
  Backoff,
  type InformerErrorEvent,
  type KubeClient,
  type Pod,
  pods,
  SharedIndexInformer,
} from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";

// ---------------------------------------------------------------------------
// The application code under test.

/** Options of {@linkcode PodIPDirectory}; tests inject a fast backoff. */
interface PodIPDirectoryOptions {
  backoff?: Backoff;
  onError?: (event: InformerErrorEvent) => void;
}

/** Answers "which pods have this IP?" from an always-current cache. */
class PodIPDirectory {
  readonly informer: SharedIndexInformer<Pod>;

  constructor(client: KubeClient, options: PodIPDirectoryOptions = {}) {
    this.informer = new SharedIndexInformer(client.resource(pods), pods, {
      indexers: { byIP: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip) },
      backoff: options.backoff,
    });
    if (options.onError) this.informer.setErrorHandler(options.onError);
  }

  /** Runs until `signal` aborts; resolves once stopped. */
  run(signal: AbortSignal): Promise<void> {
    return this.informer.run(signal);
  }

  /** The `namespace/name` keys of the pods that have `ip`, sorted. */
  lookup(ip: string): string[] {
    return this.informer.indexer.indexKeys("byIP", ip).sort();
  }
}

// ---------------------------------------------------------------------------
// Small helpers (in a project of your own, use an assertion library).

function assertEquals(actual: unknown, expected: unknown): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e) throw new Error(`expected ${e}, got ${a}`);
}

async function eventually(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function podWithIP(namespace: string, name: string, ip: string): Pod {
  return {
    metadata: { namespace, name },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
  };
}

/** A fast backoff, so that recovery in tests takes milliseconds. */
const fastBackoff = () => new Backoff({ initialMs: 1, maxMs: 10, jitter: 0 });

// ---------------------------------------------------------------------------
// The tests.

Deno.test("PodIPDirectory finds pods by IP, in process (no port, no permission)", async () => {
  const server = new FakeApiServer(); // not listening: server.client() calls server.fetch
  server.create(pods, podWithIP("default", "web-0", "10.244.0.5"));
  const directory = new PodIPDirectory(server.client());
  const ac = new AbortController();
  const running = directory.run(ac.signal);
  try {
    await directory.informer.waitForCacheSync(ac.signal);
    assertEquals(directory.lookup("10.244.0.5"), ["default/web-0"]);

    // Changes made with server.create/update/delete reach watchers as events.
    server.create(pods, podWithIP("default", "web-1", "10.244.0.5"));
    await eventually(() => directory.lookup("10.244.0.5").length === 2);
    server.delete(pods, "default", "web-0");
    await eventually(() => directory.lookup("10.244.0.5").length === 1);
    assertEquals(directory.lookup("10.244.0.5"), ["default/web-1"]);
  } finally {
    ac.abort();
    await running;
    await server.close();
  }
});

Deno.test("PodIPDirectory syncs through 429 throttling, over HTTP", async () => {
  await using server = await FakeApiServer.start(); // 127.0.0.1, a free port
  server.create(pods, podWithIP("default", "web-0", "10.244.0.5"));
  // The next two requests answer 429 with Retry-After: 1; the client retries
  // them. An injected sleep records the waits instead of waiting.
  server.failNext({ status: 429, retryAfterSeconds: 1, count: 2 });
  const waits: number[] = [];
  const client = server.client({ sleep: (ms) => (waits.push(ms), Promise.resolve()) });
  const directory = new PodIPDirectory(client);
  const ac = new AbortController();
  const running = directory.run(ac.signal);
  try {
    await directory.informer.waitForCacheSync(ac.signal);
    assertEquals(waits, [1000, 1000]);
    assertEquals(directory.lookup("10.244.0.5"), ["default/web-0"]);
  } finally {
    ac.abort();
    await running;
  }
});

Deno.test("PodIPDirectory reports a 500 and keeps going", async () => {
  const server = new FakeApiServer();
  server.create(pods, podWithIP("default", "web-0", "10.244.0.5"));
  server.failNext({ status: 500, count: 1 }); // no Retry-After: the informer backs off
  const errors: InformerErrorEvent[] = [];
  const directory = new PodIPDirectory(server.client(), {
    backoff: fastBackoff(),
    onError: (event) => errors.push(event),
  });
  const ac = new AbortController();
  const running = directory.run(ac.signal);
  try {
    await directory.informer.waitForCacheSync(ac.signal);
    assertEquals(errors.length, 1);
    const error = errors[0]?.error;
    assertEquals(error instanceof ApiError ? [error.code, error.reason] : error, [
      500,
      "InternalError",
    ]);
    assertEquals(directory.lookup("10.244.0.5"), ["default/web-0"]);
  } finally {
    ac.abort();
    await running;
    await server.close();
  }
});

Deno.test("PodIPDirectory relists after the watch history is compacted", async () => {
  const server = new FakeApiServer();
  server.create(pods, podWithIP("default", "web-0", "10.244.0.5"));
  const directory = new PodIPDirectory(server.client(), {
    backoff: fastBackoff(),
    onError: () => {},
  });
  const ac = new AbortController();
  const running = directory.run(ac.signal);
  try {
    await directory.informer.waitForCacheSync(ac.signal);
    // A change the watch never sees, then the history is dropped and the
    // watch ends: re-watching from the last resourceVersion gets 410 Gone,
    // so the informer lists again and finds the pod.
    server.create(pods, podWithIP("shop", "cart-0", "10.244.1.9"), { silent: true });
    server.compact();
    server.closeWatches();
    await eventually(() => directory.lookup("10.244.1.9").length === 1);
    assertEquals(directory.lookup("10.244.1.9"), ["shop/cart-0"]);
    assertEquals(directory.informer.lastSyncResourceVersion(), server.resourceVersion);
  } finally {
    ac.abort();
    await running;
    await server.close();
  }
});
