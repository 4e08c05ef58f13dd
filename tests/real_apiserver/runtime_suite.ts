/**
 * The runtime-matrix scenario (`tests/runtimes/scenario.ts`) against a real kube-apiserver over
 * TLS: on Deno in this process, and on Node from the bundle with the test CA in
 * `NODE_EXTRA_CA_CERTS`. This suite plays the matrix driver's part with real writes: a new pod
 * is stored without its status, so the driver writes the pod's IP through the `status`
 * subresource, and the scenario sees that as an update.
 *
 * It needs a cluster with no other pods (the scenario lists every namespace): `run.ts` runs it
 * before the other suites.
 *
 * @module
 */

import {
  KubeClient,
  kubeConfigToClientOptions,
  parseKubeConfig,
  type Pod,
  pods,
} from "../../mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { bundleRuntimeEntries } from "../runtimes/bundle.ts";
import {
  DELETION_MARK_NOTIFICATION,
  EXPECTED_NOTIFICATIONS,
  runScenario,
  SCENARIO_POD,
  type ScenarioResult,
  SEED_POD,
  STATUS_UPDATE_NOTIFICATION,
} from "../runtimes/scenario.ts";
import { controlPlane, kubeconfigFor } from "./_cluster.ts";

const info = controlPlane();
const OUT = new URL("../../.cache/real-apiserver/bundle/", import.meta.url);
const EXPECTED = [
  EXPECTED_NOTIFICATIONS[0],
  EXPECTED_NOTIFICATIONS[1],
  STATUS_UPDATE_NOTIFICATION,
  EXPECTED_NOTIFICATIONS[2],
  DELETION_MARK_NOTIFICATION,
  EXPECTED_NOTIFICATIONS[3],
];

function adminClient(): KubeClient {
  return KubeClient.fromKubeConfig(
    parseKubeConfig(kubeconfigFor(info, "admin"), { path: `${info.workDir}/x` }),
  );
}

/** Creates a pod, then gives it an IP through the status subresource, as a kubelet would. */
async function createAddressedPod(client: KubeClient, name: string, ip: string): Promise<void> {
  const api = client.resource(pods, SCENARIO_POD.namespace);
  await api.create({
    metadata: { name },
    spec: { containers: [{ name: "app", image: "registry.invalid/app:1" }] },
  });
  await setIp(client, name, ip);
}

async function setIp(client: KubeClient, name: string, ip: string): Promise<void> {
  await client.resource(pods, SCENARIO_POD.namespace).patch(name, {
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
  }, { type: "merge", subresource: "status" });
}

/** Changes the cluster after each step line, as the runtime matrix's driver does. */
function driver(client: KubeClient): {
  onLine(line: string): void;
  done(): Promise<void>;
  steps: string[];
  result: () => ScenarioResult | undefined;
} {
  let chain = Promise.resolve();
  const steps: string[] = [];
  let result: ScenarioResult | undefined;
  return {
    steps,
    result: () => result,
    onLine(line) {
      if (!line.startsWith('{"kubesnap":')) return;
      const message = JSON.parse(line) as { kubesnap: string };
      steps.push(message.kubesnap);
      if (message.kubesnap === "result") result = message as unknown as ScenarioResult;
      const step = message.kubesnap;
      chain = chain.then(async () => {
        if (step === "synced") {
          await createAddressedPod(client, SCENARIO_POD.name, SCENARIO_POD.ip);
        }
        if (step === "added") await setIp(client, SCENARIO_POD.name, SCENARIO_POD.newIp);
        if (step === "updated") {
          await client.resource(pods, SCENARIO_POD.namespace).delete(SCENARIO_POD.name, {
            gracePeriodSeconds: 0,
          });
        }
      });
    },
    done: () => chain,
  };
}

async function withSeed(fn: (client: KubeClient) => Promise<void>): Promise<void> {
  const client = adminClient();
  try {
    const others = (await client.resource(pods).list()).items.map((p: Pod) =>
      `${p.metadata?.namespace}/${p.metadata?.name}`
    );
    assertEquals(others, [], "the scenario needs a cluster without pods: run it first");
    await createAddressedPod(client, SEED_POD.name, SEED_POD.ip);
    await fn(client);
  } finally {
    const api = client.resource(pods, SEED_POD.namespace);
    for (const name of [SEED_POD.name, SCENARIO_POD.name]) {
      await api.delete(name, { gracePeriodSeconds: 0 }).catch(() => {});
    }
    client.close();
  }
}

function checkResult(result: ScenarioResult | undefined, steps: string[]): void {
  assert(result !== undefined, `no result; steps ${steps.join(", ")}`);
  assert(result.ok, `the scenario failed at ${result.step}: ${result.error}`);
  assertEquals(result.notifications, EXPECTED);
  assertEquals(steps, ["listed", "watched", "synced", "added", "updated", "deleted", "result"]);
}

Deno.test("the runtime scenario passes on Deno against a real kube-apiserver over TLS", async () => {
  await withSeed(async (client) => {
    const options = kubeConfigToClientOptions(
      parseKubeConfig(kubeconfigFor(info, "admin"), { path: `${info.workDir}/x` }),
    );
    const drive = driver(client);
    try {
      await runScenario({
        server: info.server,
        runtime: `deno ${Deno.version.deno}`,
        token: info.users.adminToken,
        fetch: options.fetch!,
        print: (line) => drive.onLine(line),
        timeoutMs: 30_000,
      });
      await drive.done();
    } finally {
      options.onClose?.();
    }
    checkResult(drive.result(), drive.steps);
  });
});

Deno.test("the runtime scenario passes on Node, from the bundle, trusting the CA through NODE_EXTRA_CA_CERTS", async () => {
  await bundleRuntimeEntries(OUT, ["node_main"]);
  await withSeed(async (client) => {
    const drive = driver(client);
    const child = new Deno.Command("node", {
      args: [decodeURIComponent(new URL("node_main.js", OUT).pathname), info.server],
      env: { KUBESNAP_TOKEN: info.users.adminToken, NODE_EXTRA_CA_CERTS: info.caFile },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    let stderr = "";
    const errText = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
    })();
    let buffer = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) drive.onLine(line);
    }
    const status = await child.status;
    clearTimeout(timer);
    await errText;
    await drive.done();
    assertEquals(status.code, 0, `node exited with ${status.code}: ${stderr}`);
    checkResult(drive.result(), drive.steps);
  });
});
