/**
 * What a {@linkcode KubeClient} is built from: the server URL, credentials
 * and the `fetch` that carries TLS settings. Kept apart from the client so
 * that the configuration loaders (kubeconfig, in-cluster) produce these
 * options without importing the client that consumes them.
 *
 * @module
 */

import type { SleepFunction } from "../_internal/abortable_sleep.ts";
import type { CredentialProvider } from "./credentials.ts";

/** A `fetch`-compatible function; the global `fetch` qualifies. */
export type FetchFunction = (request: Request) => Promise<Response>;

/** Options of {@linkcode KubeClient}. */
export interface KubeClientOptions {
  /** Base URL of the API server, such as `https://10.0.0.1:6443`; may carry a path prefix. */
  server: string;
  /** A static bearer token. */
  token?: string | undefined;
  /** Supplies the `Authorization` header per request (token files, exec plugins, basic auth). */
  credentials?: CredentialProvider | undefined;
  /**
   * Further secret values to keep out of every error the client reports, such
   * as the PEM text of a client key. The token and each `Authorization` value
   * from `credentials` are always kept out.
   */
  secrets?: readonly string[] | undefined;
  /** The `fetch` to use; it carries TLS settings such as custom CAs. @default {globalThis.fetch} */
  fetch?: FetchFunction | undefined;
  /** Namespace used when an object to create names none. @default {"default"} */
  namespace?: string | undefined;
  /** Transparent retries of 429 and 5xx responses that carry `Retry-After`. @default {10} */
  maxRetries?: number | undefined;
  /** How to wait between retries; injectable for tests. */
  sleep?: SleepFunction | undefined;
  /** `User-Agent` header; runtimes that forbid setting it ignore it. @default {"kubesnap/0.1.0"} */
  userAgent?: string | undefined;
  /** Extra headers sent with every request. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Called once by {@linkcode KubeClient.close} to release what the client owns (such as a TLS HTTP client). */
  onClose?: (() => void) | undefined;
}
