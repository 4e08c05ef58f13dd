/**
 * The informer factory: one shared informer per resource and option set,
 * started together, waited for together.
 *
 * @module
 */

import { CacheSyncTimeoutError } from "../api/errors.ts";
import type { KubeObject, PartialObjectMetadata } from "../api/meta.ts";
import { realClock } from "../_internal/clock.ts";
import type { InformerHealth } from "./informer_health.ts";
import type { ResourceDescriptor } from "../api/resource.ts";
import { formatFieldSelector } from "../api/field_selector.ts";
import { formatLabelSelector } from "../api/label_selector.ts";
import type { KubeClient } from "../client/kube_client.ts";
import type {
  FieldSelectorInput,
  LabelSelectorInput,
  ListOptions,
  WatchOptions,
} from "../client/request_options.ts";
import { SharedIndexInformer, type SharedIndexInformerOptions } from "./shared_index_informer.ts";

/** Informer settings a factory passes to every informer it creates. */
export type FactoryInformerOptions = Pick<
  SharedIndexInformerOptions<KubeObject>,
  | "pageSize"
  | "streamingList"
  | "minWatchTimeoutSeconds"
  | "idleTimeoutMs"
  | "freeze"
  | "handlerLagThreshold"
  | "dropManagedFields"
  | "clock"
  | "random"
>;

/** Options of {@linkcode SharedInformerFactory}. */
export interface SharedInformerFactoryOptions {
  /** Default resync period of the informers' handlers; 0 disables. @default {0} */
  resyncPeriodMs?: number | undefined;
  /** Resync periods per resource, overriding `resyncPeriodMs`. */
  customResync?: ReadonlyMap<ResourceDescriptor, number> | undefined;
  /** Watch only this namespace (cluster-scoped resources ignore it). @default {all namespaces} */
  namespace?: string | undefined;
  /** Called on the options of every list and watch request of every informer (selectors only). */
  tweakListOptions?: ((options: ListOptions | WatchOptions) => void) | undefined;
  /** Transform installed on every informer created (such as `stripManagedFields`). */
  transform?: (<T extends KubeObject>(object: T) => T) | undefined;
  /** Reflector and cache settings for every informer. */
  informerOptions?: FactoryInformerOptions | undefined;
}

/** Options of {@linkcode SharedInformerFactory.waitForCacheSync}. */
export interface WaitForCacheSyncOptions {
  /** Stops waiting (informers not synced map to false). */
  signal?: AbortSignal | undefined;
  /** Gives up after this long with a {@linkcode CacheSyncTimeoutError}. */
  timeoutMs?: number | undefined;
}

/** Options of {@linkcode SharedInformerFactory.informerFor}; each distinct set gets its own informer. */
export interface InformerForOptions {
  /** Cache `PartialObjectMetadata` only (much smaller for big objects). @default {false} */
  metadataOnly?: boolean | undefined;
  /** Override the factory's namespace. */
  namespace?: string | undefined;
  /** Only objects whose labels match. */
  labelSelector?: LabelSelectorInput | undefined;
  /** Only objects whose fields match. */
  fieldSelector?: FieldSelectorInput | undefined;
  /** Resync period of this informer's handlers (first call wins). */
  resyncPeriodMs?: number | undefined;
}

/**
 * Creates and runs shared informers: `informerFor(resource)` returns the
 * same informer for the same resource and options; `start(signal)` starts
 * those not yet started; `waitForCacheSync(signal)` waits until they hold
 * their complete initial lists.
 *
 * @example The informer workflow
 * ```ts
 * import { KubeClient, pods, services, SharedInformerFactory } from "@kubesnap/kubesnap";
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 *
 * const server = new FakeApiServer();
 * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
 * const factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 });
 * const podInformer = factory.informerFor(pods);
 * podInformer.addIndexers({ byIP: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip) });
 * factory.informerFor(services);
 * const ac = new AbortController();
 * factory.start(ac.signal);
 * const synced = await factory.waitForCacheSync(ac.signal);
 * console.log([...synced.values()]); // [true, true]
 * console.log(podInformer.indexer.byIndex("byIP", "10.0.0.5")); // []
 * ac.abort();
 * await factory.shutdown();
 * await server.close();
 * ```
 */
export class SharedInformerFactory {
  #client: KubeClient;
  #options: SharedInformerFactoryOptions;
  #informers = new Map<string, SharedIndexInformer<KubeObject>>();
  #running = new Map<SharedIndexInformer<KubeObject>, Promise<void>>();
  #shutdown = new AbortController();
  #shuttingDown = false;

  /**
   * Creates a factory.
   *
   * @param client The client the informers list and watch with.
   * @param options Resync, namespace, request tweaks, transform, informer settings.
   */
  constructor(client: KubeClient, options?: SharedInformerFactoryOptions) {
    options ??= {};
    this.#client = client;
    this.#options = options;
  }

  /**
   * The shared informer for a resource (and option set), created on first use.
   *
   * @param resource The resource descriptor, such as `pods`.
   * @param options Metadata-only, namespace, selectors, resync, indexes.
   * @returns The informer; the same instance for the same resource and options.
   */
  informerFor<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    options?: InformerForOptions & { metadataOnly?: false | undefined },
  ): SharedIndexInformer<T>;
  /**
   * The shared metadata-only informer for a resource.
   *
   * @param resource The resource descriptor.
   * @param options `metadataOnly: true`, and namespace, selectors, resync, indexes.
   * @returns An informer of `PartialObjectMetadata`.
   */
  informerFor(
    resource: ResourceDescriptor,
    options: InformerForOptions & { metadataOnly: true },
  ): SharedIndexInformer<PartialObjectMetadata>;
  informerFor<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    options?: InformerForOptions,
  ): SharedIndexInformer<T> | SharedIndexInformer<PartialObjectMetadata> {
    options ??= {};
    const namespace = resource.namespaced ? options.namespace ?? this.#options.namespace ?? "" : "";
    const labelSelector = options.labelSelector === undefined
      ? ""
      : formatLabelSelector(options.labelSelector);
    const fieldSelector = options.fieldSelector === undefined
      ? ""
      : formatFieldSelector(options.fieldSelector);
    const key = JSON.stringify([
      resource.group,
      resource.version,
      resource.plural,
      options.metadataOnly === true,
      namespace,
      labelSelector,
      fieldSelector,
    ]);
    const existing = this.#informers.get(key);
    if (existing) return existing as unknown as SharedIndexInformer<T>;

    const listerWatcher = options.metadataOnly
      ? this.#client.metadata(resource, namespace || undefined)
      : this.#client.resource(resource, namespace || undefined);
    const resyncPeriodMs = options.resyncPeriodMs ?? this.#options.customResync?.get(resource) ??
      this.#options.resyncPeriodMs ?? 0;
    const informer = new SharedIndexInformer<KubeObject>(
      listerWatcher as never,
      resource as ResourceDescriptor,
      {
        ...this.#options.informerOptions,
        resyncPeriodMs,
        transform: this.#options.transform,
        labelSelector: labelSelector || undefined,
        fieldSelector: fieldSelector || undefined,
        tweakListOptions: this.#options.tweakListOptions,
      },
    );
    this.#informers.set(key, informer);
    return informer as unknown as SharedIndexInformer<T>;
  }

  /**
   * Starts every informer created so far that is not running yet. Call it
   * again after creating more informers. Does nothing after shutdown.
   *
   * @param signal Stops the informers started by this call.
   */
  start(signal: AbortSignal): void {
    if (this.#shuttingDown || signal.aborted) return;
    const combined = AbortSignal.any([signal, this.#shutdown.signal]);
    for (const informer of this.#informers.values()) {
      if (this.#running.has(informer)) continue;
      // run() reports what goes wrong and never rejects; the catch only makes sure that
      // nothing it started can ever become an unhandled rejection.
      this.#running.set(informer, informer.run(combined).catch(() => {}));
    }
  }

  /**
   * Waits until every started informer has synced. With `timeoutMs`, gives
   * up after that long by throwing a {@linkcode CacheSyncTimeoutError} that
   * names each informer not synced and its last error; with a signal (alone
   * or in the options), stops waiting when it aborts and maps the informers
   * not synced by then to false. Without either it waits as long as it takes.
   *
   * @param options An abort signal, or `{ signal, timeoutMs }`.
   * @returns Each started informer mapped to whether it synced.
   * @throws {CacheSyncTimeoutError} When `timeoutMs` passes first.
   *
   * @example Waiting at most ten seconds
   * ```ts
   * import { CacheSyncTimeoutError, pods, SharedInformerFactory } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   *
   * const server = new FakeApiServer();
   * const factory = new SharedInformerFactory(server.client());
   * factory.informerFor(pods);
   * factory.start(AbortSignal.timeout(60_000));
   * try {
   *   await factory.waitForCacheSync({ timeoutMs: 10_000 });
   *   console.log("synced");
   * } catch (err) {
   *   if (!(err instanceof CacheSyncTimeoutError)) throw err;
   *   console.error(err.message);
   * }
   * await factory.shutdown();
   * await server.close();
   * ```
   */
  async waitForCacheSync(
    options?: AbortSignal | WaitForCacheSyncOptions,
  ): Promise<Map<SharedIndexInformer<KubeObject>, boolean>> {
    const { signal, timeoutMs } = options instanceof AbortSignal
      ? { signal: options, timeoutMs: undefined }
      : options ?? {};
    const started = [...this.#running.keys()];
    const timer = timeoutMs === undefined ? undefined : new AbortController();
    const clock = this.#options.informerOptions?.clock ?? realClock;
    const cancelTimer = timer === undefined
      ? undefined
      : clock.setTimer(() => timer.abort(), Math.max(0, timeoutMs!));
    const waitSignal = timer === undefined
      ? signal
      : signal === undefined
      ? timer.signal
      : AbortSignal.any([signal, timer.signal]);
    try {
      const results = await Promise.all(
        started.map((informer) => informer.waitForCacheSync(waitSignal)),
      );
      if (timer?.signal.aborted && !signal?.aborted && results.includes(false)) {
        throw new CacheSyncTimeoutError(
          timeoutMs!,
          started.filter((_, i) => !results[i]).map((informer) => {
            const health = informer.health();
            return {
              informer: informer.toString(),
              listedObjects: health.listedObjects,
              lastError: health.lastError?.message,
            };
          }),
        );
      }
      return new Map(started.map((informer, i) => [informer, results[i] ?? false]));
    } finally {
      cancelTimer?.();
    }
  }

  /**
   * The health of every informer of this factory (see {@linkcode SharedIndexInformer.health}).
   *
   * @returns One snapshot per informer, started or not.
   */
  health(): InformerHealth[] {
    return [...this.#informers.values()].map((informer) => informer.health());
  }

  /**
   * Stops every informer of this factory and resolves once all have
   * stopped. Safe to call more than once.
   *
   * @returns Resolves when nothing of the factory is running.
   */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    this.#shutdown.abort();
    await Promise.all(this.#running.values());
  }
}
