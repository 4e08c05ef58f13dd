/**
 * The informers article, live. Starts an embedded fake kube-apiserver with a
 * small busy cluster (or connects to a real one), runs a pods informer with
 * a `byIP` index plus ReplicaSets and Services informers from one factory,
 * prints `ADDED pod with name …` lines and, every second, a compact table;
 * every five seconds it looks pods up by key and by IP, including an IP that
 * several host-networked pods share.
 *
 * ```sh
 * deno task demo                              # embedded fake cluster, stops after 15 s
 * deno task demo --duration 0                 # until Ctrl-C
 * deno task demo --quiet                      # no per-event lines
 * deno task demo --kubeconfig ~/.kube/config [--context NAME]
 * deno task demo --in-cluster                 # in a pod, else $KUBECONFIG, else ~/.kube/config
 * ```
 *
 * `deno task demo` only allows network access to 127.0.0.1. Against a real
 * cluster Deno asks (in a terminal) to read the kubeconfig and to reach its
 * server; to skip the questions, run the script with the permissions given:
 * `deno run --allow-read --allow-env --allow-net=HOST:PORT examples/demo.ts --kubeconfig PATH`
 * (add `--allow-run` for kubeconfigs whose user runs an exec plugin).
 *
 * @module
 */

import {
  isDeletedFinalStateUnknown,
  KubeClient,
  parseKubeConfig,
  type Pod,
  pods,
  replicaSets,
  services,
  type SharedIndexInformer,
  SharedInformerFactory,
} from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";
import { FakeCluster, sleep } from "./_fake_cluster.ts";

const USAGE = `Usage: deno task demo [options]

  --fake               embedded fake cluster (the default)
  --kubeconfig PATH    a real cluster, from this kubeconfig file
  --context NAME       the kubeconfig context (default: its current-context)
  --in-cluster         a real cluster: in-cluster config, else $KUBECONFIG, else ~/.kube/config
  --duration SECONDS   stop after this long; 0 runs until Ctrl-C (default: 0; the task passes 15)
  --quiet              no "ADDED pod with name ..." lines, only the table and lookups
  --seed N             seed of the fake cluster's names and churn (default: 7)
  --churn-ms MS        milliseconds between two changes of the fake cluster (default: 250)
  --help               this text`;

/** The index name, as in the article. */
const BY_IP = "byIP";
const LOOKUP_EVERY_S = 5;
const HEADER_EVERY_ROWS = 20;

/** Parsed command line. */
interface DemoOptions {
  source:
    | { kind: "fake" }
    | { kind: "kubeconfig"; path: string; context: string | undefined }
    | { kind: "auto"; context: string | undefined };
  durationS: number;
  quiet: boolean;
  seed: number;
  churnMs: number;
  help: boolean;
}

function parseArgs(args: readonly string[]): DemoOptions {
  let fake = false;
  let inCluster = false;
  let kubeconfig: string | undefined;
  let context: string | undefined;
  const options: DemoOptions = {
    source: { kind: "fake" },
    durationS: 0,
    quiet: false,
    seed: 7,
    churnMs: 250,
    help: false,
  };
  const number = (flag: string, text: string, min: number): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < min) {
      throw new RangeError(`${flag} expects a number >= ${min}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") continue;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (flag !== arg) return arg.slice(eq + 1);
      const next = args[++i];
      if (next === undefined) throw new TypeError(`${flag} expects a value`);
      return next;
    };
    switch (flag) {
      case "--fake":
        fake = true;
        break;
      case "--in-cluster":
        inCluster = true;
        break;
      case "--kubeconfig":
        kubeconfig = value();
        break;
      case "--context":
        context = value();
        break;
      case "--duration":
        options.durationS = number(flag, value(), 0);
        break;
      case "--quiet":
        options.quiet = true;
        break;
      case "--seed":
        options.seed = number(flag, value(), 0);
        break;
      case "--churn-ms":
        options.churnMs = number(flag, value(), 10);
        break;
      case "--help":
      case "-h":
        options.help = true;
        break;
      default:
        throw new TypeError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if ([fake, inCluster, kubeconfig !== undefined].filter(Boolean).length > 1) {
    throw new TypeError("choose one of --fake, --kubeconfig and --in-cluster");
  }
  if (kubeconfig !== undefined) options.source = { kind: "kubeconfig", path: kubeconfig, context };
  else if (inCluster) options.source = { kind: "auto", context };
  else if (context !== undefined) {
    throw new TypeError("--context needs --kubeconfig or --in-cluster");
  }
  return options;
}

/** Asks for a permission up front (Deno prompts in a terminal); explains the flag when refused. */
async function requirePermission(
  descriptor: Deno.PermissionDescriptor,
  flag: string,
): Promise<void> {
  const status = await Deno.permissions.request(descriptor);
  if (status.state !== "granted") {
    throw new Error(`permission refused: run the demo with ${flag}`);
  }
}

/** Writes lines, remembering whether the last one was a table row. */
class Output {
  #rowsSinceHeader = Number.POSITIVE_INFINITY;

  line(text: string): void {
    console.log(text);
    this.#rowsSinceHeader = Number.POSITIVE_INFINITY;
  }

  row(header: string, row: string): void {
    if (this.#rowsSinceHeader >= HEADER_EVERY_ROWS) {
      console.log(header);
      this.#rowsSinceHeader = 0;
    }
    console.log(row);
    this.#rowsSinceHeader++;
  }
}

const COLUMNS: readonly [string, number][] = [
  ["time", 6],
  ["pods", 7],
  ["Running", 10],
  ["Pending", 10],
  ["Failed", 9],
  ["other", 8],
  ["replicasets", 14],
  ["services", 11],
  ["events/s", 11],
  ["cached", 9],
  ["pods rv", 10],
];
const HEADER = COLUMNS.map(([name, width]) => name.padStart(width)).join("");

function tableRow(values: readonly (string | number)[]): string {
  return values.map((v, i) => String(v).padStart(COLUMNS[i]?.[1] ?? 8)).join("");
}

function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function podList(found: readonly Pod[]): string {
  const names = found.map(podKey).sort();
  return plural(found.length, "pod") + (names.length > 0 ? `: ${names.join(", ")}` : "");
}

/**
 * The article's lookups: a pod by `namespace/name`, then by its IP (one
 * pod), then by an IP shared by host-networked pods (several pods).
 */
function lookups(
  informer: SharedIndexInformer<Pod>,
  previous: string | undefined,
): { lines: string[]; key: string | undefined } {
  const indexer = informer.indexer;
  const out: string[] = [];
  const usable = (pod: Pod | undefined): pod is Pod =>
    pod !== undefined && pod.spec?.hostNetwork !== true && pod.status?.phase === "Running" &&
    !!pod.status.podIP;
  let key = previous;
  if (!usable(key === undefined ? undefined : indexer.getByKey(key))) {
    key = indexer.listKeys().sort().find((k) => usable(indexer.getByKey(k)));
  }
  if (key === undefined) {
    out.push("lookup: no Running pod with a pod-network IP in the cache");
  } else {
    const pod = indexer.getByKey(key)!;
    const ip = pod.status!.podIP!;
    out.push(`lookup getByKey("${key}"): The Pod IP is ${ip}`);
    out.push(`lookup byIndex("${BY_IP}", "${ip}"): ${podList(indexer.byIndex(BY_IP, ip))}`);
  }
  let shared: { ip: string; pods: Pod[] } | undefined;
  let most = 1;
  for (const ip of indexer.listIndexFuncValues(BY_IP).sort()) {
    const count = indexer.indexKeys(BY_IP, ip).length; // keys only: cheap on big caches
    if (count > most) {
      most = count;
      shared = { ip, pods: indexer.byIndex(BY_IP, ip) };
    }
  }
  if (shared === undefined) {
    out.push("lookup: no IP is shared by several pods (no host-networked pods?)");
  } else {
    const hostNetwork = shared.pods.every((p) => p.spec?.hostNetwork === true);
    out.push(
      `lookup byIndex("${BY_IP}", "${shared.ip}")${hostNetwork ? " (host network)" : ""}: ${
        podList(shared.pods)
      }`,
    );
  }
  out.push(
    `lookup byIndex("${BY_IP}", "203.0.113.99"): ${
      podList(indexer.byIndex(BY_IP, "203.0.113.99"))
    }`,
  );
  return { lines: out, key };
}

async function main(args: readonly string[]): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseArgs(args);
  } catch (error) {
    console.error(`demo: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const out = new Output();
  const ac = new AbortController();
  const startedAt = performance.now();
  const elapsedS = () => (performance.now() - startedAt) / 1000;

  // Ctrl-C (and SIGTERM) stop the demo; a second Ctrl-C exits at once.
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const onSignal = () => {
    if (ac.signal.aborted) Deno.exit(130);
    ac.abort();
  };
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  const durationTimer = options.durationS > 0
    ? setTimeout(() => ac.abort(), options.durationS * 1000)
    : undefined;

  let server: FakeApiServer | undefined;
  let client: KubeClient | undefined;
  let churn: Promise<void> | undefined;
  let factory: SharedInformerFactory | undefined;
  try {
    // 1. The client: an embedded fake cluster, a kubeconfig, or auto-detection.
    let cluster: FakeCluster | undefined;
    switch (options.source.kind) {
      case "fake": {
        server = await FakeApiServer.start({ hostname: "127.0.0.1", port: 0 });
        cluster = new FakeCluster(server, { seed: options.seed });
        cluster.seed();
        client = server.client();
        out.line(`fake apiserver at ${server.url}: ${cluster.summary}`);
        out.line(`  (kubectl works too: kubectl --server ${server.url} get pods -A -w)`);
        break;
      }
      case "kubeconfig": {
        const { path, context } = options.source;
        await requirePermission({ name: "read", path }, `--allow-read=${path}`);
        const kubeConfig = parseKubeConfig(await Deno.readTextFile(path), { path });
        client = KubeClient.fromKubeConfig(kubeConfig, { context });
        const host = new URL(client.server).host;
        await requirePermission({ name: "net", host }, `--allow-net=${host}`);
        out.line(
          `cluster ${client.server} (kubeconfig ${path}${context ? `, context ${context}` : ""})`,
        );
        break;
      }
      case "auto": {
        client = await KubeClient.autoDetect({ context: options.source.context });
        out.line(`cluster ${client.server} (auto-detected)`);
        break;
      }
    }

    // 2. One factory; pods with the byIP index, plus ReplicaSets and Services.
    factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 });
    const podsInformer = factory.informerFor(pods);
    podsInformer.addIndexers({
      [BY_IP]: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip),
    });
    const replicaSetInformer = factory.informerFor(replicaSets);
    const servicesInformer = factory.informerFor(services);

    let events = 0;
    const print = (text: string) => {
      if (!options.quiet) out.line(text);
    };
    podsInformer.addEventHandler({
      onAdd(pod) {
        events++;
        print(`ADDED pod with name ${pod.metadata?.name}`);
      },
      onUpdate(oldPod, pod) {
        if (oldPod === pod) return; // a resync, not a change
        events++;
        print(`MODIFIED pod with name ${pod.metadata?.name}`);
      },
      onDelete(pod) {
        events++;
        const name = isDeletedFinalStateUnknown(pod)
          ? pod.obj?.metadata?.name ?? pod.key
          : pod.metadata?.name;
        print(`DELETED pod with name ${name}`);
      },
    });
    const count = {
      onAdd: () => void events++,
      onUpdate: (a: unknown, b: unknown) => void (a !== b && events++),
      onDelete: () => void events++,
    };
    replicaSetInformer.addEventHandler(count);
    servicesInformer.addEventHandler(count);

    // 3. Start everything, wait for complete caches.
    factory.start(ac.signal);
    if (server === undefined) out.line("waiting for the caches to sync...");
    const synced = await factory.waitForCacheSync(ac.signal);
    if (![...synced.values()].every(Boolean)) {
      out.line("stopped before the caches synced");
      return 0;
    }
    out.line(
      `synced in ${Math.round(elapsedS() * 1000)} ms: ${
        plural(podsInformer.indexer.size, "pod")
      }, ` +
        `${plural(replicaSetInformer.indexer.size, "replica set")}, ` +
        `${plural(servicesInformer.indexer.size, "service")}`,
    );
    if (server !== undefined && cluster !== undefined) {
      churn = cluster.churn(ac.signal, options.churnMs);
    }

    // 4. Every second a table row; every few seconds the article's lookups.
    let lookupKey: string | undefined;
    const runLookups = () => {
      const { lines, key } = lookups(podsInformer, lookupKey);
      lookupKey = key;
      for (const text of lines) out.line(text);
    };
    runLookups();
    let tick = 0;
    let lastEvents = events;
    let lastAt = performance.now();
    while (!ac.signal.aborted) {
      await sleep(1000 - ((performance.now() - startedAt) % 1000), ac.signal);
      if (ac.signal.aborted) break;
      tick++;
      const now = performance.now();
      const rate = (events - lastEvents) / ((now - lastAt) / 1000);
      lastEvents = events;
      lastAt = now;
      const phases = new Map<string, number>();
      for (const pod of podsInformer.indexer.list()) {
        const phase = pod.status?.phase ?? "Unknown";
        phases.set(phase, (phases.get(phase) ?? 0) + 1);
      }
      const total = podsInformer.indexer.size;
      const known = (phases.get("Running") ?? 0) + (phases.get("Pending") ?? 0) +
        (phases.get("Failed") ?? 0);
      out.row(
        HEADER,
        tableRow([
          `${Math.round(elapsedS())}s`,
          total,
          phases.get("Running") ?? 0,
          phases.get("Pending") ?? 0,
          phases.get("Failed") ?? 0,
          total - known,
          replicaSetInformer.indexer.size,
          servicesInformer.indexer.size,
          rate.toFixed(1),
          total + replicaSetInformer.indexer.size + servicesInformer.indexer.size,
          podsInformer.lastSyncResourceVersion(),
        ]),
      );
      if (tick % LOOKUP_EVERY_S === 0) runLookups();
    }
    runLookups();
    out.line(
      `stopping after ${elapsedS().toFixed(1)} s: ${plural(events, "event")}` +
        (cluster ? `, ${cluster.changes} changes made to the fake cluster` : ""),
    );
    return 0;
  } catch (error) {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    ac.abort();
    clearTimeout(durationTimer);
    await churn;
    await factory?.shutdown();
    client?.close();
    await server?.close();
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}

Deno.exitCode = await main(Deno.args);
