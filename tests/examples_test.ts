/**
 * The examples are part of the documentation: each one must type-check, run
 * with nothing but `--allow-net=127.0.0.1` and print what the article
 * shows. Every example runs as a child process, the way a reader runs it.
 */

import { type Pod, pods } from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_helpers/assert.ts";

const root = new URL("../", import.meta.url);
const NET = "--allow-net=127.0.0.1";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Runs `deno <args>` in the repository root and collects its output. */
async function deno(args: string[], timeoutMs = 20_000): Promise<Run> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: root,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: ac.signal,
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    return {
      code: output.code,
      stdout,
      stderr: new TextDecoder().decode(output.stderr),
      lines: stdout.split("\n").filter((line) => line !== ""),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one example with the narrow permissions the examples document. */
async function example(file: string, ...args: string[]): Promise<Run> {
  const run = await deno(["run", "--no-prompt", NET, `examples/${file}`, ...args]);
  assertEquals(run.code, 0, `examples/${file} failed:\n${run.stderr}`);
  return run;
}

Deno.test("every example type-checks", async () => {
  const run = await deno(["check", "examples/"], 60_000);
  assertEquals(run.code, 0, run.stderr);
});

Deno.test("examples/get_and_list.ts gets one pod and lists the pods of every namespace", async () => {
  const run = await example("get_and_list.ts");
  assertEquals(run.lines, [
    "got pod default/pod-name, phase Running",
    "listed 3 pods at resourceVersion 4",
    "  default/pod-name",
    "  default/web-7d4b9c8f6-x2k4q",
    "  kube-system/coredns-5d78c9869d-4kqzp",
  ]);
});

Deno.test("examples/watch.ts prints the article's watch lines, then live changes", async () => {
  const run = await example("watch.ts");
  assertEquals(run.lines, [
    "ADDED pod with name apiserver-86b697ffcb-424gl",
    "ADDED pod with name web-7d4b9c8f6-x2k4q",
    "ADDED pod with name node-exporter-wjks6",
    "MODIFIED pod with name web-7d4b9c8f6-x2k4q",
    "ADDED pod with name web-7d4b9c8f6-mn9zt",
    "DELETED pod with name node-exporter-wjks6",
  ]);
});

Deno.test("examples/informer_factory.ts reads the pod IP from the synced cache and sees it change", async () => {
  const run = await example("informer_factory.ts");
  // Handlers run asynchronously, so their lines may interleave with the rest.
  assertEquals([...run.lines].sort(), [
    "ADDED pod with name cart-6c9d8b7f5-p8w2m",
    "ADDED pod with name web-7d4b9c8f6-x2k4q",
    "MODIFIED pod with name cart-6c9d8b7f5-p8w2m",
    "The Pod IP is 10.244.1.7",
    "The Pod IP is now 10.244.1.8",
    "synced: 2 pods in memory",
  ]);
  const at = (line: string) => run.lines.indexOf(line);
  assert(at("synced: 2 pods in memory") < at("The Pod IP is 10.244.1.7"));
  assert(at("The Pod IP is 10.244.1.7") < at("The Pod IP is now 10.244.1.8"));
});

Deno.test("examples/index_by_ip.ts finds one pod by its IP and every host-networked pod by the node IP", async () => {
  const run = await example("index_by_ip.ts");
  assertEquals(run.lines, [
    'byIndex("byIP", "10.244.0.7") -> 1 pods ["shop/cart-6c9d8b7f5-p8w2m"]',
    'byIndex("byIP", "10.0.0.99") -> 0 pods []',
    'byIndex("byIP", "192.168.49.10") -> 3 pods ' +
    '["kube-system/kube-apiserver-node-a","kube-system/kube-proxy-7qqsz","monitoring/node-exporter-wjks6"]',
    "indexed IPs: 10.244.0.6, 10.244.0.7, 192.168.49.10",
    "after a new host-networked pod: 4 pods share 192.168.49.10",
  ]);
});

Deno.test("examples/more_informers.ts runs ReplicaSets and Services informers from the same factory", async () => {
  const run = await example("more_informers.ts");
  assertEquals([...run.lines].sort(), [
    "ADDED replicaset with name web-7d4b9c8f6",
    "ADDED service with name web",
    "MODIFIED replicaset with name web-7d4b9c8f6, replicas 3",
    "same informer for the same resource: true",
    "service web -> pod web-7d4b9c8f6-mn9zt (10.244.1.4) owned by replicaset web-7d4b9c8f6 (2 replicas)",
    "service web -> pod web-7d4b9c8f6-x2k4q (10.244.0.6) owned by replicaset web-7d4b9c8f6 (2 replicas)",
    "synced: pods=true replicasets=true services=true",
  ]);
});

Deno.test("examples/fake_apiserver_in_tests.ts passes under deno test", async () => {
  const run = await deno(["test", "--no-prompt", NET, "examples/fake_apiserver_in_tests.ts"]);
  assertEquals(run.code, 0, run.stdout + run.stderr);
  assertMatch(run.stdout, /ok \| 4 passed \| 0 failed/);
});

/** What the plain-line output prints once a second. */
const STATUS_LINE =
  /^\[\d+s\] pods (\d+) \(Running \d+, Pending \d+, Failed \d+, other \d+\), replica sets \d+, services \d+, cached \d+, events\/s (\d+\.\d), pods rv \d+$/;

/** Removes ANSI escape sequences. */
function stripEscapes(text: string): string {
  // deno-lint-ignore no-control-regex -- matching the escape character is the point
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/** A kubeconfig file for one cluster URL, in a fresh temporary directory. */
async function kubeconfigFor(server: string): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/config`;
  await Deno.writeTextFile(
    path,
    `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: "${server}"}
users:
- name: me
  user: {token: abc}
contexts:
- name: fake
  context: {cluster: fake, user: me}
current-context: fake
`,
  );
  return { dir, path };
}

Deno.test("examples/_fake_cluster.ts seeds pods with their IPs in several namespaces", async () => {
  const { FakeCluster } = await import("../examples/_fake_cluster.ts");
  const server = new FakeApiServer();
  try {
    const cluster = new FakeCluster(server, { seed: 7 });
    cluster.seed();
    const seeded = server.list(pods);
    const namespaces = new Set(seeded.map((p) => p.metadata?.namespace));
    assert(namespaces.size >= 4, `pods in ${[...namespaces].join(", ")}`);
    const running = seeded.filter((p) => p.status?.phase === "Running");
    assert(running.length >= seeded.length - 3, `${running.length} of ${seeded.length} Running`);
    for (const pod of running) {
      const { podIP, podIPs, hostIP } = pod.status!;
      assert(podIP !== undefined, `${pod.metadata?.name} has no status.podIP`);
      assertEquals(podIPs, [{ ip: podIP }], `status.podIPs of ${pod.metadata?.name}`);
      if (pod.spec?.hostNetwork) assertEquals(podIP, hostIP);
      else assertMatch(podIP, /^10\.244\.\d+\.\d+$/);
    }
    for (const ip of cluster.nodeIPs) {
      const sharing = running.filter((p) => p.status?.podIP === ip);
      assert(sharing.length >= 2, `${sharing.length} pods share node IP ${ip}`);
    }
    const podIPs = running.filter((p) => !p.spec?.hostNetwork).map((p) => p.status!.podIP);
    assertEquals(new Set(podIPs).size, podIPs.length, "two pods got the same pod-network IP");
  } finally {
    await server.close();
  }
});

Deno.test("examples/demo.ts prints the article's workflow, events, status, lookups and health as plain lines", async () => {
  const started = performance.now();
  const run = await example("demo.ts", "--duration", "3");
  const seconds = (performance.now() - started) / 1000;
  assert(seconds < 10, `the demo took ${seconds.toFixed(1)} s to stop`);
  const { lines } = run;
  const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));

  assertStringIncludes(lines[0] ?? "", "plain lines: stdout is not a terminal");
  // The workflow, step by step and in the article's order.
  assertMatch(
    lines[1] ?? "",
    /^step 1: client = server\.client\(\) {2}-> fake apiserver at http:\/\/127\.0\.0\.1:\d+: 4 namespaces, 3 nodes, 5 deployments, 6 services, 17 pods$/,
  );
  const steps = [
    "step 2: factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 })",
    "step 3: podsInformer = factory.informerFor(pods)",
    "step 4: podsInformer.addIndexers({ byIP: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip) })",
    "step 5: factory.informerFor(replicaSets); factory.informerFor(services)",
    "step 6: factory.start(signal)",
    "step 7: await factory.waitForCacheSync({ signal, timeoutMs: 30000 })",
    'step 8: podsInformer.indexer.getByKey(key), .byIndex("byIP", ip)',
  ];
  const positions = steps.map(at);
  assert(positions.every((p, i) => p > 1 && (i === 0 || p > positions[i - 1]!)), run.stdout);
  assertMatch(
    lines.find((l) => l.startsWith("step 7: ") && l.includes(" -> ")) ?? "",
    / {2}-> synced in \d+ ms$/,
  );
  assertEquals(
    lines[lines.findIndex((l) => l.startsWith("step 7: ") && l.includes(" -> ")) + 1],
    "  in memory: 17 pods, 5 replica sets, 6 services",
  );

  // The initial list in the article's format, then live changes.
  const added = lines.filter((l) => l.startsWith("ADDED pod with name "));
  assert(added.length >= 17, `expected the 17 initial pods, got ${added.length} ADDED lines`);
  assert(lines.includes("ADDED pod with name kube-apiserver-node-a"));
  assert(lines.some((l) => l.startsWith("MODIFIED pod with name ")), "no MODIFIED line");
  assert(lines.some((l) => l.startsWith("DELETED pod with name ")), "no DELETED line");
  assert(lines.some((l) => l.startsWith("ADDED replicaset with name ")), "no replica set line");

  // One status line a second, each second once, with a true rate.
  const status = lines.filter((l) => STATUS_LINE.test(l));
  assert(status.length >= 2, `expected at least 2 status lines, got ${status.length}`);
  const labels = status.map((l) => l.slice(0, l.indexOf("]") + 1));
  assertEquals(new Set(labels).size, labels.length, `a second printed twice: ${labels}`);
  const rates = status.map((l) => Number(STATUS_LINE.exec(l)![2]));
  assert(rates.every((r) => r > 0), `the fake cluster changes 4 times a second: ${rates}`);

  // The article's lookups, after the sync and again at the end.
  const byKey = lines.filter((l) => l.startsWith("lookup getByKey("));
  assert(byKey.length >= 2);
  assert(at("lookup getByKey(") > at("step 8: "));
  assertMatch(
    byKey[0]!,
    /^lookup getByKey\("[a-z-]+\/[a-z0-9-]+"\): The Pod IP is 10\.244\.\d+\.\d+$/,
  );
  assertMatch(
    lines.find((l) => l.startsWith('lookup byIndex("byIP", "10.244.')) ?? "",
    /^lookup byIndex\("byIP", "10\.244\.\d+\.\d+"\): 1 pod: [a-z-]+\/[a-z0-9-]+$/,
  );
  const shared = lines.find((l) =>
    l.startsWith('lookup byIndex("byIP", "192.168.49.10") (host network): ')
  );
  assertMatch(
    shared ?? "",
    /: 3 pods: kube-system\/kube-apiserver-node-a, kube-system\/kube-proxy-[a-z0-9]{5}, monitoring\/node-exporter-[a-z0-9]{5}$/,
  );
  assert(lines.includes('lookup byIndex("byIP", "203.0.113.99"): 0 pods'));

  // The informers' health at the end, then the summary.
  for (const resource of ["pods", "replicasets.apps", "services"]) {
    assertMatch(
      lines.find((l) => l.startsWith(`health ${resource}: `)) ?? "",
      /: synced, \d+ objects \(\d+ listed\), lists 1, relists 0, watches 1, reconnects 0, expired 0, errors 0, backlog \d+, last error none$/,
    );
  }
  assertMatch(
    lines.at(-1) ?? "",
    /^stopping after 3\.\d s: \d+ events, \d+ changes made to the fake cluster$/,
  );
  assertEquals(run.stderr, "");
});

Deno.test("examples/demo.ts --tty redraws one screen in place with the workflow, caches, lookups, health and recent events", async () => {
  const run = await example("demo.ts", "--tty", "--duration", "2");
  const frames = run.stdout.split("\x1b[H").slice(1);
  assert(frames.length >= 4, `expected a few frames in 2 s, got ${frames.length}`);
  assert(frames.length <= 2 * 5 + 2, `at most 4 frames a second, got ${frames.length}`);
  assert(run.stdout.startsWith("\x1b[?25l\x1b[2J"), "the first frame clears the screen");
  assert(run.stdout.includes("\x1b[?25h"), "the cursor is shown again");
  const last = stripEscapes(frames.at(-1)!).split("\n");
  const text = last.join("\n");
  for (
    const expected of [
      "  [✓] 1. client = server.client()",
      "  [✓] 2. factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 })",
      "  [✓] 3. podsInformer = factory.informerFor(pods)",
      "  [✓] 6. factory.start(signal)",
      "  [✓] 7. await factory.waitForCacheSync({ signal, timeoutMs: 30000 })   -> synced in ",
      "Informers (factory.health())",
      'lookup byIndex("byIP", "192.168.49.10") (host network): 3 pods: ',
      "Recent events (the last 8)",
    ]
  ) assertStringIncludes(text, expected);
  assertMatch(
    text,
    /\n {2}pods \d+ \(Running \d+, Pending \d+, Failed \d+, other \d+\), replica sets 5, services 6/,
  );
  assertMatch(text, /\n {2}events\/s \d+\.\d \(last second\), \d+ events in all\n/);
  for (const resource of ["pods", "replicasets.apps", "services"]) {
    assert(
      last.some((l) =>
        new RegExp(
          `^  ${resource.replace(".", "\\.")} +yes +\\d+ +\\d+ +1 +0 +1 +0 +0 +0 +\\d+$`,
        ).test(l)
      ),
      `no healthy row for ${resource}:\n${text}`,
    );
  }
  const events = last.filter((l) =>
    /^ +\d+\.\ds {2}(ADDED|MODIFIED|DELETED) (pod|replicaset|service) with name /.test(l)
  );
  assertEquals(events.length, 8, text);
  assert(last.every((l) => l.length < 120), "a line is wider than the screen");
  assert(!text.includes("last error"), text);
  assertMatch(last.at(-2) ?? "", /^stopping after 2\.\d s: \d+ events/);
  assert(
    !frames.slice(0, -1).some((f) => stripEscapes(f).includes("stopping after")),
    "the summary is printed once, below the last frame",
  );
  assertEquals(run.stderr, "");
});

Deno.test({
  name: "examples/demo.ts stops cleanly on Ctrl-C and prints no event lines with --quiet",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", NET, "examples/demo.ts", "--quiet"],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    let stdout = "";
    let interrupted = false;
    const decoder = new TextDecoder();
    const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
    try {
      for await (const chunk of child.stdout) {
        stdout += decoder.decode(chunk, { stream: true });
        // Interrupt once the first status line is out (Deno.kill sends SIGINT like Ctrl-C).
        if (!interrupted && stdout.split("\n").some((l) => STATUS_LINE.test(l))) {
          child.kill("SIGINT");
          interrupted = true;
        }
      }
      const status = await child.status;
      assertEquals(status.code, 0, await stderr);
      assert(interrupted, "the demo printed no status line");
      const lines = stdout.split("\n").filter((l) => l !== "");
      assertEquals(lines.filter((l) => / with name /.test(l)), []);
      assertStringIncludes(stdout, "The Pod IP is 10.244.");
      assertMatch(lines.at(-1) ?? "", /^stopping after \d+\.\d s: \d+ events/);
    } finally {
      clearTimeout(deadline);
      await stderr;
    }
  },
});

Deno.test("examples/demo.ts runs against the cluster of a kubeconfig", async () => {
  await using server = await FakeApiServer.start();
  const nodeIP = "192.168.7.1";
  const pod = (namespace: string, name: string, ip: string, hostNetwork: boolean): Pod => ({
    metadata: { namespace, name },
    spec: { hostNetwork, containers: [{ name: "c" }] },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
  });
  server.create(pods, pod("default", "web-1", "10.1.0.5", false));
  server.create(pods, pod("kube-system", "kube-proxy-abcde", nodeIP, true));
  server.create(pods, pod("monitoring", "node-exporter-fghij", nodeIP, true));
  const { dir, path } = await kubeconfigFor(server.url);
  try {
    const args = ["examples/demo.ts", "--kubeconfig", path, "--context", "fake", "--duration", "1"];

    const run = await deno(["run", "--no-prompt", NET, `--allow-read=${path}`, ...args]);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(
      run.lines[1],
      'step 1: client = KubeClient.fromKubeConfig(parseKubeConfig(text), { context: "fake" })' +
        `  -> ${server.url} (kubeconfig ${path}, context fake)`,
    );
    assert(run.lines.includes("ADDED pod with name web-1"));
    assert(run.lines.includes('lookup getByKey("default/web-1"): The Pod IP is 10.1.0.5'));
    assert(
      run.lines.includes(
        `lookup byIndex("byIP", "${nodeIP}") (host network): 2 pods: ` +
          "kube-system/kube-proxy-abcde, monitoring/node-exporter-fghij",
      ),
      run.stdout,
    );

    // Without the read permission it says which flag is missing.
    const refused = await deno(["run", "--no-prompt", NET, ...args]);
    assertEquals(refused.code, 1);
    assertEquals(
      refused.stderr.trim(),
      `demo: permission refused: run the demo with --allow-read=${path}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task demo:cluster exits 1 with the informers' last errors when the cluster does not answer", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close(); // nothing listens there any more: every connection is refused
  const { dir, path } = await kubeconfigFor(`http://127.0.0.1:${port}`);
  try {
    const started = performance.now();
    const run = await deno(["task", "demo:cluster", "--kubeconfig", path, "--sync-timeout", "1"]);
    const seconds = (performance.now() - started) / 1000;
    assertEquals(run.code, 1, run.stdout + run.stderr);
    assert(seconds < 10, `it gave up after ${seconds.toFixed(1)} s`);
    assertStringIncludes(
      run.stderr,
      "demo: CacheSyncTimeoutError: 3 informers did not sync within 1 s: ",
    );
    for (const informer of ["pods", "replicasets.apps", "services"]) {
      assertStringIncludes(run.stderr, `${informer} informer (last error: `);
    }
    assertStringIncludes(run.stderr, "--sync-timeout SECONDS waits longer");
    assert(
      run.lines.some((l) => l.startsWith("step 7: ") && l.endsWith("-> CacheSyncTimeoutError")),
      run.stdout,
    );
    assert(!run.stdout.includes("stopping after"), run.stdout);

    // The live screen shows the failed step and each informer's last error before it exits.
    const screen = await deno([
      "task",
      "demo:cluster",
      "--kubeconfig",
      path,
      "--sync-timeout",
      "1",
      "--tty",
    ]);
    assertEquals(screen.code, 1, screen.stderr);
    const last = stripEscapes(screen.stdout.split("\x1b[H").at(-1) ?? "");
    assertStringIncludes(last, "  [✗] 7. await factory.waitForCacheSync(");
    assertStringIncludes(last, "  [ ] 8. podsInformer.indexer.getByKey(key)");
    assertStringIncludes(last, "  pods last error: TransportError: ");
    assertMatch(last, /\n {2}pods +(listing|no) +0 +0 +0 +0 +0 +\d+ +0 +[1-9]\d* +0\n/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task demo:cluster exits 1 with a KubeConfigError when the kubeconfig file is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/missing-config`;
    const run = await deno(["task", "demo:cluster", "--kubeconfig", path]);
    assertEquals(run.code, 1, run.stdout + run.stderr);
    assertStringIncludes(run.stderr, `demo: KubeConfigError: kubeconfig ${path} does not exist`);
    assert(!run.stderr.includes("os error"), run.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples/demo.ts --help documents every flag", async () => {
  const run = await example("demo.ts", "--help");
  for (
    const flag of [
      "--fake",
      "--kubeconfig PATH",
      "--context NAME",
      "--in-cluster",
      "--duration SECONDS",
      "--sync-timeout SECONDS",
      "--quiet",
      "--tty",
      "--no-tty",
      "--seed N",
      "--churn-ms MS",
      "--help",
    ]
  ) {
    assertStringIncludes(run.stdout, `\n  ${flag} `);
  }
  const source = await Deno.readTextFile(new URL("examples/demo.ts", root));
  const header = source.slice(0, source.indexOf("@module"));
  for (
    const flag of ["--duration", "--sync-timeout", "--quiet", "--kubeconfig", "--tty", "--help"]
  ) {
    assertStringIncludes(header, `\`${flag}`);
  }
});

Deno.test("examples/demo.ts rejects an unknown argument with the usage and exit code 2", async () => {
  const run = await deno(["run", "--no-prompt", NET, "examples/demo.ts", "--nope"]);
  assertEquals(run.code, 2);
  assertEquals(run.stdout, "");
  assertStringIncludes(run.stderr, 'demo: unknown argument "--nope"');
  assertStringIncludes(run.stderr, "--kubeconfig PATH");
});

Deno.test("examples/controller.ts summarises every Deployment's pods, then the second replica takes over", async () => {
  const run = await example("controller.ts");
  const { lines } = run;
  assertEquals(lines[0], "replica-a: the leader is replica-a");
  const stopAt = lines.indexOf("stopping replica-a");
  assert(stopAt > 0, run.stdout);
  const first = lines.slice(0, stopAt).filter((l) =>
    l.startsWith("replica-a: ") && l.includes("{")
  );
  assertEquals(
    [...new Set(first.map((l) => l.split(" ")[1]))].sort(),
    ["default/web", "kube-system/coredns", "monitoring/grafana", "shop/cart", "shop/frontend"],
  );
  for (const line of first) {
    assertMatch(line, /^replica-a: [a-z-]+\/[a-z]+ \{"pods":"\d+"(,"[A-Z][a-z]+":"\d+")*\}$/);
  }
  const after = lines.slice(stopAt + 1);
  assert(after.includes("replica-b: the leader is replica-b"), run.stdout);
  assert(!after.some((l) => l.startsWith("replica-a: ")), "replica-a did nothing after it stopped");
  assertEquals(lines.at(-1), "5 ConfigMaps summarise 5 Deployments");
  assertEquals(run.stderr, "");
});
