/**
 * Deno entry point of the runtime matrix, run from the bundle like the
 * other runtimes: `deno run --allow-net=127.0.0.1 deno_main.mjs <server-url>`,
 * with `KUBESNAP_TOKEN` read when `--allow-env` grants it.
 *
 * @module
 */

import { runScenario, type ScenarioOptions } from "./scenario.ts";

const server = Deno.args[0];
if (server === undefined) throw new TypeError("usage: deno run deno_main.mjs <server-url>");
const options: ScenarioOptions = { server, runtime: `deno ${Deno.version.deno}` };
const token = Deno.permissions.querySync({ name: "env", variable: "KUBESNAP_TOKEN" }).state ===
    "granted"
  ? Deno.env.get("KUBESNAP_TOKEN")
  : undefined;
if (token) options.token = token;
const result = await runScenario(options);
if (!result.ok) Deno.exitCode = 1;
