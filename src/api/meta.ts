/**
 * Object and list metadata shared by every Kubernetes resource
 * (`k8s.io/apimachinery/pkg/apis/meta/v1`).
 *
 * Every field Kubernetes may omit is optional. Field names keep their wire
 * spelling.
 *
 * @module
 */

/** A reference from an object to the object that owns it. */
export interface OwnerReference {
  /** API version of the owner, such as `apps/v1`. */
  apiVersion: string;
  /** Kind of the owner, such as `ReplicaSet`. */
  kind: string;
  /** Name of the owner. */
  name: string;
  /** UID of the owner. */
  uid: string;
  /** True when the owner is the managing controller. */
  controller?: boolean;
  /** True when the owner cannot be deleted until this object is. */
  blockOwnerDeletion?: boolean;
}

/** One entry of `metadata.managedFields`, written by server-side apply. */
export interface ManagedFieldsEntry {
  /** Who manages these fields, such as `kubectl-client-side-apply`. */
  manager?: string;
  /** `Apply` or `Update`. */
  operation?: string;
  /** API version the field set is expressed in. */
  apiVersion?: string;
  /** When the entry was last written (RFC 3339). */
  time?: string;
  /** Always `FieldsV1` today. */
  fieldsType?: string;
  /** The managed field set; an opaque tree of `f:`/`k:`/`v:` keys. */
  fieldsV1?: Record<string, unknown>;
  /** Subresource the entry applies to, when not the main resource. */
  subresource?: string;
}

/** Metadata every persisted object carries. */
export interface ObjectMeta {
  /** Unique name within the namespace (or cluster, for cluster-scoped kinds). */
  name?: string;
  /** Prefix the server uses to generate a unique name when `name` is empty. */
  generateName?: string;
  /** Namespace of a namespaced object; absent for cluster-scoped ones. */
  namespace?: string;
  /** Deprecated; empty on current servers. */
  selfLink?: string;
  /** Server-assigned unique id. */
  uid?: string;
  /** Opaque version of this object, changed on every write. */
  resourceVersion?: string;
  /** Sequence number of the desired state; bumped when `spec` changes. */
  generation?: number;
  /** When the object was created (RFC 3339). */
  creationTimestamp?: string;
  /** When deletion was requested; set while finalizers remain. */
  deletionTimestamp?: string;
  /** Seconds allowed for graceful termination. */
  deletionGracePeriodSeconds?: number;
  /** Key/value labels used by selectors. */
  labels?: Record<string, string>;
  /** Arbitrary non-identifying key/value data. */
  annotations?: Record<string, string>;
  /** Objects this object depends on. */
  ownerReferences?: OwnerReference[];
  /** Names that must be removed before the object is deleted. */
  finalizers?: string[];
  /** Field ownership records written by the server. */
  managedFields?: ManagedFieldsEntry[];
}

/** Metadata of a list response. */
export interface ListMeta {
  /** Deprecated; empty on current servers. */
  selfLink?: string;
  /** The resourceVersion at which the list was built. */
  resourceVersion?: string;
  /** Token for the next page; present only when more items exist. */
  continue?: string;
  /** How many items remain after this page, when the server knows. */
  remainingItemCount?: number;
}

/** The fields every Kubernetes object has. */
export interface KubeObject {
  /** API version such as `v1` or `apps/v1`. */
  apiVersion?: string;
  /** Kind such as `Pod`. */
  kind?: string;
  /** Object metadata. */
  metadata?: ObjectMeta;
}

/** A page of objects as returned by a list request. */
export interface KubeList<T> {
  /** API version of the list, such as `v1`. */
  apiVersion?: string;
  /** Kind of the list, such as `PodList`. */
  kind?: string;
  /** List metadata: resourceVersion and continue token. */
  metadata: ListMeta;
  /** The objects. Items of built-in lists arrive without kind/apiVersion; kubesnap fills them in. */
  items: T[];
}

/** One requirement of a structured label selector. */
export interface LabelSelectorRequirement {
  /** The label key. */
  key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  /** Values for `In` and `NotIn`. */
  values?: string[];
}

/** A structured label selector, as found in `spec.selector` of workloads. */
export interface LabelSelector {
  /** Exact label matches, all required. */
  matchLabels?: Record<string, string>;
  /** Further requirements, all required. */
  matchExpressions?: LabelSelectorRequirement[];
}

/** The metadata-only form of an object (`meta.k8s.io/v1` `PartialObjectMetadata`). */
export interface PartialObjectMetadata extends KubeObject {
  /** Object metadata. */
  metadata: ObjectMeta;
}

/** One cause of a failed request, inside `Status.details.causes`. */
export interface StatusCause {
  /** Machine-readable cause type (serialised as `reason` on the wire). */
  reason?: string;
  /** Human-readable description. */
  message?: string;
  /** Path of the offending field, such as `metadata.name`. */
  field?: string;
}

/** Extra data of a `Status`. */
export interface StatusDetails {
  /** Name of the object the status is about. */
  name?: string;
  /** API group of that object. */
  group?: string;
  /** Resource (plural) or kind of that object. */
  kind?: string;
  /** UID of that object. */
  uid?: string;
  /** Individual causes. */
  causes?: StatusCause[];
  /** Seconds the client should wait before retrying. */
  retryAfterSeconds?: number;
}

/** The `metav1.Status` object returned by failed requests and ERROR watch events. */
export interface Status {
  /** Always `Status`. */
  kind?: "Status";
  /** Always `v1`. */
  apiVersion?: string;
  /** List metadata; carries a fresh `continue` token on an expired-continue 410. */
  metadata?: ListMeta;
  /** `Success` or `Failure`. */
  status?: "Success" | "Failure";
  /** Human-readable description. */
  message?: string;
  /** Machine-readable reason such as `NotFound` or `Expired`. */
  reason?: string;
  /** Extra data. */
  details?: StatusDetails;
  /** HTTP status code the status mirrors. */
  code?: number;
}
