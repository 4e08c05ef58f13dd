/**
 * Command-line fake kube-apiserver, so kubectl and other clients can point at
 * it:
 *
 * ```sh
 * deno task fake-apiserver --port 8080 [--hostname H] [--seed-pods N] [--token T]
 *   [--bookmark-interval-ms X] [--history N] [--no-streaming-lists] [--cors]
 *   [--no-namespace-controller] [--cert F --key F]
 * ```
 *
 * Prints the URL and the path of a ready-to-use kubeconfig (written to a
 * temporary file, removed on exit), then serves until SIGINT/SIGTERM.
 *
 * @module
 */

import { pods } from "../api/resources.ts";
import type { Pod } from "../api/core_v1.ts";
import { type CliProcess, cliProcess } from "../runtime/cli_process.ts";
import { FakeApiServer, type FakeApiServerOptions } from "./fake_api_server.ts";

/** Parsed command line. */
export interface CliOptions {
  /** Port (0 picks a free one). */
  port: number;
  /** Host to bind. */
  hostname: string;
  /** Pods to create in `default` before serving. */
  seedPods: number;
  /** Bearer token that clients must send. */
  token: string | undefined;
  /** Bookmark period. */
  bookmarkIntervalMs: number | undefined;
  /** History size. */
  history: number | undefined;
  /** Streaming lists on/off. */
  streamingLists: boolean;
  /** Answer CORS preflights and allow every origin. */
  cors: boolean;
  /** Emulate the namespace controller (off: deleted namespaces stay Terminating). */
  namespaceController: boolean;
  /** PEM certificate file. */
  cert: string | undefined;
  /** PEM key file. */
  key: string | undefined;
  /** Print the usage and exit. */
  help: boolean;
}

/** The usage line and what each flag does. */
export const USAGE = `usage: fake-apiserver [--port N] [--hostname H] [--seed-pods N] [--token T]
                      [--bookmark-interval-ms X] [--history N] [--no-streaming-lists]
                      [--cors] [--no-namespace-controller] [--cert FILE --key FILE]

A fake kube-apiserver for kubectl, tests and demos. Prints its URL and a kubeconfig,
then serves until Ctrl-C.

  --port N                   port to listen on (default 0: a free port)
  --hostname H               address to bind (default 127.0.0.1)
  --seed-pods N              create N pods in the default namespace first (default 0)
  --token T                  clients must send "Authorization: Bearer T" on every request
  --bookmark-interval-ms X   send watch bookmarks this often
  --history N                resourceVersions kept for watches (older ones get 410 Gone)
  --no-streaming-lists       refuse sendInitialEvents, like a server without WatchList
  --cors                     answer CORS preflights and allow every origin
  --no-namespace-controller  leave deleted namespaces Terminating
  --cert FILE --key FILE     serve HTTPS with this PEM certificate and key
  --help                     print this and exit`;

function integer(flag: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new TypeError(`${flag} needs a non-negative integer, got ${JSON.stringify(value ?? "")}`);
  }
  return Number(value);
}

/**
 * Parses the command line.
 *
 * @param args Arguments (without the program name).
 * @returns The options.
 * @throws {TypeError} on an unknown flag or a bad value.
 *
 * @example Parsing flags
 * ```ts
 * import { parseCliArgs } from "./fake_apiserver_cli.ts";
 * console.log(parseCliArgs(["--port", "8080", "--seed-pods=3"]).seedPods); // 3
 * ```
 */
export function parseCliArgs(args: readonly string[]): CliOptions {
  const options: CliOptions = {
    port: 0,
    hostname: "127.0.0.1",
    seedPods: 0,
    token: undefined,
    bookmarkIntervalMs: undefined,
    history: undefined,
    streamingLists: true,
    cors: false,
    namespaceController: true,
    cert: undefined,
    key: undefined,
    help: false,
  };
  for (let i = 0; i < args.length; i++) {
    let flag = args[i]!;
    let value: string | undefined;
    const eq = flag.indexOf("=");
    if (flag.startsWith("--") && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const next = (): string | undefined => value ?? args[++i];
    switch (flag) {
      case "--port":
        options.port = integer(flag, next());
        break;
      case "--hostname":
        options.hostname = next() ?? "";
        break;
      case "--seed-pods":
        options.seedPods = integer(flag, next());
        break;
      case "--token":
        options.token = next();
        break;
      case "--bookmark-interval-ms":
        options.bookmarkIntervalMs = integer(flag, next());
        break;
      case "--history":
        options.history = integer(flag, next());
        break;
      case "--cors":
        options.cors = true;
        break;
      case "--no-streaming-lists":
        options.streamingLists = false;
        break;
      case "--no-namespace-controller":
        options.namespaceController = false;
        break;
      case "--cert":
        options.cert = next();
        break;
      case "--key":
        options.key = next();
        break;
      case "--help":
      case "-h":
        options.help = true;
        break;
      default:
        throw new TypeError(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
    }
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new TypeError("--cert and --key must be given together");
  }
  return options;
}

/**
 * A kubeconfig (YAML) pointing at `url`, with a token when given and the
 * serving certificate as the trusted authority for HTTPS (kubectl sends
 * credentials only over TLS).
 *
 * @param url Server URL.
 * @param token Bearer token.
 * @param caPem PEM certificate to trust (the server's own, when self-signed).
 * @returns The kubeconfig text.
 *
 * @example Writing a kubeconfig
 * ```ts
 * import { kubeconfigFor } from "./fake_apiserver_cli.ts";
 * console.log(kubeconfigFor("http://127.0.0.1:8080", undefined).includes("server: http://127.0.0.1:8080")); // true
 * ```
 */
export function kubeconfigFor(url: string, token: string | undefined, caPem?: string): string {
  const tls = caPem === undefined ? "" : `\n    certificate-authority-data: ${base64(caPem)}`;
  return `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: ${url}${tls}
contexts:
- name: fake
  context:
    cluster: fake
    user: fake
    namespace: default
current-context: fake
preferences: {}
users:
- name: fake
  user:${token === undefined ? " {}" : `\n    token: ${JSON.stringify(token)}`}
`;
}

function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A realistic pod for seeding (labels, owner, two containers, status).
 *
 * @param index Sequence number; names are `pod-00000`, `pod-00001`, ….
 * @returns The pod.
 *
 * @example A seed pod
 * ```ts
 * import { seedPod } from "./fake_apiserver_cli.ts";
 * console.log(seedPod(7).metadata?.name); // "pod-00007"
 * ```
 */
export function seedPod(index: number): Pod {
  const name = `pod-${String(index).padStart(5, "0")}`;
  const node = `node-${index % 50}`;
  return {
    metadata: {
      name,
      namespace: "default",
      labels: { app: `app-${index % 10}`, tier: index % 2 === 0 ? "web" : "worker" },
      annotations: { "example.com/revision": String(index % 7) },
    },
    spec: {
      nodeName: node,
      containers: [
        {
          name: "main",
          image: "registry.example.com/app:1.0",
          ports: [{ containerPort: 8080, protocol: "TCP" }],
          env: [{ name: "POD_INDEX", value: String(index) }],
          resources: { requests: { cpu: "100m", memory: "128Mi" } },
        },
        { name: "sidecar", image: "registry.example.com/proxy:2.3" },
      ],
    },
    status: {
      phase: "Running",
      podIP: podIp(index),
      podIPs: [{ ip: podIp(index) }],
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

function podIp(index: number): string {
  return `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
}

/** A startup failure in words: what went wrong and what to do. */
function startupProblem(err: unknown, cli: CliOptions): string {
  const name = err instanceof Error ? err.name : "";
  const message = err instanceof Error ? err.message : String(err);
  if (name === "AddrInUse") {
    return `port ${cli.port} on ${cli.hostname} is already in use: choose another with --port ` +
      `(--port 0 picks a free one)`;
  }
  if (name === "PermissionDenied" || name === "NotCapable") {
    return `${message} (run it with deno task fake-apiserver, which grants what it needs)`;
  }
  if (name === "NotFound") return `${message}: check the paths given to --cert and --key`;
  return message;
}

async function main(host: CliProcess): Promise<void> {
  let cli: CliOptions;
  try {
    cli = parseCliArgs(host.args);
  } catch (err) {
    console.error(`fake-apiserver: ${err instanceof Error ? err.message : String(err)}`);
    host.exit(2);
  }
  if (cli.help) {
    console.log(USAGE);
    host.exit(0);
  }
  try {
    await serve(host, cli);
  } catch (err) {
    console.error(`fake-apiserver: ${startupProblem(err, cli)}`);
    host.exit(1);
  }
}

async function serve(host: CliProcess, cli: CliOptions): Promise<void> {
  const options: FakeApiServerOptions = {
    port: cli.port,
    hostname: cli.hostname,
    streamingLists: cli.streamingLists,
    cors: cli.cors,
    namespaceController: cli.namespaceController,
  };
  if (cli.token !== undefined) options.token = cli.token;
  if (cli.bookmarkIntervalMs !== undefined) options.bookmarkIntervalMs = cli.bookmarkIntervalMs;
  if (cli.history !== undefined) options.historySize = cli.history;
  let caPem: string | undefined;
  if (cli.cert !== undefined && cli.key !== undefined) {
    caPem = await host.readTextFile(cli.cert);
    options.tls = { cert: caPem, key: await host.readTextFile(cli.key) };
  }
  const server = await FakeApiServer.start(options);
  for (let i = 0; i < cli.seedPods; i++) server.create(pods, seedPod(i));
  const kubeconfig = await host.makeTempFile({ prefix: "fake-apiserver-", suffix: ".kubeconfig" });
  await host.writeTextFile(kubeconfig, kubeconfigFor(server.url, cli.token, caPem));
  console.log(`fake-apiserver listening on ${server.url}`);
  console.log(`kubeconfig: ${kubeconfig}`);
  console.log(`try: KUBECONFIG=${kubeconfig} kubectl get pods -A`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      host.removeSignalListener("SIGINT", stop);
      host.removeSignalListener("SIGTERM", stop);
      resolve();
    };
    host.addSignalListener("SIGINT", stop);
    host.addSignalListener("SIGTERM", stop);
  });
  await server.close();
  await host.remove(kubeconfig).catch(() => {});
  console.log("fake-apiserver stopped");
}

if (import.meta.main) {
  const host = cliProcess();
  if (host === undefined) throw new TypeError("fake_apiserver_cli needs the Deno runtime");
  await main(host);
}
