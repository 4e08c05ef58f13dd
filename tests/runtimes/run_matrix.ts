/**
 * The runtime matrix: bundles the library with `deno bundle` into
 * `.cache/runtimes/bundle/`, then runs the shared scenario (`scenario.ts`) on
 * Deno, Node, Bun and workerd, each as a child process, and in headless
 * Chromium, against a fake apiserver that this script serves on 127.0.0.1,
 * and checks every step the scenario prints, the exit code, and that the
 * process exits within a few seconds of its result.
 *
 * ```sh
 * deno run --allow-read --allow-write=.cache --allow-net=127.0.0.1 --allow-run \
 *   tests/runtimes/run_matrix.ts [--verbose] [deno|node|bun|workerd|chromium…]
 * ```
 *
 * Runtimes are found in `.cache/runtimes/node_modules/.bin/` (where
 * `.ci/runtimes.sh` installs `bun` and `workerd` from npm), then on `PATH`
 * (Chromium: `chromium`, from Debian).
 * A runtime that is missing is skipped with its reason, except Node, whose
 * absence fails the run. Arguments restrict the run to the named runtimes;
 * `--verbose` echoes what each runtime prints.
 *
 * TLS cases put a small Node HTTPS front in front of the fake apiserver that
 * requires a client certificate signed by the test CA (`Deno.serve`, and so
 * the fake apiserver, cannot ask for one), and report which client
 * certificates it saw.
 *
 * @module
 */

import { type Pod, pods } from "../../mod.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { EXPECTED_NOTIFICATIONS, SCENARIO_POD, SEED_POD } from "./scenario.ts";
import { bundleRuntimeEntries } from "./bundle.ts";

const ROOT = new URL("../../", import.meta.url);
const CACHE = new URL(".cache/runtimes/", ROOT);
const OUT = new URL("bundle/", CACHE);
const TLS_DIR = new URL("tests/_fixtures/tls/", ROOT);
const TOKEN = "kubesnap-matrix-token";
const CASE_TIMEOUT_MS = 30_000;
const EXIT_GRACE_MS = 5_000;
const STEPS = ["listed", "watched", "synced", "added", "updated", "deleted", "result"];
const VERBOSE = Deno.args.includes("--verbose");
const ENTRIES = ["deno_main", "node_main", "bun_main", "worker_main", "browser_main"] as const;

const pem = (name: string) => Deno.readTextFileSync(new URL(name, TLS_DIR));
const path = (url: URL) => decodeURIComponent(url.pathname);

// ---- runtimes --------------------------------------------------------------------------------

type RuntimeName = "deno" | "node" | "bun" | "workerd" | "chromium";

interface Runtime {
  name: RuntimeName;
  /** The executable, or undefined when it is missing. */
  bin: string | undefined;
  version: string;
  /** Why the runtime cannot run, when `bin` is undefined. */
  missing?: string;
}

async function versionOf(bin: string): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(bin, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    })
      .output();
    if (!out.success) return undefined;
    return new TextDecoder().decode(out.stdout).trim().split("\n")[0]!;
  } catch {
    return undefined;
  }
}

/** What each runtime's `--version` prints (Deno answers for a missing `node` by itself). */
const VERSION_PATTERNS: Record<Exclude<RuntimeName, "deno">, RegExp> = {
  node: /^v(2\d|[3-9]\d)\.\d+\.\d+$/,
  bun: /^\d+\.\d+\.\d+/,
  workerd: /^workerd \d{4}-\d{2}-\d{2}/,
  chromium: /^Chromium \d+/,
};

async function findRuntime(name: RuntimeName): Promise<Runtime> {
  if (name === "deno") {
    return { name, bin: Deno.execPath(), version: `deno ${Deno.version.deno}` };
  }
  const local = path(new URL(`node_modules/.bin/${name}`, CACHE));
  const rejected: string[] = [];
  for (const bin of [local, name]) {
    const version = await versionOf(bin);
    if (version === undefined) continue;
    if (!VERSION_PATTERNS[name].test(version)) {
      rejected.push(`${bin} --version printed ${JSON.stringify(version)}`);
      continue;
    }
    const label = version.toLowerCase().startsWith(name) ? version : `${name} ${version}`;
    return { name, bin, version: label };
  }
  const where = name === "chromium"
    ? "chromium is not on PATH (Debian: apt-get install chromium)"
    : name === "node"
    ? "node 20 or later is not on PATH"
    : `${name} is not installed (looked in .cache/runtimes/node_modules/.bin and on PATH)`;
  return {
    name,
    bin: undefined,
    version: "-",
    missing: rejected.length > 0 ? `${where}; ${rejected.join("; ")}` : where,
  };
}

// ---- bundling --------------------------------------------------------------------------------

async function build(): Promise<{ bytes: number; ms: number }> {
  return await bundleRuntimeEntries(OUT, ENTRIES);
}

// ---- the HTTPS front that requires client certificates ---------------------------------------

const FRONT = `
const https = require("https");
const http = require("http");
const fs = require("fs");
const [dir, backend] = process.argv.slice(1);
const target = new URL(backend);
const clients = new Set();
let requests = 0;
const server = https.createServer({
  key: fs.readFileSync(dir + "/server.key"),
  cert: fs.readFileSync(dir + "/server.crt"),
  ca: fs.readFileSync(dir + "/ca.crt"),
  requestCert: true,
  rejectUnauthorized: true,
}, (req, res) => {
  requests++;
  const peer = req.socket.getPeerCertificate();
  clients.add(peer && peer.subject ? peer.subject.CN : "?");
  const up = http.request({
    host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers,
  }, (upRes) => {
    res.writeHead(upRes.statusCode, upRes.headers);
    upRes.pipe(res);
  });
  up.on("error", () => res.destroy());
  res.on("close", () => up.destroy());
  req.pipe(up);
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => {
  console.log(JSON.stringify({ requests, clients: [...clients] }));
  process.exit(0);
});
process.stdin.resume();
`;

interface Front {
  url: string;
  /** Stops the front; resolves with what it saw. */
  stop(): Promise<{ requests: number; clients: string[] }>;
}

async function startFront(node: string, backend: string): Promise<Front> {
  const child = new Deno.Command(node, {
    args: ["-e", FRONT, path(TLS_DIR).replace(/\/$/, ""), backend],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const out = lines(child.stdout);
  const first = await out.next();
  if (first.done) throw new Error("the HTTPS front exited before printing its port");
  return {
    url: `https://127.0.0.1:${Number(first.value)}`,
    async stop() {
      await child.stdin.close();
      const report = await out.next();
      await out.return(undefined);
      await child.status;
      return report.done ? { requests: -1, clients: [] } : JSON.parse(report.value);
    },
  };
}

// ---- cases -----------------------------------------------------------------------------------

interface Launch {
  args: string[];
  env?: Record<string, string>;
  /** Files to write into the bundle folder first (a workerd config). */
  files?: Record<string, string>;
}

interface Case {
  runtime: RuntimeName;
  /** What the case shows. */
  name: string;
  /**
   * Where the client connects: plain HTTP, HTTPS (server certificate only), the mTLS front, or
   * plain HTTP with CORS headers (for a page on another origin).
   */
  transport: "http" | "https" | "mtls" | "cors";
  /**
   * Expected failure instead of a full run: the step it stops at, the error, and what the
   * runtime's own log must say (workerd tells the worker only "internal error").
   */
  fails?: { step: string; error: RegExp; log?: RegExp };
  /** Client certificate CNs the mTLS front must have seen. */
  clients?: string[];
  launch(url: string, runtime: Runtime): Launch;
}

const CLIENT_PEMS = (): Record<string, string> => ({
  KUBESNAP_CA: pem("ca.crt"),
  KUBESNAP_CLIENT_CERT: pem("client.crt"),
  KUBESNAP_CLIENT_KEY: pem("client.key"),
});

/** A Cap'n Proto text literal (JSON's escapes are a subset of Cap'n Proto's). */
const capnp = (text: string) => JSON.stringify(text);

/** A workerd config; with `trust`, the API server is reached through an external HTTPS service. */
function workerdConfig(url: string, trust?: "ca.crt" | "other-ca.crt"): string {
  const bindings = [
    `(name = "KUBESNAP_SERVER", text = ${capnp(url)})`,
    `(name = "KUBESNAP_TOKEN", text = ${capnp(TOKEN)})`,
  ];
  const services = [
    `(name = "main", worker = .worker)`,
    // Outbound fetch may reach loopback addresses (workerd allows only public ones by default).
    `(name = "internet", network = (allow = ["local"]))`,
  ];
  if (trust !== undefined) {
    const address = new URL(url).host;
    bindings.push(`(name = "KUBE", service = "kube")`);
    services.push(
      `(name = "kube", external = (address = ${capnp(address)}, https = (` +
        `tlsOptions = (trustedCertificates = [${capnp(pem(trust))}], ` +
        `keypair = (privateKey = ${capnp(pem("client.key"))}, certificateChain = ${
          capnp(pem("client.crt"))
        })), ` +
        `certificateHost = "localhost")))`,
    );
  }
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    ${services.join(",\n    ")},
  ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker_main.js", esModule = embed "worker_main.js"),
    (name = "kubesnap.bundle.js", esModule = embed "kubesnap.bundle.js"),
  ],
  compatibilityDate = "2025-09-01",
  bindings = [
    ${bindings.join(",\n    ")},
  ],
);
`;
}

const CERTIFICATE_ERROR =
  /^TransportError: .*(self[- ]signed|unable to (get|verify)|UNABLE_TO|certificate)/is;

const CASES: Case[] = [
  {
    runtime: "deno",
    name: "http, global fetch (the bundle on Deno)",
    transport: "http",
    launch: (url) => ({
      args: ["run", "--allow-net=127.0.0.1", "--allow-env=KUBESNAP_TOKEN", "deno_main.js", url],
      env: { KUBESNAP_TOKEN: TOKEN },
    }),
  },
  {
    runtime: "node",
    name: "http, global fetch",
    transport: "http",
    launch: (url) => ({ args: ["node_main.js", url], env: { KUBESNAP_TOKEN: TOKEN } }),
  },
  {
    runtime: "node",
    name: "https, global fetch + NODE_EXTRA_CA_CERTS",
    transport: "https",
    launch: (url) => ({
      args: ["node_main.js", url],
      env: { KUBESNAP_TOKEN: TOKEN, NODE_EXTRA_CA_CERTS: path(new URL("ca.crt", TLS_DIR)) },
    }),
  },
  {
    runtime: "node",
    name: "https + client certificate, node:https fetch",
    transport: "mtls",
    clients: ["kubesnap-test-client"],
    launch: (url) => ({
      args: ["node_main.js", url],
      env: { KUBESNAP_TOKEN: TOKEN, KUBESNAP_FETCH: "node-https", ...CLIENT_PEMS() },
    }),
  },
  {
    runtime: "node",
    name: "https, global fetch without the CA (must fail)",
    transport: "https",
    fails: { step: "list", error: CERTIFICATE_ERROR },
    launch: (url) => ({ args: ["node_main.js", url], env: { KUBESNAP_TOKEN: TOKEN } }),
  },
  {
    runtime: "node",
    name: "https, node:https fetch without a client certificate (must fail)",
    transport: "mtls",
    fails: {
      step: "list",
      error: /^TransportError: .*(certificate|handshake|socket hang up|ECONNRESET)/is,
    },
    clients: [],
    launch: (url) => ({
      args: ["node_main.js", url],
      env: { KUBESNAP_TOKEN: TOKEN, KUBESNAP_FETCH: "node-https", KUBESNAP_CA: pem("ca.crt") },
    }),
  },
  {
    runtime: "bun",
    name: "http, global fetch",
    transport: "http",
    launch: (url) => ({ args: ["bun_main.js", url], env: { KUBESNAP_TOKEN: TOKEN } }),
  },
  {
    runtime: "bun",
    name: "https + client certificate, fetch with Bun's tls option",
    transport: "mtls",
    clients: ["kubesnap-test-client"],
    launch: (url) => ({
      args: ["bun_main.js", url],
      env: { KUBESNAP_TOKEN: TOKEN, ...CLIENT_PEMS() },
    }),
  },
  {
    runtime: "workerd",
    name: "http, global fetch, text bindings",
    transport: "http",
    launch: (url) => ({
      args: ["test", "workerd-http.capnp"],
      files: { "workerd-http.capnp": workerdConfig(url) },
    }),
  },
  {
    runtime: "workerd",
    name: "https + client certificate, service binding to an external HTTPS service",
    transport: "mtls",
    clients: ["kubesnap-test-client"],
    launch: (url) => ({
      args: ["test", "workerd-mtls.capnp"],
      files: { "workerd-mtls.capnp": workerdConfig(url, "ca.crt") },
    }),
  },
  {
    runtime: "workerd",
    name: "https, external HTTPS service trusting another CA (must fail)",
    transport: "mtls",
    fails: {
      step: "list",
      error: /^TransportError: GET \/api\/v1\/pods failed: internal error; reference = /,
      log: /TLS handshake failed: invalid peer certificate: UnknownIssuer/,
    },
    clients: [],
    launch: (url) => ({
      args: ["test", "workerd-wrong-ca.capnp"],
      files: { "workerd-wrong-ca.capnp": workerdConfig(url, "other-ca.crt") },
    }),
  },
  {
    runtime: "chromium",
    name: "http + CORS, a page on another origin, global fetch",
    transport: "cors",
    launch: () => ({ args: [] }),
  },
];

// ---- running one case ------------------------------------------------------------------------

interface Outcome {
  case: Case;
  runtime: Runtime;
  status: "pass" | "fail" | "skip";
  reason?: string;
  ms: number;
  exitMs?: number;
  scenarioMs?: number;
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
    }
  }
  if (buffer !== "") yield buffer;
}

function scenarioPod(ip: string): Pod {
  return {
    metadata: {
      namespace: SCENARIO_POD.namespace,
      name: SCENARIO_POD.name,
      labels: { app: "web" },
    },
    spec: { containers: [{ name: "app", image: "nginx" }] },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
  };
}

/** A child process, or a browser page, whose scenario lines the driver reads. */
interface Subject {
  /** The scenario's lines. */
  lines: AsyncIterable<string>;
  /** Called after the result line; a browser is closed here, a process must exit by itself. */
  afterResult(): void;
  kill(): void;
  /** The exit code, or undefined when the driver closed the subject itself. */
  status: Promise<number | undefined>;
  cleanup(): Promise<void>;
}

function spawnProcess(
  bin: string,
  launch: Launch,
  output: (line: string) => void,
): Subject {
  const child = new Deno.Command(bin, {
    args: launch.args,
    cwd: path(OUT),
    env: { NO_COLOR: "1", ...launch.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = (async () => {
    for await (const line of lines(child.stderr)) output(`stderr: ${line}`);
  })();
  return {
    lines: lines(child.stdout),
    afterResult() {},
    kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    },
    status: child.status.then((s) => s.code),
    cleanup: () => stderr,
  };
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>kubesnap runtime matrix</title>
<script>
  addEventListener("error", (e) => fetch("/report", { method: "POST",
    body: JSON.stringify({ kubesnap: "page-error", error: String(e.message) }) }));
</script>
<script type="module" src="./browser_main.js"></script>
`;

/**
 * Serves the page, the bundles and `/report` on one origin, and opens the
 * page in headless Chromium. Chromium may talk only to 127.0.0.1: every
 * host name fails to resolve and its background services are off.
 */
async function openBrowser(
  bin: string,
  apiUrl: string,
  output: (line: string) => void,
): Promise<Subject> {
  const reports = new TransformStream<string, string>();
  const writer = reports.writable.getWriter();
  const site = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (request) => {
    const { pathname } = new URL(request.url);
    if (request.method === "POST" && pathname === "/report") {
      await writer.write(await request.text()).catch(() => {});
      return new Response(null, { status: 204 });
    }
    if (pathname === "/") return new Response(PAGE, { headers: { "content-type": "text/html" } });
    if (/^\/[a-z_.]+\.js$/.test(pathname)) {
      return new Response(await Deno.readFile(new URL(pathname.slice(1), OUT)), {
        headers: { "content-type": "text/javascript" },
      });
    }
    return new Response("not found", { status: 404 });
  });
  const profile = await Deno.makeTempDir({ dir: path(CACHE), prefix: "chromium-profile-" });
  const page = new URL(`http://127.0.0.1:${site.addr.port}/`);
  page.searchParams.set("server", apiUrl);
  page.searchParams.set("token", TOKEN);
  const child = new Deno.Command(bin, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-domain-reliability",
      "--disable-sync",
      "--disable-extensions",
      "--no-pings",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
      `--user-data-dir=${profile}`,
      page.href,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const drain = Promise.all([child.stdout, child.stderr].map(async (stream) => {
    for await (const line of lines(stream)) if (VERBOSE) output(`chromium: ${line}`);
  }));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    writer.close().catch(() => {});
  };
  return {
    lines: lines(reports.readable.pipeThrough(
      new TransformStream<string, Uint8Array>({
        transform: (line, controller) => controller.enqueue(new TextEncoder().encode(`${line}\n`)),
      }),
    )),
    afterResult: close,
    kill: close,
    status: child.status.then(() => undefined),
    async cleanup() {
      close();
      await child.status;
      await drain;
      await site.shutdown();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

async function runCase(c: Case, runtime: Runtime, node: Runtime): Promise<Outcome> {
  const started = performance.now();
  const outcome = (status: Outcome["status"], reason?: string, extra: Partial<Outcome> = {}) => {
    const o: Outcome = { case: c, runtime, status, ms: performance.now() - started, ...extra };
    if (reason !== undefined) o.reason = reason;
    return o;
  };
  if (runtime.bin === undefined) return outcome("skip", runtime.missing);
  if (c.transport === "mtls" && node.bin === undefined) {
    return outcome("skip", "the HTTPS front needs node");
  }

  await using server = await FakeApiServer.start(
    c.transport === "https"
      ? { token: TOKEN, tls: { cert: pem("server.crt"), key: pem("server.key") } }
      : { token: TOKEN, cors: c.transport === "cors" },
  );
  server.create(pods, {
    metadata: { namespace: SEED_POD.namespace, name: SEED_POD.name },
    spec: { containers: [{ name: "app", image: "nginx" }] },
    status: { phase: "Running", podIP: SEED_POD.ip, podIPs: [{ ip: SEED_POD.ip }] },
  });
  // The front terminates TLS (requiring a client certificate) and forwards to the plain server.
  const front = c.transport === "mtls" ? await startFront(node.bin!, server.url) : undefined;
  const url = front?.url ?? server.url;
  const problems: string[] = [];
  let frontSaw: { requests: number; clients: string[] } | undefined;
  let result: Record<string, unknown> | undefined;
  let exitMs: number | undefined;
  const steps: string[] = [];
  const output: string[] = [];
  const record = (line: string) => {
    output.push(line);
    if (VERBOSE) console.log(`      | ${line}`);
  };
  try {
    let subject: Subject;
    if (c.runtime === "chromium") {
      subject = await openBrowser(runtime.bin, url, record);
    } else {
      const launch = c.launch(url, runtime);
      for (const [name, text] of Object.entries(launch.files ?? {})) {
        await Deno.writeTextFile(new URL(name, OUT), text);
      }
      subject = spawnProcess(runtime.bin, launch, record);
    }
    const kill = (why: string) => {
      problems.push(why);
      subject.kill();
    };
    const caseTimer = setTimeout(
      () => kill(`no result and exit within ${CASE_TIMEOUT_MS / 1000} s`),
      CASE_TIMEOUT_MS,
    );
    let exitTimer: ReturnType<typeof setTimeout> | undefined;
    let resultAt = 0;
    try {
      for await (const line of subject.lines) {
        record(line);
        if (!line.startsWith('{"kubesnap":')) continue;
        const message = JSON.parse(line) as Record<string, unknown>;
        const step = String(message.kubesnap);
        steps.push(step);
        try {
          if (step === "synced") server.create(pods, scenarioPod(SCENARIO_POD.ip));
          if (step === "added") server.update(pods, scenarioPod(SCENARIO_POD.newIp));
          if (step === "updated") server.delete(pods, SCENARIO_POD.namespace, SCENARIO_POD.name);
        } catch (err) {
          problems.push(`the driver could not change the pod after ${step}: ${err}`);
        }
        if (step === "result") {
          result = message;
          resultAt = performance.now();
          exitTimer = setTimeout(
            () => kill(`still running ${EXIT_GRACE_MS / 1000} s after its result`),
            EXIT_GRACE_MS,
          );
          subject.afterResult();
        }
      }
      const code = await subject.status;
      if (resultAt > 0) exitMs = performance.now() - resultAt;
      const expectedCode = c.fails ? 1 : 0;
      if (code !== undefined && code !== expectedCode && problems.length === 0) {
        problems.push(`exit code ${code}, expected ${expectedCode}`);
      }
    } finally {
      clearTimeout(caseTimer);
      clearTimeout(exitTimer);
      await subject.cleanup();
    }
  } finally {
    if (front) frontSaw = await front.stop();
  }

  if (result === undefined) {
    problems.push("no result line");
  } else if (c.fails) {
    if (result.ok !== false) problems.push("the scenario passed but should have failed");
    if (result.step !== c.fails.step) {
      problems.push(`stopped at ${result.step}, expected ${c.fails.step}`);
    }
    if (!c.fails.error.test(String(result.error))) {
      problems.push(`unexpected error: ${result.error}`);
    }
    const log = c.fails.log;
    if (log && !output.some((line) => log.test(line))) {
      problems.push(`the runtime's output does not match ${log}`);
    }
  } else {
    if (result.ok !== true) problems.push(`failed at ${result.step}: ${result.error}`);
    if (steps.join() !== STEPS.join()) problems.push(`steps ${steps.join()}`);
    const seen = JSON.stringify(result.notifications);
    if (seen !== JSON.stringify(EXPECTED_NOTIFICATIONS)) problems.push(`notifications ${seen}`);
  }
  if (c.clients !== undefined) {
    const saw = JSON.stringify(frontSaw?.clients);
    if (saw !== JSON.stringify(c.clients)) {
      problems.push(
        `the HTTPS front saw client certificates ${saw}, expected ${JSON.stringify(c.clients)}`,
      );
    }
  }
  const extra: Partial<Outcome> = {};
  if (exitMs !== undefined) extra.exitMs = exitMs;
  if (typeof result?.ms === "number") extra.scenarioMs = result.ms;
  if (problems.length > 0) {
    const tail = output.slice(-15).map((l) => `      | ${l.slice(0, 400)}`).join("\n");
    return outcome("fail", `${problems.join("; ")}\n${tail}`, extra);
  }
  const detail = c.fails ? `failed as expected: ${String(result?.error).slice(0, 160)}` : undefined;
  return outcome("pass", detail, extra);
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const only = new Set(Deno.args.filter((arg) => !arg.startsWith("--")));
  const names: RuntimeName[] = ["deno", "node", "bun", "workerd", "chromium"];
  const runtimes = new Map<RuntimeName, Runtime>();
  for (const name of names) runtimes.set(name, await findRuntime(name));
  const node = runtimes.get("node")!;
  for (const r of runtimes.values()) {
    console.log(
      `runtime ${r.name}: ${r.bin ? `${r.version} (${r.bin})` : `missing: ${r.missing}`}`,
    );
  }
  const built = await build();
  console.log(
    `bundle: ${path(new URL("kubesnap.bundle.js", OUT))}, ${built.bytes} bytes, ${
      Math.round(built.ms)
    } ms`,
  );

  const started = performance.now();
  const outcomes: Outcome[] = [];
  for (const c of CASES) {
    if (only.size > 0 && !only.has(c.runtime)) continue;
    const runtime = runtimes.get(c.runtime)!;
    const outcome = await runCase(c, runtime, node).catch((err): Outcome => ({
      case: c,
      runtime,
      status: "fail",
      reason: `the driver failed: ${err instanceof Error ? err.stack ?? err.message : err}`,
      ms: 0,
    }));
    outcomes.push(outcome);
    const timing = outcome.status === "skip" ? "" : ` ${(outcome.ms / 1000).toFixed(2)} s` +
      (outcome.exitMs !== undefined ? `, exit ${Math.round(outcome.exitMs)} ms after result` : "");
    console.log(
      `${outcome.status.toUpperCase().padEnd(4)} ${c.runtime.padEnd(8)} ${c.name}${timing}` +
        (outcome.reason ? `\n      ${outcome.reason}` : ""),
    );
  }

  console.log("\nsummary per runtime:");
  for (const r of runtimes.values()) {
    const mine = outcomes.filter((o) => o.runtime.name === r.name);
    if (mine.length === 0) continue;
    const count = (s: Outcome["status"]) => mine.filter((o) => o.status === s).length;
    const state = count("fail") > 0 ? "FAIL" : count("pass") > 0 ? "PASS" : "SKIP";
    const why = state === "SKIP" ? ` (${mine[0]!.reason})` : "";
    console.log(
      `  ${r.name.padEnd(8)} ${state} ${r.version}: ${count("pass")} passed, ${
        count("fail")
      } failed, ${count("skip")} skipped${why}`,
    );
  }
  const passed = outcomes.filter((o) => o.status === "pass").length;
  const failed = outcomes.filter((o) => o.status === "fail").length;
  const skipped = outcomes.filter((o) => o.status === "skip").length;
  const nodeSkipped = (only.size === 0 || only.has("node")) && node.bin === undefined;
  if (nodeSkipped) console.log("node is required: the matrix fails without it");
  console.log(`matrix time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(
    `runtimes: ${passed} passed, ${failed + (nodeSkipped ? 1 : 0)} failed, ${skipped} skipped`,
  );
  return failed > 0 || nodeSkipped ? 1 : 0;
}

Deno.exit(await main());
