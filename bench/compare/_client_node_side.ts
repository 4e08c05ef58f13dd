/**
 * The `@kubernetes/client-node` side of the comparison: `makeInformer` over
 * `/api/v1/pods` with `listPodForAllNamespaces` as the list function, built
 * from kubeconfig text, with the error handler of client-node's informer
 * example (restart the informer 5 s after an error).
 *
 * The package is loaded at run time: on Node (the default) from the
 * `node_modules` that `run.ts` installs into `.cache/compare/`, on Deno
 * (`--client-node-on deno`) from npm. Nothing imports it statically, so
 * checking the project never fetches it. This file and `_node_child.ts` run
 * unchanged on both runtimes (only erasable TypeScript). The comparison is a
 * tool, never part of the library.
 *
 * @module
 */

import {
  CallRecorder,
  describeError,
  keyOf,
  type Side,
  type SideOptions,
  timestampTypeOf,
} from "./_side.ts";

/** The client-node version compared. */
export const CLIENT_NODE_VERSION: string = "2.0.1";

/** The fields of client-node's `V1Pod` the comparison reads. */
export interface ClientNodePod {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    creationTimestamp?: unknown;
  };
}

/** What `makeInformer` returns (client-node's `Informer & ObjectCache`), as used here. */
export interface ClientNodeInformer {
  on(verb: "add" | "update" | "delete", callback: (pod: ClientNodePod) => void): void;
  on(verb: "error", callback: (err: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  list(namespace?: string): readonly ClientNodePod[];
  get(name: string, namespace?: string): ClientNodePod | undefined;
}

/** client-node's `KubeConfig`, as used here. */
export interface ClientNodeKubeConfig {
  loadFromString(text: string): void;
  makeApiClient(api: unknown): {
    listPodForAllNamespaces(params?: { limit?: number }): Promise<{ items: ClientNodePod[] }>;
  };
}

/**
 * The parts of the client-node module the comparison uses. The package is
 * loaded at run time, so these declarations stand in for its own types (they
 * follow its `index.d.ts`); nothing of the project type-checks against it.
 */
export interface ClientNode {
  KubeConfig: new () => ClientNodeKubeConfig;
  CoreV1Api: unknown;
  makeInformer(
    kubeconfig: ClientNodeKubeConfig,
    path: string,
    list: () => Promise<{ items: ClientNodePod[] }>,
  ): ClientNodeInformer;
}

/**
 * Loads client-node: from `moduleUrl` (Node: the package's `dist/index.js`
 * as a file URL), else from npm through Deno.
 */
export async function loadClientNode(moduleUrl?: string): Promise<ClientNode> {
  const specifier = moduleUrl ?? ["npm:@kubernetes/client-node", CLIENT_NODE_VERSION].join("@");
  return await import(specifier) as ClientNode;
}

/** Builds a pods informer; nothing runs until `start()`. */
export function clientNodeSide(k8s: ClientNode, options: SideOptions): Side {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(options.kubeconfig);
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const limit = options.listLimit;
  const listFn = limit === undefined
    ? () => api.listPodForAllNamespaces()
    : () => api.listPodForAllNamespaces({ limit });
  const informer = k8s.makeInformer(kc, "/api/v1/pods", listFn);
  const recorder = new CallRecorder(options.record ?? true, options.onCall);
  const errors: string[] = [];
  const restartDelayMs = options.restartDelayMs === undefined ? 5000 : options.restartDelayMs;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let stopped = false;
  const rv = (pod: ClientNodePod) => pod.metadata?.resourceVersion ?? "";
  informer.on("add", (pod) => recorder.call("add", keyOf(pod), rv(pod), false));
  informer.on("update", (pod) => recorder.call("update", keyOf(pod), rv(pod), false));
  informer.on("delete", (pod) => recorder.call("delete", keyOf(pod), rv(pod), false));
  const reportError = (err: unknown) => {
    const text = describeError(err);
    errors.push(text);
    options.onError?.(text);
  };
  informer.on("error", (err: unknown) => {
    if (stopped) return;
    reportError(err);
    if (restartDelayMs === null) return;
    // client-node's informer example: log, then start again after 5 s.
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!stopped) informer.start().catch(reportError);
    }, restartDelayMs);
    timers.add(timer);
  });
  const find = (key: string) => {
    const slash = key.indexOf("/");
    return slash < 0 ? informer.get(key) : informer.get(key.slice(slash + 1), key.slice(0, slash));
  };
  return {
    name: "client-node",
    mirror: recorder.mirror,
    calls: recorder.calls,
    counts: recorder.counts,
    updateTimes: recorder.updateTimes,
    errors,
    ready() {
      return Promise.resolve();
    },
    async start() {
      const before = errors.length;
      // Resolves once the list is cached and the watch request is answered.
      await informer.start();
      return errors.length === before;
    },
    cache() {
      const out = new Map<string, string>();
      for (const pod of informer.list()) out.set(keyOf(pod), rv(pod));
      return Promise.resolve(out);
    },
    timestampType(key) {
      return Promise.resolve(timestampTypeOf(find(key)));
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await informer.stop();
    },
  };
}
