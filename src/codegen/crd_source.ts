/**
 * Reads a CustomResourceDefinition from a live cluster.
 *
 * @module
 */

import type { CustomResourceDefinitionInput } from "./crd_types.ts";

/** What {@linkcode fetchCrd} needs of a client: `KubeClient` has it. */
export interface CrdClient {
  /** Sends a request and parses the JSON answer; rejects with `ApiError` on a failure status. */
  requestJson<R>(request: { method?: string; path: string; signal?: AbortSignal }): Promise<R>;
}

/** Options of {@linkcode fetchCrd}. */
export interface FetchCrdOptions {
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

/**
 * Gets a CustomResourceDefinition by name (`<plural>.<group>`) from the cluster a client talks
 * to.
 *
 * @param client The client (a `KubeClient`).
 * @param name The CRD's name, such as `certificates.cert-manager.io`.
 * @param options An abort signal.
 * @returns The definition.
 * @throws {ApiError} When the server refuses (404 when no such CRD exists).
 *
 * @example Generating from the cluster
 * ```ts ignore
 * import { KubeClient } from "@kubesnap/kubesnap";
 * import { fetchCrd, generateCrdModule } from "@kubesnap/kubesnap/codegen";
 * const client = await KubeClient.autoDetect();
 * console.log(generateCrdModule(await fetchCrd(client, "certificates.cert-manager.io")));
 * ```
 */
export async function fetchCrd(
  client: CrdClient,
  name: string,
  options?: FetchCrdOptions,
): Promise<CustomResourceDefinitionInput> {
  options ??= {};
  options.signal?.throwIfAborted();
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
    throw new TypeError(`fetchCrd: ${JSON.stringify(name)} is not a CRD name (plural.group)`);
  }
  return await client.requestJson<CustomResourceDefinitionInput>({
    method: "GET",
    path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}
