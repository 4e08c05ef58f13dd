/**
 * Leader election on a real kube-apiserver, with candidates in separate
 * processes: how long after the leader is killed (SIGKILL: no release) a
 * survivor leads, and how long after a leader is stopped (SIGTERM: it
 * releases the Lease) its successor leads.
 *
 * ```sh
 * deno run -A bench/leader_election_takeover.ts [--kills 20] [--candidates 3] \
 *   [--lease-ms 3000] [--renew-ms 2000] [--retry-ms 500]
 * ```
 *
 * It builds (once, cached) and starts etcd and kube-apiserver with the
 * real-apiserver test harness, or uses the running one named by
 * `KUBESNAP_CONTROL_PLANE`. `tests/real_apiserver/leader_election_suite.ts`
 * runs a short version of the same measurement.
 *
 * @module
 */

import { KubeClient, LeaderElector, parseKubeConfig } from "../mod.ts";

/** Timings of the candidates. */
export interface TakeoverTimings {
  leaseMs: number;
  renewMs: number;
  retryMs: number;
}

/** Options of {@linkcode measureTakeovers}. */
export interface TakeoverOptions extends TakeoverTimings {
  /** Path of a kubeconfig file the candidates use. */
  kubeconfig: string;
  /** Namespace of the Lease. */
  namespace: string;
  /** Name of the Lease. @default {"takeover"} */
  name?: string;
  /** Candidates running at any time. */
  candidates: number;
  /** Leaders killed with SIGKILL, one after the other. */
  kills: number;
  /** Leaders stopped with SIGTERM (they release the lease), after the kills. */
  terms: number;
}

/** What {@linkcode measureTakeovers} measured. */
export interface TakeoverReport {
  /** Milliseconds from each SIGKILL to the next leader's start. */
  killTakeoversMs: number[];
  /** Milliseconds from each SIGTERM to the next leader's start. */
  termTakeoversMs: number[];
  /** Moments two processes both reported leading. */
  overlaps: string[];
}

interface CandidateEvent {
  type: "leading" | "stopped" | "leader";
  identity: string;
  at: number;
  leader?: string;
}

interface Candidate {
  identity: string;
  child: Deno.ChildProcess;
  events: CandidateEvent[];
  exited: Promise<unknown>;
}

const FILE = new URL(import.meta.url).pathname;

/** Runs candidates as processes, kills leaders, and measures the takeovers. */
export async function measureTakeovers(options: TakeoverOptions): Promise<TakeoverReport> {
  const report: TakeoverReport = { killTakeoversMs: [], termTakeoversMs: [], overlaps: [] };
  const candidates: Candidate[] = [];
  /** Who leads now, by the processes' own reports; killed ones end at their kill. */
  const leading = new Set<string>();
  let next = 0;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const waitFor = async (condition: () => boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };

  const spawn = () => {
    const identity = `candidate-${next++}`;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        FILE,
        "--candidate",
        `--kubeconfig=${options.kubeconfig}`,
        `--namespace=${options.namespace}`,
        `--name=${options.name ?? "takeover"}`,
        `--identity=${identity}`,
        `--lease-ms=${options.leaseMs}`,
        `--renew-ms=${options.renewMs}`,
        `--retry-ms=${options.retryMs}`,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const candidate: Candidate = { identity, child, events: [], exited: child.status };
    candidates.push(candidate);
    (async () => {
      const decoder = new TextDecoderStream();
      let buffer = "";
      for await (const chunk of child.stdout.pipeThrough(decoder)) {
        buffer += chunk;
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const event = JSON.parse(buffer.slice(0, newline)) as CandidateEvent;
          buffer = buffer.slice(newline + 1);
          candidate.events.push(event);
          if (event.type === "leading") {
            for (const other of leading) {
              report.overlaps.push(`${identity} started leading at ${event.at} while ${other} led`);
            }
            leading.add(identity);
          } else if (event.type === "stopped") {
            leading.delete(identity);
          }
          wake();
        }
      }
    })();
    return candidate;
  };

  const observed = (c: Candidate) => c.events.some((e) => e.type === "leader");

  try {
    for (let i = 0; i < options.candidates; i++) spawn();
    const bound = options.leaseMs * 3 + 10_000;
    for (let round = 0; round < options.kills + options.terms; round++) {
      await waitFor(() => leading.size === 1, bound + 20_000, "a leader");
      await waitFor(
        () => candidates.every(observed),
        20_000,
        "candidates ready",
      );
      // Let the leader run for a random part of a few retry periods, so kills land anywhere.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * options.retryMs * 3));
      const leaderId = [...leading][0]!;
      const leader = candidates.find((c) => c.identity === leaderId)!;
      const kill = round < options.kills;
      const at = Date.now();
      leader.child.kill(kill ? "SIGKILL" : "SIGTERM");
      if (kill) leading.delete(leaderId); // a killed process believes nothing any more
      await waitFor(
        () => [...leading].some((id) => id !== leaderId),
        bound,
        `a successor of ${leaderId}`,
      );
      const successor = candidates.find((c) => c.identity !== leaderId && leading.has(c.identity))!;
      const started = successor.events.findLast((e) => e.type === "leading")!.at;
      (kill ? report.killTakeoversMs : report.termTakeoversMs).push(started - at);
      await leader.exited;
      candidates.splice(candidates.indexOf(leader), 1);
      spawn();
    }
  } finally {
    for (const c of candidates) {
      try {
        c.child.kill("SIGKILL");
      } catch {
        // exited already
      }
    }
    await Promise.all(candidates.map((c) => c.exited));
  }
  return report;
}

/** The median and the maximum. */
export function summarizeMs(values: readonly number[]): { median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? NaN, max: sorted.at(-1) ?? NaN };
}

function flags(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const [key, value] = args[i]!.replace(/^--/, "").split("=", 2);
    const following = args[i + 1];
    if (value !== undefined) out.set(key!, value);
    else if (following !== undefined && !following.startsWith("--")) out.set(key!, args[++i]!);
    else out.set(key!, "true");
  }
  return out;
}

/** One candidate process: leads when elected, reports as JSON lines, releases on SIGTERM. */
async function candidate(args: Map<string, string>): Promise<void> {
  const path = args.get("kubeconfig")!;
  const client = KubeClient.fromKubeConfig(
    parseKubeConfig(await Deno.readTextFile(path), { path }),
  );
  const identity = args.get("identity")!;
  const print = (event: Omit<CandidateEvent, "identity" | "at">) =>
    console.log(JSON.stringify({ ...event, identity, at: Date.now() }));
  const ac = new AbortController();
  Deno.addSignalListener("SIGTERM", () => ac.abort());
  const elector = new LeaderElector({
    lock: { client, namespace: args.get("namespace")!, name: args.get("name")! },
    identity,
    leaseDurationMs: Number(args.get("lease-ms")),
    renewDeadlineMs: Number(args.get("renew-ms")),
    retryPeriodMs: Number(args.get("retry-ms")),
    onStartedLeading: () => print({ type: "leading" }),
    onStoppedLeading: () => print({ type: "stopped" }),
    onNewLeader: (leader) => print({ type: "leader", leader }),
  });
  while (!ac.signal.aborted) await elector.run(ac.signal);
  client.close();
  Deno.exit(0);
}

if (import.meta.main) {
  const args = flags(Deno.args);
  if (args.has("candidate")) {
    await candidate(args);
  } else {
    const { startControlPlane } = await import("../tests/real_apiserver/control_plane.ts");
    const { kubeconfigFor, clientFor, freshNamespace } = await import(
      "../tests/real_apiserver/_cluster.ts"
    );
    const timings: TakeoverTimings = {
      leaseMs: Number(args.get("lease-ms") ?? 3000),
      renewMs: Number(args.get("renew-ms") ?? 2000),
      retryMs: Number(args.get("retry-ms") ?? 500),
    };
    const kills = Number(args.get("kills") ?? 20);
    const terms = Number(args.get("terms") ?? 5);
    const count = Number(args.get("candidates") ?? 3);
    let stop = async () => {};
    let info;
    const infoFile = Deno.env.get("KUBESNAP_CONTROL_PLANE");
    if (infoFile) {
      info = JSON.parse(await Deno.readTextFile(infoFile));
    } else {
      const build = await new Deno.Command("bash", {
        args: [new URL("../tests/real_apiserver/build.sh", import.meta.url).pathname],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      if (!build.success) throw new Error("could not build kube-apiserver and etcd");
      const binDir = new TextDecoder().decode(build.stdout).trim().split("\n").pop()!;
      const plane = await startControlPlane({ binDir });
      info = plane.info;
      stop = () => plane.stop();
    }
    try {
      const kubeconfig = `${info.workDir}/takeover-kubeconfig.yaml`;
      await Deno.writeTextFile(kubeconfig, kubeconfigFor(info, "admin"));
      const client = clientFor(info);
      const namespace = await freshNamespace(client, "takeover");
      client.close();
      const started = performance.now();
      const report = await measureTakeovers({
        kubeconfig,
        namespace,
        candidates: count,
        kills,
        terms,
        ...timings,
      });
      const kill = summarizeMs(report.killTakeoversMs);
      const term = summarizeMs(report.termTakeoversMs);
      console.log(
        `${count} candidate processes, lease ${timings.leaseMs} ms, renew deadline ${timings.renewMs} ms, ` +
          `retry ${timings.retryMs} ms (jitter 1.2), real kube-apiserver ` +
          `(${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
      console.log(`SIGKILL x${kills}: takeover median ${kill.median} ms, max ${kill.max} ms`);
      console.log(`  ${[...report.killTakeoversMs].sort((a, b) => a - b).join(", ")}`);
      console.log(
        `SIGTERM x${terms} (lease released): median ${term.median} ms, max ${term.max} ms`,
      );
      console.log(`  ${[...report.termTakeoversMs].sort((a, b) => a - b).join(", ")}`);
      console.log(
        `overlaps: ${report.overlaps.length === 0 ? "none" : report.overlaps.join("; ")}`,
      );
    } finally {
      await stop();
    }
  }
}
