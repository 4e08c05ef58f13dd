/**
 * The kubesnap side of the comparison: a {@linkcode SharedInformerFactory}
 * with its defaults, built from kubeconfig text as a user would.
 *
 * @module
 */

import {
  isDeletedFinalStateUnknown,
  KubeClient,
  parseKubeConfig,
  pods,
  SharedInformerFactory,
} from "../../mod.ts";
import type { ListOptions, Pod, WatchOptions } from "../../mod.ts";
import {
  CallRecorder,
  describeError,
  keyOf,
  type Side,
  type SideOptions,
  timestampTypeOf,
} from "./_side.ts";

/** Builds a pods informer; nothing runs until `start()`. */
export function kubesnapSide(options: SideOptions): Side {
  const client = KubeClient.fromKubeConfig(parseKubeConfig(options.kubeconfig));
  const tweak = options.tweakListOptions;
  const factory = new SharedInformerFactory(
    client,
    tweak === undefined ? {} : {
      tweakListOptions: (o: ListOptions | WatchOptions) => tweak(o as Record<string, unknown>),
    },
  );
  const informer = factory.informerFor(pods);
  const recorder = new CallRecorder(options.record ?? true, options.onCall);
  const errors: string[] = [];
  informer.setErrorHandler((event) => {
    const text = `${describeError(event.error)} (then ${event.recovery})`;
    errors.push(text);
    options.onError?.(text);
  });
  informer.addEventHandler({
    onAdd: (pod: Pod) =>
      recorder.call("add", keyOf(pod), pod.metadata?.resourceVersion ?? "", false),
    onUpdate: (_old: Pod, pod: Pod) =>
      recorder.call("update", keyOf(pod), pod.metadata?.resourceVersion ?? "", false),
    onDelete: (pod) => {
      if (isDeletedFinalStateUnknown(pod)) {
        recorder.call("delete", pod.key, pod.obj?.metadata?.resourceVersion ?? "", true);
      } else {
        recorder.call("delete", keyOf(pod), pod.metadata?.resourceVersion ?? "", false);
      }
    },
  });
  const ac = new AbortController();
  return {
    name: "kubesnap",
    mirror: recorder.mirror,
    calls: recorder.calls,
    counts: recorder.counts,
    updateTimes: recorder.updateTimes,
    errors,
    ready() {
      return Promise.resolve();
    },
    async start() {
      factory.start(ac.signal);
      const synced = await factory.waitForCacheSync(ac.signal);
      return [...synced.values()].every((s) => s);
    },
    cache() {
      return Promise.resolve(podState());
    },
    timestampType(key) {
      return Promise.resolve(timestampTypeOf(informer.indexer.getByKey(key)));
    },
    async stop() {
      ac.abort();
      await factory.shutdown();
      client.close();
    },
  };

  function podState(): Map<string, string> {
    const out = new Map<string, string>();
    for (const pod of informer.indexer.list()) {
      out.set(keyOf(pod), pod.metadata?.resourceVersion ?? "");
    }
    return out;
  }
}
