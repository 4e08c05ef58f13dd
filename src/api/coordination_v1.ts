/**
 * Types of the `coordination.k8s.io/v1` API group: Lease. Every field
 * Kubernetes may omit is optional; field names keep their wire spelling.
 *
 * @module
 */

import type { KubeObject, ObjectMeta } from "./meta.ts";

/** The desired state of a Lease. */
export interface LeaseSpec {
  /** Identity of the current holder. */
  holderIdentity?: string;
  /** Seconds a holder's lease lasts after `renewTime`. */
  leaseDurationSeconds?: number;
  /** When the current holder acquired the lease (RFC 3339 with microseconds). */
  acquireTime?: string;
  /** When the current holder last renewed the lease (RFC 3339 with microseconds). */
  renewTime?: string;
  /** How many times the lease changed holders. */
  leaseTransitions?: number;
  /** Coordinated leader election strategy, such as `OldestEmulationVersion`. */
  strategy?: string;
  /** Holder a coordinated election would prefer next. */
  preferredHolder?: string;
}

/**
 * A Lease: a lightweight lock used for leader election and node heartbeats.
 *
 * @example Checking whether a lease has expired
 * ```ts
 * import type { Lease } from "./coordination_v1.ts";
 * const lease: Lease = {
 *   metadata: { name: "controller", namespace: "kube-system" },
 *   spec: {
 *     holderIdentity: "pod-a",
 *     leaseDurationSeconds: 15,
 *     renewTime: "2024-01-01T00:00:00.000000Z",
 *   },
 * };
 * const renewed = Date.parse(lease.spec?.renewTime ?? "");
 * const expired = Date.now() > renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
 * console.log(expired); // true
 * ```
 */
export interface Lease extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: LeaseSpec;
}
