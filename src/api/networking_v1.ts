/**
 * Types of the `networking.k8s.io/v1` API group: Ingress. Every field
 * Kubernetes may omit is optional; field names keep their wire spelling.
 *
 * @module
 */

import type { KubeObject, ObjectMeta } from "./meta.ts";

/** A Service port an ingress backend points at, by name or by number. */
export interface ServiceBackendPort {
  /** Port name. */
  name?: string;
  /** Port number. */
  number?: number;
}

/** Where an ingress sends matching traffic: a Service or another resource. */
export interface IngressBackend {
  /** A Service in the ingress's namespace. */
  service?: { name: string; port?: ServiceBackendPort };
  /** Another object in the ingress's namespace, such as a storage bucket. */
  resource?: { apiGroup?: string; kind: string; name: string };
}

/** One path rule of an HTTP ingress rule. */
export interface HTTPIngressPath {
  /** Path to match, such as `/api`. */
  path?: string;
  /** `Exact`, `Prefix` or `ImplementationSpecific`. */
  pathType: string;
  /** Where to send matching requests. */
  backend: IngressBackend;
}

/** One host rule of an Ingress. */
export interface IngressRule {
  /** Host to match, such as `example.com` or `*.example.com`; absent matches every host. */
  host?: string;
  /** HTTP path rules. */
  http?: { paths: HTTPIngressPath[] };
}

/** TLS settings for some hosts of an Ingress. */
export interface IngressTLS {
  /** Hosts the certificate covers. */
  hosts?: string[];
  /** Secret holding the certificate and key. */
  secretName?: string;
}

/** The desired state of an Ingress. */
export interface IngressSpec {
  /** Name of the IngressClass that implements the ingress. */
  ingressClassName?: string;
  /** Backend for requests no rule matches. */
  defaultBackend?: IngressBackend;
  /** TLS settings. */
  tls?: IngressTLS[];
  /** Host and path rules. */
  rules?: IngressRule[];
}

/** One ingress point of an Ingress's load balancer. */
export interface IngressLoadBalancerIngress {
  /** IP address. */
  ip?: string;
  /** DNS name. */
  hostname?: string;
  /** Status of each port. */
  ports?: { port: number; protocol: string; error?: string }[];
}

/** The observed state of an Ingress. */
export interface IngressStatus {
  /** Load balancer status. */
  loadBalancer?: { ingress?: IngressLoadBalancerIngress[] };
}

/**
 * An Ingress: HTTP(S) routing from outside the cluster to Services.
 *
 * @example Listing the hosts of an ingress
 * ```ts
 * import type { Ingress } from "./networking_v1.ts";
 * const ing: Ingress = {
 *   metadata: { name: "web", namespace: "default" },
 *   spec: {
 *     rules: [{
 *       host: "example.com",
 *       http: {
 *         paths: [{
 *           path: "/",
 *           pathType: "Prefix",
 *           backend: { service: { name: "web", port: { number: 80 } } },
 *         }],
 *       },
 *     }],
 *   },
 * };
 * console.log((ing.spec?.rules ?? []).map((r) => r.host)); // ["example.com"]
 * ```
 */
export interface Ingress extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: IngressSpec;
  /** Observed state. */
  status?: IngressStatus;
}
