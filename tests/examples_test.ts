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

const TABLE_HEADER =
  /^\s+time\s+pods\s+Running\s+Pending\s+Failed\s+other\s+replicasets\s+services\s+events\/s\s+cached\s+pods rv$/;
const TABLE_ROW = /^\s+\d+s(\s+\d+){7}\s+\d+\.\d(\s+\d+){2}$/;

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

Deno.test("examples/demo.ts runs the fake cluster, prints events, the table and the lookups, and exits 0", async () => {
  const started = performance.now();
  const run = await example("demo.ts", "--duration", "3");
  const seconds = (performance.now() - started) / 1000;
  assert(seconds < 10, `the demo took ${seconds.toFixed(1)} s to stop`);
  const { lines } = run;

  assertMatch(
    lines[0] ?? "",
    /^fake apiserver at http:\/\/127\.0\.0\.1:\d+: 4 namespaces, 3 nodes, 5 deployments, 6 services, 17 pods$/,
  );
  // The initial list, in the article's format, then live changes.
  const added = lines.filter((l) => l.startsWith("ADDED pod with name "));
  assert(added.length >= 17, `expected the 17 initial pods, got ${added.length} ADDED lines`);
  assert(lines.includes("ADDED pod with name kube-apiserver-node-a"));
  assert(lines.some((l) => l.startsWith("MODIFIED pod with name ")), "no MODIFIED line");
  assert(lines.some((l) => l.startsWith("DELETED pod with name ")), "no DELETED line");
  assertMatch(
    lines.find((l) => l.startsWith("synced in ")) ?? "",
    /^synced in \d+ ms: 17 pods, 5 replica sets, 6 services$/,
  );

  // The table: a header and a row per second.
  assert(lines.some((l) => TABLE_HEADER.test(l)), "no table header");
  const rows = lines.filter((l) => TABLE_ROW.test(l));
  assert(rows.length >= 2, `expected at least 2 table rows, got ${rows.length}`);

  // The article's lookups, after sync and again at the end.
  const byKey = lines.filter((l) => l.startsWith("lookup getByKey("));
  assert(byKey.length >= 2);
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
  assertMatch(
    lines.at(-1) ?? "",
    /^stopping after 3\.\d s: \d+ events, \d+ changes made to the fake cluster$/,
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
        // Interrupt once the first table row is out (Deno.kill sends SIGINT like Ctrl-C).
        if (!interrupted && stdout.split("\n").some((l) => TABLE_ROW.test(l))) {
          child.kill("SIGINT");
          interrupted = true;
        }
      }
      const status = await child.status;
      assertEquals(status.code, 0, await stderr);
      assert(interrupted, "the demo printed no table row");
      const lines = stdout.split("\n").filter((l) => l !== "");
      assertEquals(lines.filter((l) => / pod with name /.test(l)), []);
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
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/config`;
    await Deno.writeTextFile(
      path,
      `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: "${server.url}"}
users:
- name: me
  user: {token: abc}
contexts:
- name: fake
  context: {cluster: fake, user: me}
current-context: fake
`,
    );
    const args = ["examples/demo.ts", "--kubeconfig", path, "--context", "fake", "--duration", "1"];

    const run = await deno(["run", "--no-prompt", NET, `--allow-read=${path}`, ...args]);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(run.lines[0], `cluster ${server.url} (kubeconfig ${path}, context fake)`);
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
