/**
 * {@linkcode Controller}: a reconcile loop over shared informers.
 *
 * Changes of the primary resource enqueue the object's key; changes of
 * owned (secondary) resources enqueue the key of their controlling owner
 * (the owner reference with `controller: true` whose kind and API group
 * are the primary's); other watches enqueue whatever keys their mapping
 * function returns. N workers take keys from a {@linkcode WorkQueue} and
 * call `reconcile(key, { signal })`, never twice at once for one key.
 *
 * What a reconcile's outcome does (controller-runtime's rules):
 *
 * | outcome                       | the key                                      |
 * | ----------------------------- | -------------------------------------------- |
 * | returns nothing               | is forgotten by the rate limiter             |
 * | returns `{ requeueAfterMs }`  | is forgotten, and added again after the delay |
 * | returns `{ requeue: true }`   | is added again after the rate limiter's delay |
 * | throws                        | as `requeue`, and reported to `onError`       |
 *
 * @module
 */

import type { KubeObject, OwnerReference } from "../api/meta.ts";
import type { ResourceDescriptor } from "../api/resource.ts";
import {
  type DeletedFinalStateUnknown,
  isDeletedFinalStateUnknown,
} from "../cache/deleted_final_state_unknown.ts";
import { metaNamespaceKey } from "../cache/keys.ts";
import type { HandlerRegistration } from "../informer/event_handler.ts";
import type { SharedIndexInformer } from "../informer/shared_index_informer.ts";
import type {
  InformerForOptions,
  SharedInformerFactory,
} from "../informer/shared_informer_factory.ts";
import { type Clock, realClock } from "../_internal/clock.ts";
import { LeaderElector, type LeaderElectorOptions } from "./leader_election.ts";
import type { UpdatePredicate } from "./predicates.ts";
import type { RateLimiter } from "./rate_limiter.ts";
import { WorkQueue } from "./work_queue.ts";

/** What a reconcile asks for next; nothing means done. */
export type ReconcileResult =
  | void
  | undefined
  | {
    /** Reconcile again after the rate limiter's delay. */
    readonly requeue?: boolean | undefined;
    /** Reconcile again after this many milliseconds (wins over `requeue`). */
    readonly requeueAfterMs?: number | undefined;
  };

/** What a reconcile receives besides the key. */
export interface ReconcileContext {
  /** Aborts when the controller stops (or loses leadership). */
  readonly signal: AbortSignal;
  /** Failures of this key since it last succeeded. */
  readonly retries: number;
}

/** Brings the world in line with the object named by `key` (`namespace/name`, or `name`). */
export type Reconciler = (
  key: string,
  context: ReconcileContext,
) => ReconcileResult | Promise<ReconcileResult>;

/** A reconcile that threw: reported to `onError`, the key is retried. */
export interface ReconcileErrorEvent {
  /** Always `reconcileError`. */
  readonly type: "reconcileError";
  /** The key. */
  readonly key: string;
  /** What was thrown. */
  readonly error: unknown;
  /** Failures of this key so far, this one included. */
  readonly retries: number;
}

/** Another watch: objects of `resource` mapped to the keys to reconcile. */
export interface ControllerWatch<T extends KubeObject = KubeObject> {
  /** The watched resource. */
  readonly resource: ResourceDescriptor<T>;
  /** Keys of primary objects to reconcile when `object` changes. */
  readonly map: (object: T) => readonly string[];
  /** Informer options (namespace, selectors). */
  readonly informer?: ControllerInformerOptions | undefined;
  /** Updates pass only when every predicate is true. */
  readonly predicates?: readonly UpdatePredicate<T>[] | undefined;
}

/** Which informer of the factory a controller uses: namespace, selectors, resync (full objects only). */
export type ControllerInformerOptions = Omit<InformerForOptions, "metadataOnly">;

/** Runs the controller's workers only while it leads (see {@linkcode LeaderElector}). */
export type ControllerLeaderElection = Omit<
  LeaderElectorOptions,
  "onStartedLeading" | "onStoppedLeading" | "clock"
>;

/** Options of {@linkcode Controller}. */
export interface ControllerOptions<T extends KubeObject> {
  /** The informers come from this factory (shared with the rest of the program). */
  factory: SharedInformerFactory;
  /** The primary resource: its keys are reconciled. */
  resource: ResourceDescriptor<T>;
  /** The reconcile function. */
  reconcile: Reconciler;
  /** Informer options of the primary resource (namespace, selectors). */
  informer?: ControllerInformerOptions | undefined;
  /** Updates of the primary pass only when every predicate is true (such as `generationChanged`). */
  predicates?: readonly UpdatePredicate<T>[] | undefined;
  /** Secondary resources whose controlling owner (same kind and group as the primary) is reconciled. */
  owns?: readonly ResourceDescriptor[] | undefined;
  /** More watches with a mapping function. */
  // deno-lint-ignore no-explicit-any -- each watch has its own object type, checked where it is written
  watches?: readonly ControllerWatch<any>[] | undefined;
  /** Concurrent reconciles (of different keys). @default {1} */
  workers?: number | undefined;
  /** Delays of retries. @default {defaultControllerRateLimiter()} */
  rateLimiter?: RateLimiter<string> | undefined;
  /** Told about each reconcile that threw. @default {console.warn} */
  onError?: ((event: ReconcileErrorEvent) => void) | undefined;
  /** How long stopping waits for running reconciles. @default {30000} */
  shutdownTimeoutMs?: number | undefined;
  /** Time source of the queue, delays and the shutdown bound. @default {realClock} */
  clock?: Clock | undefined;
}

/** Options of {@linkcode Controller.run}. */
export interface ControllerRunOptions {
  /** Run workers only while this replica leads. */
  leaderElection?: ControllerLeaderElection | undefined;
}

/**
 * The controller's own key for an object's controlling owner of kind
 * `owner.kind` in `owner.group` (the version is not compared, as in
 * controller-runtime), or undefined when it has none.
 *
 * @param object The owned object.
 * @param owner The owner's resource descriptor.
 * @returns `namespace/name` of the owner (`name` for a cluster-scoped owner), or undefined.
 *
 * @example The Deployment that owns a ReplicaSet
 * ```ts
 * import { controllerOwnerKey, deployments } from "@kubesnap/kubesnap";
 * const rs = {
 *   metadata: {
 *     namespace: "shop", name: "cart-6c9d8b7f5",
 *     ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "cart", uid: "1", controller: true }],
 *   },
 * };
 * console.log(controllerOwnerKey(rs, deployments)); // "shop/cart"
 * ```
 */
export function controllerOwnerKey(
  object: KubeObject,
  owner: Pick<ResourceDescriptor, "group" | "kind" | "namespaced">,
): string | undefined {
  const ref = object.metadata?.ownerReferences?.find((r: OwnerReference) => r.controller === true);
  if (ref === undefined || ref.kind !== owner.kind || groupOf(ref.apiVersion) !== owner.group) {
    return undefined;
  }
  const namespace = object.metadata?.namespace;
  return owner.namespaced && namespace ? `${namespace}/${ref.name}` : ref.name;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/**
 * A reconcile loop: informers feed a work queue, workers reconcile keys.
 *
 * @example Counting the pods of each Deployment's ReplicaSets
 * ```ts
 * import { Controller, deployments, replicaSets, SharedInformerFactory } from "@kubesnap/kubesnap";
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 * const server = new FakeApiServer();
 * server.create(deployments, { metadata: { namespace: "default", name: "web" } });
 * const factory = new SharedInformerFactory(server.client());
 * const ac = new AbortController();
 * const controller = new Controller({
 *   factory,
 *   resource: deployments,
 *   owns: [replicaSets],
 *   reconcile: (key) => {
 *     console.log("reconciling", key); // "default/web"
 *     ac.abort();
 *   },
 * });
 * await controller.run(ac.signal);
 * await factory.shutdown();
 * await server.close();
 * ```
 */
export class Controller<T extends KubeObject> {
  /** The queue of keys (its `metrics()` show how the controller is doing). */
  readonly queue: WorkQueue<string>;
  readonly #options: ControllerOptions<T>;
  readonly #clock: Clock;
  readonly #workers: number;
  readonly #informers: SharedIndexInformer<KubeObject>[] = [];
  readonly #registrations: HandlerRegistration[] = [];
  #running = false;

  /**
   * Creates the controller: gets its informers from the factory and
   * registers its handlers (keys queue up from then on).
   *
   * @param options Factory, resources, reconcile function, workers.
   * @throws {RangeError} When `workers` is not a positive integer.
   */
  constructor(options: ControllerOptions<T>) {
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(`workers must be a positive integer, got ${workers}`);
    }
    this.#workers = workers;
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.queue = new WorkQueue<string>({ clock: this.#clock, rateLimiter: options.rateLimiter });

    const primary = options.factory.informerFor(options.resource, options.informer ?? {});
    this.#watch(
      primary,
      (object) => [metaNamespaceKey(object)],
      options.predicates ?? [],
      (tombstone) => [tombstone.key],
    );
    for (const owned of options.owns ?? []) {
      const informer = options.factory.informerFor(owned as ResourceDescriptor<KubeObject>);
      this.#watch(informer, (object) => {
        const key = controllerOwnerKey(object, options.resource);
        return key === undefined ? [] : [key];
      }, []);
    }
    for (const watch of options.watches ?? []) {
      const informer = options.factory.informerFor(watch.resource, watch.informer ?? {});
      this.#watch(informer, watch.map, watch.predicates ?? []);
    }
  }

  /**
   * Starts the factory's informers, waits for their caches, then runs the
   * workers (only while leading, with `leaderElection`) until `signal`
   * aborts; then waits (at most `shutdownTimeoutMs`) for running reconciles
   * and resolves. The informers belong to the factory: shut it down apart.
   *
   * @param signal Stops the controller.
   * @param options Leader election.
   * @returns Resolves once stopped.
   * @throws {TypeError} When the controller runs already or has run.
   */
  async run(signal: AbortSignal, options?: ControllerRunOptions): Promise<void> {
    options ??= {};
    if (this.#running || this.queue.shuttingDown) {
      throw new TypeError("a Controller runs once");
    }
    this.#running = true;
    try {
      this.#options.factory.start(signal);
      const synced = await Promise.all(this.#informers.map((i) => i.waitForCacheSync(signal)));
      if (signal.aborted || synced.includes(false)) return;
      const election = options.leaderElection;
      if (election === undefined) {
        await this.#runWorkers(signal);
        return;
      }
      // One election after the other: after losing, this replica stands again (its caches
      // and queue stay warm), until the signal aborts.
      while (!signal.aborted) {
        const elector = new LeaderElector({
          ...election,
          clock: this.#clock,
          onStartedLeading: (leading) => this.#runWorkers(leading),
        });
        await elector.run(signal);
      }
    } finally {
      this.queue.shutdown();
      for (const registration of this.#registrations) registration.remove();
    }
  }

  /** Runs the workers until `signal` aborts, then waits for them within the shutdown bound. */
  async #runWorkers(signal: AbortSignal): Promise<void> {
    const workers = Array.from({ length: this.#workers }, () => this.#worker(signal));
    const all = Promise.all(workers);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    let cancel = () => {};
    const bound = new Promise<void>((resolve) => {
      cancel = this.#clock.setTimer(resolve, this.#options.shutdownTimeoutMs ?? 30_000);
    });
    await Promise.race([all, bound]);
    cancel();
  }

  async #worker(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let key: string | undefined;
      try {
        key = await this.queue.get({ signal });
      } catch {
        return; // aborted
      }
      if (key === undefined) return; // shut down
      try {
        await this.#reconcile(key, signal);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #reconcile(key: string, signal: AbortSignal): Promise<void> {
    let result: ReconcileResult;
    try {
      result = await this.#options.reconcile(key, {
        signal,
        retries: this.queue.numRequeues(key),
      });
    } catch (error) {
      this.queue.addRateLimited(key);
      const event: ReconcileErrorEvent = {
        type: "reconcileError",
        key,
        error,
        retries: this.queue.numRequeues(key),
      };
      const onError = this.#options.onError ??
        ((e: ReconcileErrorEvent) => console.warn(`reconcile of ${e.key} failed:`, e.error));
      try {
        onError(event);
      } catch {
        // the error handler's own failure must not stop the worker
      }
      return;
    }
    if (result?.requeueAfterMs !== undefined && result.requeueAfterMs > 0) {
      this.queue.forget(key);
      this.queue.addAfter(key, result.requeueAfterMs);
    } else if (result?.requeue) {
      this.queue.addRateLimited(key);
    } else {
      this.queue.forget(key);
    }
  }

  #watch<O extends KubeObject>(
    informer: SharedIndexInformer<O>,
    map: (object: O) => readonly string[],
    predicates: readonly UpdatePredicate<O>[],
    mapTombstone: (tombstone: DeletedFinalStateUnknown<O>) => readonly string[] = () => [],
  ): void {
    const keysOf = (object: O | DeletedFinalStateUnknown<O>) =>
      !isDeletedFinalStateUnknown(object)
        ? map(object)
        : object.obj === undefined
        ? mapTombstone(object)
        : map(object.obj);
    const enqueue = (...objects: (O | DeletedFinalStateUnknown<O>)[]) => {
      // One add per distinct key: an old and a new object usually map to the same key.
      const keys = new Set<string>();
      for (const object of objects) for (const key of keysOf(object)) keys.add(key);
      for (const key of keys) this.queue.add(key);
    };
    if (!this.#informers.includes(informer as unknown as SharedIndexInformer<KubeObject>)) {
      this.#informers.push(informer as unknown as SharedIndexInformer<KubeObject>);
    }
    this.#registrations.push(informer.addEventHandler({
      onAdd: (object) => enqueue(object),
      onUpdate: (oldObject, newObject) => {
        if (!predicates.every((passes) => passes(oldObject, newObject))) return;
        enqueue(oldObject, newObject);
      },
      onDelete: (object) => enqueue(object),
    }));
  }
}
