/**
 * Browser entry point of the runtime matrix: a module script of a page that
 * the driver serves. Settings come from the page's query string (`server`,
 * `token`); each line the scenario prints is also posted, in order, to
 * `/report` on the page's own origin, where the driver reads it. The API
 * server is on another origin, so it must answer CORS preflights.
 *
 * @module
 */

import { runScenario, type ScenarioOptions } from "./scenario.ts";

const params = new URL(location.href).searchParams;
let sent: Promise<unknown> = Promise.resolve();
const report = (line: string) => {
  console.log(line);
  sent = sent.then(() => fetch("/report", { method: "POST", body: line }));
};
const options: ScenarioOptions = {
  server: params.get("server") ?? "",
  runtime: navigator.userAgent,
  print: report,
};
const token = params.get("token");
if (token) options.token = token;
await runScenario(options);
await sent;
