/**
 * The informers article, live. Starts an embedded fake kube-apiserver with a
 * small busy cluster (or connects to a real one) and walks through the
 * article's workflow: create the client, the factory, `informerFor(pods)`
 * with a `byIP` index, ReplicaSets and Services informers from the same
 * factory, `factory.start`, `factory.waitForCacheSync`, then lookups by key
 * and by pod IP (an IP that several host-networked pods share returns them
 * all).
 *
 * In a terminal it draws one screen and redraws it in place, four times a
 * second: the workflow's steps, the caches (pods by phase, replica sets,
 * services), events per second, the lookups, each informer's health
 * (`factory.health()`) and the most recent events. When stdout is not a
 * terminal (a pipe, a file, CI) it prints plain lines instead: the steps,
 * every event as `ADDED pod with name …`, a status line a second, the
 * lookups every five seconds and the health at the end.
 *
 * ```sh
 * deno task demo                              # embedded fake cluster, stops after 15 s
 * deno task demo --duration 0                 # until Ctrl-C
 * deno task demo:cluster --kubeconfig ~/.kube/config [--context NAME]
 * deno task demo:cluster --in-cluster         # in a pod, else $KUBECONFIG, else ~/.kube/config
 * ```
 *
 * Flags (`--help` prints them too):
 *
 * - `--fake`: the embedded fake cluster (the default).
 * - `--kubeconfig PATH`: a real cluster, from this kubeconfig file;
 *   `--context NAME` picks a context other than its current-context.
 * - `--in-cluster`: a real cluster, found the way kubectl finds it.
 * - `--duration SECONDS`: stop after this long; 0 runs until Ctrl-C
 *   (default 0; `deno task demo` passes 15).
 * - `--sync-timeout SECONDS`: how long `waitForCacheSync` waits before the
 *   demo gives up with the informers' last errors and exit code 1 (default 30).
 * - `--quiet`: no per-event lines (plain lines), no recent-events area (screen).
 * - `--tty`: draw the live screen even when stdout is not a terminal (for
 *   captures and tests); `--no-tty` prints plain lines in a terminal.
 * - `--seed N`, `--churn-ms MS`: the fake cluster's randomness and pace.
 * - `--help`: the flags.
 *
 * Exit codes: 0 after a run, 1 when the client cannot be built or the
 * caches do not sync (the library's error is printed), 2 for a bad flag,
 * 130 when Ctrl-C stops it before the caches synced.
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
  CacheSyncTimeoutError,
  type InformerErrorEvent,
  isDeletedFinalStateUnknown,
  KubeClient,
  KubeConfigError,
  type KubeObject,
  parseKubeConfig,
  type Pod,
  pods,
  replicaSets,
  services,
  type SharedIndexInformer,
  SharedInformerFactory,
} from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";
import {
  type CacheCounts,
  cacheLine,
  type DemoView,
  healthLine,
  RECENT_EVENTS,
  renderScreen,
  ScreenWriter,
} from "./_demo_screen.ts";
import { FakeCluster, sleep } from "./_fake_cluster.ts";

const USAGE = `Usage: deno task demo [options]        (deno task demo:cluster for a real cluster)

  --fake                 embedded fake cluster (the default)
  --kubeconfig PATH      a real cluster, from this kubeconfig file
  --context NAME         the kubeconfig context (default: its current-context)
  --in-cluster           a real cluster: in-cluster config, else $KUBECONFIG, else ~/.kube/config
  --duration SECONDS     stop after this long; 0 runs until Ctrl-C (default: 0; the task passes 15)
  --sync-timeout SECONDS give up when the caches have not synced after this long (default: 30)
  --quiet                no "ADDED pod with name ..." lines, no recent-events area
  --tty                  draw the live screen even when stdout is not a terminal
  --no-tty               print plain lines even in a terminal
  --seed N               seed of the fake cluster's names and churn (default: 7)
  --churn-ms MS          milliseconds between two changes of the fake cluster (default: 250)
  --help                 this text

In a terminal the demo redraws one screen in place (workflow, caches, lookups by pod IP,
informer health, recent events); otherwise it prints plain lines.`;

/** The index name, as in the article. */
const BY_IP = "byIP";
const LOOKUP_EVERY_S = 5;
const FRAME_MS = 250;
const DEFAULT_SIZE = { columns: 120, rows: 50 };

/** Parsed command line. */
interface DemoOptions {
  source:
    | { kind: "fake" }
    | { kind: "kubeconfig"; path: string; context: string | undefined }
    | { kind: "auto"; context: string | undefined };
  durationS: number;
  syncTimeoutS: number;
  quiet: boolean;
  tty: boolean | undefined;
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
    syncTimeoutS: 30,
    quiet: false,
    tty: undefined,
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
      case "--sync-timeout":
        options.syncTimeoutS = number(flag, value(), 0.1);
        break;
      case "--quiet":
        options.quiet = true;
        break;
      case "--tty":
        options.tty = true;
        break;
      case "--no-tty":
        options.tty = false;
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

/** Reads a kubeconfig file; a missing file is a configuration error, said as such. */
async function readKubeConfig(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new KubeConfigError(
        `kubeconfig ${path} does not exist (check --kubeconfig, or use --in-cluster to find ` +
          "$KUBECONFIG or ~/.kube/config)",
      );
    }
    if (error instanceof Deno.errors.IsADirectory) {
      throw new KubeConfigError(`kubeconfig ${path} is a directory, not a file`);
    }
    throw error;
  }
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
 * pod), then by an IP shared by host-networked pods (several pods), then an
 * IP no pod has. With `next`, the looked-up pod moves on to the next one.
 */
function lookups(
  informer: SharedIndexInformer<Pod>,
  previous: string | undefined,
  next: boolean,
): { lines: string[]; key: string | undefined } {
  const indexer = informer.indexer;
  const out: string[] = [];
  const usable = (k: string | undefined): boolean => {
    const pod = k === undefined ? undefined : indexer.getByKey(k);
    return pod !== undefined && pod.spec?.hostNetwork !== true &&
      pod.status?.phase === "Running" && !!pod.status.podIP;
  };
  let key = previous;
  if (next || !usable(key)) {
    const keys = indexer.listKeys().filter(usable).sort();
    key = keys.find((k) => previous === undefined || k > previous) ?? keys[0];
  }
  if (key === undefined) {
    out.push("lookup: no Running pod with a pod-network IP in the cache");
  } else {
    const pod = indexer.getByKey(key)!;
    const ip = pod.status!.podIP!;
    out.push(`lookup getByKey("${key}"): The Pod IP is ${ip}`);
    out.push(`lookup byIndex("${BY_IP}", "${ip}"): ${podList(indexer.byIndex(BY_IP, ip))}`);
  }
  const sharedIPs: { ip: string; count: number }[] = [];
  for (const ip of indexer.listIndexFuncValues(BY_IP)) {
    const count = indexer.indexKeys(BY_IP, ip).length; // keys only: cheap on big caches
    if (count > 1) sharedIPs.push({ ip, count });
  }
  sharedIPs.sort((a, b) => b.count - a.count || (a.ip < b.ip ? -1 : 1));
  const shared = sharedIPs[0];
  if (shared === undefined) {
    out.push("lookup: no IP is shared by several pods (no host-networked pods?)");
  } else {
    const found = indexer.byIndex(BY_IP, shared.ip);
    const hostNetwork = found.every((p) => p.spec?.hostNetwork === true);
    out.push(
      `lookup byIndex("${BY_IP}", "${shared.ip}")${hostNetwork ? " (host network)" : ""}: ${
        podList(found)
      }`,
    );
    out.push(
      `shared IPs: ${sharedIPs.slice(0, 6).map((s) => `${s.ip} (${s.count} pods)`).join(", ")}`,
    );
  }
  out.push(
    `lookup byIndex("${BY_IP}", "203.0.113.99"): ${
      podList(indexer.byIndex(BY_IP, "203.0.113.99"))
    }`,
  );
  return { lines: out, key };
}

function countCaches(
  podsInformer: SharedIndexInformer<Pod>,
  others: {
    replicaSets: SharedIndexInformer<KubeObject>;
    services: SharedIndexInformer<KubeObject>;
  },
): CacheCounts {
  const podsByPhase = new Map<string, number>();
  for (const pod of podsInformer.indexer.list()) {
    const phase = pod.status?.phase ?? "Unknown";
    podsByPhase.set(phase, (podsByPhase.get(phase) ?? 0) + 1);
  }
  return {
    podsByPhase,
    pods: podsInformer.indexer.size,
    replicaSets: others.replicaSets.indexer.size,
    services: others.services.indexer.size,
    podsResourceVersion: podsInformer.lastSyncResourceVersion(),
  };
}

/** Sleeps until `performance.now()` reaches `at` (timers may fire a little early). */
async function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && performance.now() < at) {
    await sleep(Math.max(1, at - performance.now()), signal);
  }
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === "Error" ? error.message : `${error.name}: ${error.message}`;
}

function terminalSize(): { columns: number; rows: number } {
  try {
    return Deno.stdout.isTerminal() ? Deno.consoleSize() : DEFAULT_SIZE;
  } catch {
    return DEFAULT_SIZE;
  }
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
  const tty = options.tty ?? Deno.stdout.isTerminal();
  const ac = new AbortController();
  const startedAt = performance.now();
  const elapsedS = () => (performance.now() - startedAt) / 1000;
  let stoppedBy: "duration" | "signal" | undefined;

  // Ctrl-C (and SIGTERM) stop the demo; a second Ctrl-C exits at once.
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const screen = tty ? new ScreenWriter(Deno.stdout) : undefined;
  const onSignal = () => {
    if (ac.signal.aborted) {
      screen?.finish();
      Deno.exit(130);
    }
    stoppedBy ??= "signal";
    ac.abort();
  };
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  const durationTimer = options.durationS > 0
    ? setTimeout(() => {
      stoppedBy ??= "duration";
      ac.abort();
    }, options.durationS * 1000)
    : undefined;

  // What the screen shows; the plain-line output prints the same things as they happen.
  const syncTimeoutMs = Math.round(options.syncTimeoutS * 1000);
  const view: DemoView = {
    elapsedS: 0,
    durationS: options.durationS,
    cluster: "connecting...",
    steps: [
      "client = ...",
      "factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 })",
      "podsInformer = factory.informerFor(pods)",
      `podsInformer.addIndexers({ ${BY_IP}: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip) })`,
      "factory.informerFor(replicaSets); factory.informerFor(services)",
      "factory.start(signal)",
      `await factory.waitForCacheSync({ signal, timeoutMs: ${syncTimeoutMs} })`,
      `podsInformer.indexer.getByKey(key), .byIndex("${BY_IP}", ip)`,
    ].map((code, i) => ({ code, state: i === 0 ? "running" : "todo" })),
    caches: {
      podsByPhase: new Map(),
      pods: 0,
      replicaSets: 0,
      services: 0,
      podsResourceVersion: "",
    },
    eventsPerS: 0,
    events: 0,
    lookups: ["(after the caches have synced)"],
    health: [],
    recentEvents: [],
    quiet: options.quiet,
  };
  const steps = view.steps;
  const say = (text: string) => {
    if (!tty) console.log(text);
  };
  const step = (i: number, state: "running" | "done" | "failed", note?: string) => {
    steps[i] = { ...steps[i]!, state, note };
    if (state !== "running" || note !== undefined) {
      say(
        `step ${i + 1}: ${steps[i]!.code}${
          note ? `  ${state === "running" ? "..." : "->"} ${note}` : ""
        }`,
      );
    }
  };
  const recent: string[] = [];
  const remember = (text: string) => {
    recent.push(`${elapsedS().toFixed(1).padStart(6)}s  ${text}`);
    if (recent.length > RECENT_EVENTS) recent.shift();
    view.recentEvents = recent;
  };

  say(
    "kubesnap demo: the informers article, live (plain lines: stdout is not a terminal; " +
      "--tty draws the live screen)",
  );
  let refresh = () => {};
  const draw = () => {
    if (screen === undefined) return;
    refresh();
    view.elapsedS = elapsedS();
    screen.draw(renderScreen(view, terminalSize()));
  };
  const drawing = (async () => {
    if (screen === undefined) return;
    while (!ac.signal.aborted) {
      draw();
      // The next frame boundary; a slow frame skips boundaries instead of drawing in a burst.
      const frame = Math.floor((performance.now() - startedAt) / FRAME_MS) + 1;
      await sleepUntil(startedAt + frame * FRAME_MS, ac.signal);
    }
  })();

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
        view.cluster = `fake apiserver at ${server.url}: ${cluster.summary}`;
        steps[0] = { ...steps[0]!, code: "client = server.client()" };
        step(0, "done", view.cluster);
        say(`  (kubectl works too: kubectl --server ${server.url} get pods -A -w)`);
        break;
      }
      case "kubeconfig": {
        const { path, context } = options.source;
        steps[0] = {
          ...steps[0]!,
          code: `client = KubeClient.fromKubeConfig(parseKubeConfig(text)${
            context === undefined ? "" : `, { context: ${JSON.stringify(context)} }`
          })`,
        };
        await requirePermission({ name: "read", path }, `--allow-read=${path}`);
        const kubeConfig = parseKubeConfig(await readKubeConfig(path), { path });
        client = KubeClient.fromKubeConfig(kubeConfig, { context });
        const host = new URL(client.server).host;
        await requirePermission({ name: "net", host }, `--allow-net=${host}`);
        view.cluster = `${client.server} (kubeconfig ${path}${
          context ? `, context ${context}` : ""
        })`;
        step(0, "done", view.cluster);
        break;
      }
      case "auto": {
        steps[0] = { ...steps[0]!, code: "client = await KubeClient.autoDetect()" };
        client = await KubeClient.autoDetect({ context: options.source.context });
        view.cluster = `${client.server} (auto-detected)`;
        step(0, "done", view.cluster);
        break;
      }
    }

    // 2. One factory for every informer.
    factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 });
    step(1, "done");

    // 3-4. Pods, with the byIP index added before the factory starts.
    const podsInformer = factory.informerFor(pods);
    step(2, "done");
    podsInformer.addIndexers({
      [BY_IP]: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip),
    });
    step(3, "done");

    // 5. ReplicaSets and Services from the same factory.
    const replicaSetInformer = factory.informerFor(replicaSets);
    const servicesInformer = factory.informerFor(services);
    step(4, "done");

    const informers: [string, SharedIndexInformer<KubeObject>][] = [
      ["pod", podsInformer as SharedIndexInformer<KubeObject>],
      ["replicaset", replicaSetInformer],
      ["service", servicesInformer],
    ];
    let events = 0;
    for (const [kind, informer] of informers) {
      const seen = (type: string, name: string | undefined) => {
        events++;
        const text = `${type} ${kind} with name ${name}`;
        remember(text);
        if (!options.quiet) say(text);
      };
      informer.addEventHandler({
        onAdd: (obj) => seen("ADDED", obj.metadata?.name),
        onUpdate(oldObj, obj) {
          if (oldObj !== obj) seen("MODIFIED", obj.metadata?.name); // same object: a resync
        },
        onDelete: (obj) =>
          seen(
            "DELETED",
            isDeletedFinalStateUnknown(obj)
              ? obj.obj?.metadata?.name ?? obj.key
              : obj.metadata?.name,
          ),
      });
      // The informer keeps going after an error (it relists or rewatches with backoff); show it.
      informer.setErrorHandler((event: InformerErrorEvent) => {
        const text = `ERROR ${informer}: ${errorText(event.error)} (${event.recovery}` +
          `${event.delayMs > 0 ? ` in ${event.delayMs} ms` : ""})`;
        remember(text);
        if (!tty) console.error(`demo: ${text}`);
      });
    }
    const others = { replicaSets: replicaSetInformer, services: servicesInformer };
    refresh = () => {
      view.caches = countCaches(podsInformer, others);
      view.health = factory?.health() ?? [];
      view.events = events;
    };

    // 6. Start everything in the background.
    factory.start(ac.signal);
    step(5, "done");

    // 7. Wait for complete caches, at most --sync-timeout (throws CacheSyncTimeoutError).
    step(6, "running", `waiting for complete lists, at most ${options.syncTimeoutS} s`);
    const syncStartedAt = performance.now();
    let synced: Map<unknown, boolean>;
    try {
      synced = await factory.waitForCacheSync({ signal: ac.signal, timeoutMs: syncTimeoutMs });
    } catch (error) {
      step(6, "failed", error instanceof Error ? error.name : "failed");
      throw error;
    }
    if (![...synced.values()].every(Boolean)) {
      const errors = factory.health().filter((h) => h.lastError !== undefined)
        .map((h) => `${h.resource}: ${h.lastError!.name}: ${h.lastError!.message}`);
      const why = stoppedBy === "duration"
        ? `the caches did not sync within --duration ${options.durationS} s`
        : "stopped before the caches synced";
      step(6, "failed", why);
      throw Object.assign(
        new Error(`${why}${errors.length > 0 ? ` (last errors: ${errors.join("; ")})` : ""}`),
        { exitCode: stoppedBy === "signal" ? 130 : 1 },
      );
    }
    refresh();
    step(6, "done", `synced in ${Math.round(performance.now() - syncStartedAt)} ms`);
    say(
      `  in memory: ${plural(podsInformer.indexer.size, "pod")}, ` +
        `${plural(replicaSetInformer.indexer.size, "replica set")}, ` +
        `${plural(servicesInformer.indexer.size, "service")}`,
    );
    if (server !== undefined && cluster !== undefined) {
      churn = cluster.churn(ac.signal, options.churnMs);
    }

    // 8. The article's lookups, again every few seconds; a status line every second.
    let lookupKey: string | undefined;
    const runLookups = (next: boolean) => {
      const { lines, key } = lookups(podsInformer, lookupKey, next);
      lookupKey = key;
      view.lookups = lines;
      for (const text of lines) say(text);
    };
    step(7, "done", `every ${LOOKUP_EVERY_S} s`);
    runLookups(false);
    const tickedFrom = performance.now();
    let lastEvents = events;
    let lastAt = tickedFrom;
    for (let second = 1; !ac.signal.aborted; second++) {
      // Whole seconds from the sync; after a stall the missed seconds are skipped, not replayed.
      second = Math.max(second, Math.floor((performance.now() - tickedFrom) / 1000) + 1);
      await sleepUntil(tickedFrom + second * 1000, ac.signal);
      if (ac.signal.aborted) break;
      const now = performance.now();
      view.eventsPerS = (events - lastEvents) / ((now - lastAt) / 1000);
      lastEvents = events;
      lastAt = now;
      if (!tty) {
        refresh();
        say(
          `[${Math.round(elapsedS())}s] ${cacheLine(view.caches)}, ` +
            `events/s ${view.eventsPerS.toFixed(1)}, pods rv ${view.caches.podsResourceVersion}`,
        );
      }
      if (second % LOOKUP_EVERY_S === 0) runLookups(true);
    }
    runLookups(false);
    refresh();
    draw();
    for (const h of view.health) say(healthLine(h));
    screen?.finish();
    console.log(
      `stopping after ${elapsedS().toFixed(1)} s: ${plural(events, "event")}` +
        (cluster ? `, ${cluster.changes} changes made to the fake cluster` : ""),
    );
    return 0;
  } catch (error) {
    draw();
    screen?.finish();
    console.error(`demo: ${errorText(error)}`);
    if (error instanceof CacheSyncTimeoutError) {
      console.error(
        "demo: is the cluster reachable with these credentials? --sync-timeout SECONDS waits longer",
      );
    }
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    return typeof exitCode === "number" ? exitCode : 1;
  } finally {
    ac.abort();
    clearTimeout(durationTimer);
    await drawing;
    await churn;
    await factory?.shutdown();
    client?.close();
    await server?.close();
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}

Deno.exitCode = await main(Deno.args);
