/**
 * The runtime-matrix scenario: one informer workflow, written against the
 * public API only (`mod.ts`), bundled with the library left
 * external and run unchanged on Deno, Node, Bun, workerd and a browser.
 * Each runtime's entry point (`*_main.ts` beside this file) only reads its
 * settings the way that runtime offers them and calls {@linkcode runScenario}.
 *
 * The scenario talks to the driver (`run_matrix.ts`) through JSON lines on
 * standard output, each `{"kubesnap": "<step>", …}`. The driver changes the
 * fake apiserver when it reads a step:
 *
 * | step      | the scenario has                                      | the driver then          |
 * | --------- | ----------------------------------------------------- | ------------------------ |
 * | `listed`  | listed pods (the seed pod)                            |                          |
 * | `watched` | seen the seed pod's ADDED on a watch, and stopped it  |                          |
 * | `synced`  | synced an informer with a `byIP` index                | creates the scenario pod |
 * | `added`   | seen `onAdd` and the pod in the index under its IP    | changes the pod's IP     |
 * | `updated` | seen `onUpdate` and the index follow the new IP       | deletes the pod          |
 * | `deleted` | seen `onDelete` and the pod gone from the index       |                          |
 * | `result`  | aborted and shut the informers down                   | checks the exit          |
 *
 * @module
 */

import {
  type FetchFunction,
  isDeletedFinalStateUnknown,
  KubeClient,
  type KubeClientOptions,
  type Pod,
  pods,
  SharedInformerFactory,
} from "../../mod.ts";

/** The pod that exists before the scenario starts (created by the driver). */
export const SEED_POD: { readonly namespace: string; readonly name: string; readonly ip: string } =
  { namespace: "default", name: "seed-0", ip: "10.0.0.5" };

/** The pod the driver creates, re-addresses and deletes while the informer runs. */
export const SCENARIO_POD: {
  readonly namespace: string;
  readonly name: string;
  readonly ip: string;
  readonly newIp: string;
} = { namespace: "default", name: "web-1", ip: "10.0.0.7", newIp: "10.0.0.8" };

/** Every handler notification the scenario expects, in order. */
export const EXPECTED_NOTIFICATIONS: readonly string[] = [
  `add ${SEED_POD.name} initial`,
  `add ${SCENARIO_POD.name}`,
  `update ${SCENARIO_POD.name} ${SCENARIO_POD.ip}->${SCENARIO_POD.newIp}`,
  `delete ${SCENARIO_POD.name}`,
];

/**
 * The notification a real apiserver adds after `add web-1`: it stores a new
 * pod without its status, which the driver then writes.
 */
export const STATUS_UPDATE_NOTIFICATION = `update ${SCENARIO_POD.name} ->${SCENARIO_POD.ip}`;

/** The notification a real apiserver adds before `delete web-1`: the pod marked for deletion. */
export const DELETION_MARK_NOTIFICATION =
  `update ${SCENARIO_POD.name} ${SCENARIO_POD.newIp}->${SCENARIO_POD.newIp}`;

/** Settings of {@linkcode runScenario}. */
export interface ScenarioOptions {
  /** Base URL of the fake apiserver. */
  server: string;
  /** Runtime name and version, echoed in the result. */
  runtime: string;
  /** Bearer token, when the server requires one. */
  token?: string | undefined;
  /** The `fetch` to give the client (one that carries TLS settings). @default {globalThis.fetch} */
  fetch?: FetchFunction | undefined;
  /** Where step lines go. @default {console.log} */
  print?: ((line: string) => void) | undefined;
  /** Time the whole scenario may take. @default {20000} */
  timeoutMs?: number | undefined;
}

/** The last line the scenario prints. */
export interface ScenarioResult {
  /** Always `result`. */
  kubesnap: "result";
  /** Whether every step passed. */
  ok: boolean;
  /** From {@linkcode ScenarioOptions.runtime}. */
  runtime: string;
  /** The last step reached. */
  step: string;
  /** The handler notifications seen, as in {@linkcode EXPECTED_NOTIFICATIONS}. */
  notifications: string[];
  /** Informer errors reported on the way (each `Name: message`). */
  informerErrors: string[];
  /** Why the scenario failed (`Name: message`, with the causes). */
  error?: string;
  /** Milliseconds from start to shutdown. */
  ms: number;
}

type Notification =
  | { type: "add"; pod: Pod; initial: boolean }
  | { type: "update"; oldPod: Pod; pod: Pod }
  | { type: "delete"; pod: Pod | undefined; tombstone: boolean };

/** Handler notifications, handed out one at a time in arrival order. */
class Notifications {
  #queue: Notification[] = [];
  #wake: (() => void) | undefined;
  readonly seen: string[] = [];

  push(notification: Notification): void {
    this.#queue.push(notification);
    this.seen.push(describeNotification(notification));
    this.#wake?.();
  }

  async next(signal: AbortSignal): Promise<Notification> {
    while (this.#queue.length === 0) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener("abort", done);
          this.#wake = undefined;
          resolve();
        };
        this.#wake = done;
        signal.addEventListener("abort", done, { once: true });
      });
    }
    return this.#queue.shift()!;
  }
}

function ipOf(pod: Pod | undefined): string {
  return (pod?.status?.podIPs ?? []).map((p) => p.ip).join(",");
}

function describeNotification(n: Notification): string {
  const name = n.pod?.metadata?.name ?? "?";
  switch (n.type) {
    case "add":
      return `add ${name}${n.initial ? " initial" : ""}`;
    case "update":
      return `update ${name} ${ipOf(n.oldPod)}->${ipOf(n.pod)}`;
    case "delete":
      return `delete ${name}${n.tombstone ? " tombstone" : ""}`;
  }
}

/** `Name: message <- Name: message` along the cause chain. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e !== undefined && depth < 5; depth++) {
    if (e instanceof Error) {
      parts.push(`${e.name}: ${e.message}`);
      e = e.cause;
    } else {
      parts.push(String(e));
      break;
    }
  }
  return parts.join(" <- ");
}

function expect(condition: boolean, what: string, actual: unknown): void {
  if (!condition) throw new Error(`${what}; got ${JSON.stringify(actual)}`);
}

/**
 * Runs the scenario: list, watch, informer with a `byIP` index, add, update
 * and delete seen through the handlers and the index, then abort.
 *
 * @param options Server, credentials, fetch and output.
 * @returns The result, also printed as the last line.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const emit = (step: string, data: Record<string, unknown> = {}) =>
    print(JSON.stringify({ kubesnap: step, ...data }));
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 20_000;
  let step = "start";
  const ac = new AbortController();
  const timer = setTimeout(
    () => ac.abort(new Error(`the scenario timed out after ${timeoutMs} ms (step ${step})`)),
    timeoutMs,
  );
  const clientOptions: KubeClientOptions = { server: options.server };
  if (options.token !== undefined) clientOptions.token = options.token;
  if (options.fetch !== undefined) clientOptions.fetch = options.fetch;
  const client = new KubeClient(clientOptions);
  const factory = new SharedInformerFactory(client);
  const notifications = new Notifications();
  const informerErrors: string[] = [];
  let error: string | undefined;
  try {
    step = "list";
    const list = await client.resource(pods).list({ signal: ac.signal });
    const listed = list.items.map((p) => p.metadata?.name);
    expect(listed.join() === SEED_POD.name, `the list holds ${SEED_POD.name}`, listed);
    emit("listed", { names: listed, resourceVersion: list.metadata.resourceVersion });

    step = "watch";
    const watchAc = new AbortController();
    const stopWatch = () => watchAc.abort(ac.signal.reason);
    ac.signal.addEventListener("abort", stopWatch, { once: true });
    let first: { type: string; name: string | undefined } | undefined;
    try {
      for await (
        const event of client.resource(pods, "default").watch({ signal: watchAc.signal })
      ) {
        first = {
          type: event.type,
          name: event.type === "ADDED" ? event.object.metadata?.name : undefined,
        };
        break;
      }
    } finally {
      ac.signal.removeEventListener("abort", stopWatch);
      watchAc.abort();
    }
    expect(
      first?.type === "ADDED" && first.name === SEED_POD.name,
      `the watch starts with ADDED ${SEED_POD.name}`,
      first,
    );
    emit("watched", first);

    step = "sync";
    const informer = factory.informerFor(pods);
    informer.addIndexers({ byIP: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip) });
    informer.setWatchErrorHandler((e) => informerErrors.push(describeError(e.error)));
    informer.addEventHandler({
      onAdd: (pod, initial) => notifications.push({ type: "add", pod, initial }),
      onUpdate: (oldPod, pod) => notifications.push({ type: "update", oldPod, pod }),
      onDelete: (obj) =>
        notifications.push(
          isDeletedFinalStateUnknown(obj)
            ? { type: "delete", pod: obj.obj, tombstone: true }
            : { type: "delete", pod: obj, tombstone: false },
        ),
    });
    factory.start(ac.signal);
    const synced = await factory.waitForCacheSync(ac.signal);
    ac.signal.throwIfAborted();
    expect([...synced.values()].join() === "true", "the informer syncs", [...synced.values()]);
    const byIP = (ip: string) =>
      informer.indexer.byIndex("byIP", ip).map((p) => p.metadata?.name).join();
    expect(
      byIP(SEED_POD.ip) === SEED_POD.name,
      `byIP ${SEED_POD.ip} finds the seed`,
      byIP(SEED_POD.ip),
    );
    const initial = await notifications.next(ac.signal);
    expect(
      describeNotification(initial) === EXPECTED_NOTIFICATIONS[0],
      "the first notification is the seed's initial add",
      describeNotification(initial),
    );
    emit("synced", { keys: informer.indexer.listKeys(), rv: informer.lastSyncResourceVersion() });

    step = "add";
    const added = await notifications.next(ac.signal);
    expect(
      describeNotification(added) === EXPECTED_NOTIFICATIONS[1],
      "onAdd sees the new pod",
      describeNotification(added),
    );
    // A real apiserver stores a new pod without its status: the IP comes as an update.
    if (ipOf(added.pod) === "") {
      const addressed = await notifications.next(ac.signal);
      expect(
        describeNotification(addressed) === STATUS_UPDATE_NOTIFICATION,
        "onUpdate sees the new pod's IP",
        describeNotification(addressed),
      );
    }
    expect(
      byIP(SCENARIO_POD.ip) === SCENARIO_POD.name,
      "the index has the new pod",
      byIP(SCENARIO_POD.ip),
    );
    emit("added", { byIP: byIP(SCENARIO_POD.ip) });

    step = "update";
    const updated = await notifications.next(ac.signal);
    expect(
      describeNotification(updated) === EXPECTED_NOTIFICATIONS[2],
      "onUpdate sees the new IP",
      describeNotification(updated),
    );
    expect(
      byIP(SCENARIO_POD.ip) === "" && byIP(SCENARIO_POD.newIp) === SCENARIO_POD.name,
      "the index follows the new IP",
      [byIP(SCENARIO_POD.ip), byIP(SCENARIO_POD.newIp)],
    );
    emit("updated", { byIP: byIP(SCENARIO_POD.newIp) });

    step = "delete";
    let deleted = await notifications.next(ac.signal);
    // A real apiserver marks a pod for deletion (an update setting deletionTimestamp) first.
    if (deleted.type === "update" && deleted.pod.metadata?.deletionTimestamp !== undefined) {
      deleted = await notifications.next(ac.signal);
    }
    expect(
      describeNotification(deleted) === EXPECTED_NOTIFICATIONS[3],
      "onDelete sees the pod go",
      describeNotification(deleted),
    );
    const key = `${SCENARIO_POD.namespace}/${SCENARIO_POD.name}`;
    expect(
      byIP(SCENARIO_POD.newIp) === "" && informer.indexer.getByKey(key) === undefined,
      "the pod left the cache and the index",
      informer.indexer.listKeys(),
    );
    emit("deleted", { keys: informer.indexer.listKeys() });
    step = "shutdown";
  } catch (err) {
    // After the deadline, report the timeout rather than the abort error it caused.
    error = describeError(ac.signal.aborted ? ac.signal.reason : err);
  } finally {
    clearTimeout(timer);
    ac.abort();
    await factory.shutdown();
    client.close();
  }
  const result: ScenarioResult = {
    kubesnap: "result",
    ok: error === undefined,
    runtime: options.runtime,
    step,
    notifications: notifications.seen,
    informerErrors,
    ms: Date.now() - started,
  };
  if (error !== undefined) result.error = error;
  print(JSON.stringify(result));
  return result;
}
