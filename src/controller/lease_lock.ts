/**
 * {@linkcode LeaseLock}: the leader election record kept in a
 * `coordination.k8s.io/v1` Lease, written with optimistic concurrency on
 * the Lease's resourceVersion (client-go's `resourcelock.LeaseLock`).
 *
 * @module
 */

import { ApiError } from "../api/errors.ts";
import type { Lease } from "../api/coordination_v1.ts";
import { leases } from "../api/resources.ts";
import type { KubeClient } from "../client/kube_client.ts";
import type { ResourceClient } from "../client/resource_client.ts";

/** Who holds a lock, for how long, since when (the fields of a Lease's spec). */
export interface LeaderElectionRecord {
  /** The holder; `""` when released. */
  readonly holderIdentity: string;
  /** Seconds the holder may go without renewing. */
  readonly leaseDurationSeconds: number;
  /** When the holder acquired the lock (MicroTime). */
  readonly acquireTime: string;
  /** When the holder last renewed it (MicroTime). */
  readonly renewTime: string;
  /** How many times the lock changed holders. */
  readonly leaseTransitions: number;
}

/** Options of the lock's requests. */
export interface LockRequestOptions {
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

/**
 * Where a leader election record lives. `update` must fail when the record
 * changed since the last `get`, `create` or `update`.
 */
export interface ResourceLock {
  /** A description for messages, such as `leases/kube-system/my-controller`. */
  readonly description: string;
  /** Reads the record; `undefined` when the lock does not exist yet. */
  get(options?: LockRequestOptions): Promise<LeaderElectionRecord | undefined>;
  /** Creates the lock holding `record`; fails when it exists. */
  create(record: LeaderElectionRecord, options?: LockRequestOptions): Promise<void>;
  /** Replaces the record; fails when it changed since it was last read or written. */
  update(record: LeaderElectionRecord, options?: LockRequestOptions): Promise<void>;
}

/**
 * Formats milliseconds since the epoch as a Kubernetes MicroTime
 * (`2006-01-02T15:04:05.000000Z`).
 *
 * @param ms Milliseconds since the epoch.
 * @returns The MicroTime string.
 *
 * @example A renewTime
 * ```ts
 * import { formatMicroTime } from "@kubesnap/kubesnap";
 * console.log(formatMicroTime(Date.UTC(2024, 0, 2, 3, 4, 5, 678))); // "2024-01-02T03:04:05.678000Z"
 * ```
 */
export function formatMicroTime(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().replace(/Z$/, "000Z");
}

/**
 * A leader election lock on a Lease.
 *
 * @example Reading the holder of a lease
 * ```ts
 * import { LeaseLock } from "@kubesnap/kubesnap";
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 * const server = new FakeApiServer();
 * const lock = new LeaseLock(server.client(), "default", "my-controller");
 * console.log(await lock.get()); // undefined
 * await lock.create({
 *   holderIdentity: "pod-a",
 *   leaseDurationSeconds: 15,
 *   acquireTime: "2024-01-01T00:00:00.000000Z",
 *   renewTime: "2024-01-01T00:00:00.000000Z",
 *   leaseTransitions: 0,
 * });
 * console.log((await lock.get())?.holderIdentity); // "pod-a"
 * await server.close();
 * ```
 */
export class LeaseLock implements ResourceLock {
  /** The Lease's namespace. */
  readonly namespace: string;
  /** The Lease's name. */
  readonly name: string;
  readonly #leases: ResourceClient<Lease>;
  /** The Lease as last read or written: its resourceVersion guards the next update. */
  #lease: Lease | undefined;

  /**
   * Creates the lock (nothing is requested yet).
   *
   * @param client The client.
   * @param namespace The Lease's namespace.
   * @param name The Lease's name.
   * @throws {TypeError} When the namespace or name is empty.
   */
  constructor(client: KubeClient, namespace: string, name: string) {
    if (!namespace || !name) throw new TypeError("a LeaseLock needs a namespace and a name");
    this.namespace = namespace;
    this.name = name;
    this.#leases = client.resource(leases, namespace);
  }

  /** {@inheritDoc ResourceLock.description} */
  get description(): string {
    return `leases/${this.namespace}/${this.name}`;
  }

  /** {@inheritDoc ResourceLock.get} */
  async get(options?: LockRequestOptions): Promise<LeaderElectionRecord | undefined> {
    options ??= {};
    try {
      this.#lease = await this.#leases.get(this.name, { signal: options.signal });
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) {
        this.#lease = undefined;
        return undefined;
      }
      throw err;
    }
    return recordOf(this.#lease);
  }

  /** {@inheritDoc ResourceLock.create} */
  async create(record: LeaderElectionRecord, options?: LockRequestOptions): Promise<void> {
    options ??= {};
    this.#lease = await this.#leases.create(
      { metadata: { name: this.name, namespace: this.namespace }, spec: { ...record } },
      { signal: options.signal },
    );
  }

  /** {@inheritDoc ResourceLock.update} */
  async update(record: LeaderElectionRecord, options?: LockRequestOptions): Promise<void> {
    options ??= {};
    const lease = this.#lease;
    if (lease === undefined) {
      throw new TypeError(`${this.description}: update before the lease was read or created`);
    }
    this.#lease = await this.#leases.replace(
      { ...lease, spec: { ...lease.spec, ...record } },
      { signal: options.signal },
    );
  }
}

function recordOf(lease: Lease): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ?? "",
    renewTime: spec.renewTime ?? "",
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}
