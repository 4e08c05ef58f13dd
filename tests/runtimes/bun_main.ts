/**
 * Bun entry point of the runtime matrix.
 *
 * ```sh
 * bun bun_main.mjs <server-url>
 * ```
 *
 * Environment: `KUBESNAP_TOKEN` (bearer token); `KUBESNAP_CA`,
 * `KUBESNAP_CLIENT_CERT` and `KUBESNAP_CLIENT_KEY` (PEM text), which, when
 * set, go into Bun's `tls` option of `fetch` through a wrapper passed to the
 * client as its `fetch`.
 *
 * @module
 */

import type { FetchFunction } from "../../mod.ts";
import { runScenario, type ScenarioOptions } from "./scenario.ts";

/** The parts of the `Bun` global used here. */
interface BunGlobal {
  version: string;
  argv: string[];
  env: Record<string, string | undefined>;
}

/** Bun's TLS settings of `fetch` (the `tls` member of its init). */
export interface BunTlsOptions {
  /** PEM certificate authorities to trust (instead of the bundled ones). */
  ca?: string | undefined;
  /** PEM client certificate. */
  cert?: string | undefined;
  /** PEM client key. */
  key?: string | undefined;
}

/**
 * A `fetch` for `KubeClient` on Bun that adds Bun's `tls` option to every
 * request.
 *
 * @param tls Certificate authority, client certificate and key.
 * @returns The fetch.
 */
export function bunTlsFetch(tls: BunTlsOptions): FetchFunction {
  const init = { tls } as RequestInit;
  return (request) => fetch(request, init);
}

const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
const server = bun.argv[2];
if (server === undefined) throw new TypeError("usage: bun bun_main.mjs <server-url>");
const env = bun.env;
const options: ScenarioOptions = { server, runtime: `bun ${bun.version}` };
if (env.KUBESNAP_TOKEN) options.token = env.KUBESNAP_TOKEN;
if (env.KUBESNAP_CA || env.KUBESNAP_CLIENT_CERT) {
  options.fetch = bunTlsFetch({
    ca: env.KUBESNAP_CA,
    cert: env.KUBESNAP_CLIENT_CERT,
    key: env.KUBESNAP_CLIENT_KEY,
  });
}
const result = await runScenario(options);
(globalThis as unknown as { process: { exitCode?: number } }).process.exitCode = result.ok ? 0 : 1;
