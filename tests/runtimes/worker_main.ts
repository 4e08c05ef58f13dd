/**
 * workerd entry point of the runtime matrix: a module worker whose `test`
 * handler runs the scenario (`workerd test config.capnp`; the driver writes
 * the config). Settings come from bindings: `KUBESNAP_SERVER` and
 * `KUBESNAP_TOKEN` (text), and optionally `KUBE`, a service binding to the
 * API server whose `fetch` the client then uses (in workerd an external
 * HTTPS service carries the certificate authority and the client
 * certificate; on Cloudflare an mTLS certificate binding plays that part).
 *
 * @module
 */

import { runScenario, type ScenarioOptions } from "./scenario.ts";

/** The bindings the worker reads. */
export interface WorkerEnv {
  /** Base URL of the API server. */
  KUBESNAP_SERVER: string;
  /** Bearer token. */
  KUBESNAP_TOKEN?: string;
  /** A service (or mTLS certificate) binding that reaches the API server. */
  KUBE?: { fetch(request: Request): Promise<Response> };
}

/** The worker: workerd calls `test` under `workerd test`. */
const worker: { test(controller: unknown, env: WorkerEnv): Promise<void> } = {
  async test(_controller, env) {
    const kube = env.KUBE;
    const options: ScenarioOptions = {
      server: env.KUBESNAP_SERVER,
      runtime: `workerd (${navigator.userAgent})${kube ? " via a service binding" : ""}`,
    };
    if (env.KUBESNAP_TOKEN) options.token = env.KUBESNAP_TOKEN;
    if (kube) options.fetch = (request) => kube.fetch(request);
    const result = await runScenario(options);
    if (!result.ok) throw new Error(`the scenario failed: ${result.error}`);
  },
};

// workerd finds a module worker's handlers on its default export.
export default worker;
