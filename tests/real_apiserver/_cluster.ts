/**
 * What the real-apiserver suites share: the running control plane (from the JSON file that
 * `run.ts` names in `KUBESNAP_CONTROL_PLANE`), clients built from kubeconfigs as users build
 * them, raw requests for checks beneath the library, and throwaway namespaces.
 *
 * @module
 */

import { KubeClient, parseKubeConfig } from "../../mod.ts";
import type { ControlPlaneInfo } from "./control_plane.ts";

/** The running control plane, or an error telling how to start one. */
export function controlPlane(): ControlPlaneInfo {
  const file = Deno.env.get("KUBESNAP_CONTROL_PLANE");
  if (!file) {
    throw new Error(
      "KUBESNAP_CONTROL_PLANE is not set: run the real-apiserver suites with `deno task test:apiserver`",
    );
  }
  return JSON.parse(Deno.readTextFileSync(file)) as ControlPlaneInfo;
}

/** Who a kubeconfig authenticates as. */
export type ClusterUser = "admin" | "viewer" | "cert-admin" | "bad-token" | "exec";

/** A kubeconfig for `user`, as a user would write it (CA and certificates by file path). */
export function kubeconfigFor(info: ControlPlaneInfo, user: ClusterUser): string {
  const userLines: Record<ClusterUser, string[]> = {
    "admin": [`    token: ${info.users.adminToken}`],
    "viewer": [`    token: ${info.users.viewerToken}`],
    "bad-token": ["    token: not-a-known-token"],
    "cert-admin": [
      `    client-certificate: ${info.adminCertFile}`,
      `    client-key: ${info.adminKeyFile}`,
    ],
    "exec": [
      "    exec:",
      "      apiVersion: client.authentication.k8s.io/v1",
      `      command: ${Deno.execPath()}`,
      "      args:",
      "      - run",
      "      - --allow-env",
      `      - ${new URL("./exec_plugin.ts", import.meta.url).pathname}`,
      "      env:",
      "      - name: KUBESNAP_EXEC_TOKEN",
      `        value: ${info.users.adminToken}`,
      "      interactiveMode: Never",
    ],
  };
  return kubeconfigText(
    info.server,
    [`    certificate-authority: ${info.caFile}`],
    userLines[user],
  );
}

/** Kubeconfig text with one cluster `real`, one user `u` and one context, as a user writes it. */
export function kubeconfigText(
  server: string,
  clusterLines: string[],
  userLines: string[],
): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: real",
    "  cluster:",
    `    server: ${server}`,
    ...clusterLines,
    "users:",
    "- name: u",
    "  user:",
    ...userLines,
    "contexts:",
    "- name: real",
    "  context:",
    "    cluster: real",
    "    user: u",
    "current-context: real",
    "",
  ].join("\n");
}

/** A client for `user`, built from a kubeconfig file through the public API. */
export function clientFor(info: ControlPlaneInfo, user: ClusterUser = "admin"): KubeClient {
  const config = parseKubeConfig(kubeconfigFor(info, user), { path: `${info.workDir}/x` });
  return KubeClient.fromKubeConfig(config);
}

/** A `fetch` that trusts the test CA, for raw requests beneath the library. */
export function rawFetch(info: ControlPlaneInfo): {
  fetch: (path: string, init?: RequestInit & { token?: string }) => Promise<Response>;
  close(): void;
} {
  const client = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(info.caFile)] });
  return {
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) {
        headers.set("authorization", `Bearer ${init.token ?? info.users.adminToken}`);
      }
      return fetch(`${info.server}${path}`, { ...init, headers, client });
    },
    close: () => client.close(),
  };
}

let namespaceCounter = 0;

/** Creates a namespace with a unique name (namespaces are never deleted: without a controller manager they would stay Terminating). */
export async function freshNamespace(client: KubeClient, prefix = "t"): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${(namespaceCounter++).toString(36)}`;
  const response = await client.request({
    method: "POST",
    path: "/api/v1/namespaces",
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
  });
  await response.body?.cancel();
  return name;
}
