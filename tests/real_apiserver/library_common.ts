/**
 * Helpers of the library suite: clients per user, a namespace per test, small objects, and
 * reading a watch until a condition holds.
 *
 * @module
 */

import type { ConfigMap, KubeClient, KubeObject, Pod, Status, WatchEvent } from "../../mod.ts";
import { fail } from "../_helpers/assert.ts";
import { clientFor, type ClusterUser, controlPlane, freshNamespace } from "./_cluster.ts";
import type { ControlPlaneInfo } from "./control_plane.ts";

/** The running control plane. */
export const info: ControlPlaneInfo = controlPlane();

/** Runs `fn` with a client for `user` and closes the client afterwards. */
export async function withClient<R>(
  user: ClusterUser,
  fn: (client: KubeClient) => Promise<R>,
): Promise<R> {
  const client = clientFor(info, user);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** A test with an admin client and a namespace of its own. */
export function clusterTest(
  name: string,
  fn: (client: KubeClient, namespace: string, t: Deno.TestContext) => Promise<void>,
): void {
  Deno.test(name, (t) =>
    withClient("admin", async (client) => {
      const namespace = await freshNamespace(client, "lib");
      await fn(client, namespace, t);
    }));
}

export function configMap(name: string, labels: Record<string, string> = {}): ConfigMap {
  return { metadata: { name, labels }, data: { name } };
}

export function pod(name: string, labels: Record<string, string> = {}): Pod {
  return {
    metadata: { name, labels },
    spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] },
  };
}

export function names(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => o.metadata?.name ?? "").sort();
}

export function isStatus(value: unknown): value is Status {
  return typeof value === "object" && value !== null && (value as Status).kind === "Status";
}

/** Reads events until `stop` says so, the stream ends, or `timeoutMs` passes (then fails). */
export async function collect<T extends KubeObject>(
  events: (signal: AbortSignal) => AsyncIterable<WatchEvent<T>>,
  stop: (event: WatchEvent<T>, all: WatchEvent<T>[]) => boolean,
  timeoutMs = 15_000,
): Promise<{ events: WatchEvent<T>[]; ended: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("timed out")), timeoutMs);
  const all: WatchEvent<T>[] = [];
  try {
    for await (const event of events(controller.signal)) {
      all.push(event);
      if (stop(event, all)) return { events: all, ended: false };
    }
    return { events: all, ended: true };
  } catch (err) {
    if (controller.signal.aborted) {
      fail(
        `no end of watch within ${timeoutMs} ms; got ${all.map((e) => e.type).join(", ")}`,
      );
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export function objectEvents<T extends KubeObject>(events: WatchEvent<T>[]): [string, string][] {
  return events.flatMap((e) =>
    e.type === "ADDED" || e.type === "MODIFIED" || e.type === "DELETED"
      ? [[e.type, e.object.metadata?.name ?? ""] as [string, string]]
      : []
  );
}
