/**
 * The two targets of the differential suite: a {@linkcode FakeApiServer} listening on 127.0.0.1
 * and the real kube-apiserver of the running control plane. Both are reached the same way: raw
 * HTTP requests with the same headers, and a {@linkcode KubeClient} from the public API.
 *
 * @module
 */

import type { KubeClient } from "../../mod.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { clientFor, controlPlane, rawFetch } from "./_cluster.ts";

/** The user agent of raw requests; kube-apiserver names the field manager after it. */
export const DIFFERENTIAL_USER_AGENT = "kubesnap-differential/1.0";

/** One server the scenarios run against. */
export interface DifferentialTarget {
  /** `fake` or `real`. */
  readonly name: "fake" | "real";
  /** A raw request; `path` may carry a query. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A client of the public API. */
  readonly client: KubeClient;
  /** Stops what the target started. */
  close(): Promise<void>;
}

/** A fake apiserver over real HTTP. */
export async function fakeTarget(): Promise<DifferentialTarget> {
  const server = await FakeApiServer.start({ bookmarkIntervalMs: 0, namespaceController: false });
  const client = server.client();
  return {
    name: "fake",
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("user-agent", DIFFERENTIAL_USER_AGENT);
      return fetch(`${server.url}${path}`, { ...init, headers });
    },
    client,
    async close() {
      client.close();
      await server.close();
    },
  };
}

/** The real kube-apiserver of `$KUBESNAP_CONTROL_PLANE`, as its admin. */
export function realTarget(): DifferentialTarget {
  const info = controlPlane();
  const raw = rawFetch(info);
  const client = clientFor(info, "admin");
  return {
    name: "real",
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("user-agent", DIFFERENTIAL_USER_AGENT);
      return raw.fetch(path, { ...init, headers });
    },
    client,
    close() {
      client.close();
      raw.close();
      return Promise.resolve();
    },
  };
}
