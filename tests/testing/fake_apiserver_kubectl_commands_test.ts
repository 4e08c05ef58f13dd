import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { type KubectlHarness, kubectlTest } from "../_helpers/kubectl.ts";

/**
 * `kubectl create <generator>` commands. kubectl's typed clients send these as
 * protobuf; each must store what `--dry-run=client -o json` prints.
 */
const GENERATORS: readonly (readonly [string, readonly string[]])[] = [
  ["namespace", ["namespace", "team-a"]],
  ["deployment", ["deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80"]],
  ["configmap", ["configmap", "settings", "--from-literal=mode=fast", "--from-literal=level=3"]],
  ["secret generic", ["secret", "generic", "creds", "--from-literal=user=admin"]],
  ["service clusterip", ["service", "clusterip", "web", "--tcp=80:8080"]],
  ["serviceaccount", ["serviceaccount", "robot"]],
  ["job", ["job", "once", "--image=busybox", "--", "echo", "hi"]],
  ["cronjob", ["cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"]],
  ["role", ["role", "reader", "--verb=get,list", "--resource=pods"]],
  ["rolebinding", ["rolebinding", "reader", "--role=reader", "--user=alice"]],
  ["clusterrole", ["clusterrole", "viewer", "--verb=get", "--resource=nodes"]],
  ["clusterrolebinding", ["clusterrolebinding", "viewer", "--clusterrole=viewer", "--group=ops"]],
  ["priorityclass", ["priorityclass", "high", "--value=1000", "--description=important"]],
  ["poddisruptionbudget", [
    "poddisruptionbudget",
    "web",
    "--selector=app=web",
    "--min-available=1",
  ]],
  ["ingress", ["ingress", "web", "--rule=example.com/api*=web:80"]],
  ["quota", ["quota", "limits", "--hard=pods=10,cpu=2,memory=1Gi"]],
];

/** Puts flags before a `--` (after it they would be the container's command). */
function withFlags(args: readonly string[], flags: string[]): string[] {
  const dash = args.indexOf("--");
  return dash < 0 ? [...args, ...flags] : [...args.slice(0, dash), ...flags, ...args.slice(dash)];
}

// deno-lint-ignore no-explicit-any -- kubectl's JSON output
type Any = any;

/** What the server added: uid, resourceVersion, timestamps, generation, namespace, status. */
function userFields(object: Any): Any {
  const drop = (v: Any): Any =>
    Array.isArray(v) ? v.map(drop) : v !== null && typeof v === "object"
      ? Object.fromEntries(
        Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, drop(x)]),
      )
      : v;
  const { status: _status, metadata, ...rest } = drop(object);
  const {
    uid: _uid,
    resourceVersion: _rv,
    creationTimestamp: _ts,
    generation: _gen,
    managedFields: _mf,
    namespace: _ns,
    ...meta
  } = metadata;
  return { ...rest, metadata: meta };
}

/**
 * Asserts that `actual` holds everything in `expected` (a server may add
 * defaults, such as a namespace's `kubernetes.io/metadata.name` label).
 */
function assertIncludes(actual: Any, expected: Any, path = ""): void {
  if (expected !== null && typeof expected === "object") {
    if (Array.isArray(expected)) {
      assert(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
      assertEquals(actual.length, expected.length, `${path}: array length`);
      expected.forEach((e, i) => assertIncludes(actual[i], e, `${path}[${i}]`));
      return;
    }
    assert(
      actual !== null && typeof actual === "object" && !Array.isArray(actual),
      `${path}: expected an object, got ${JSON.stringify(actual)}`,
    );
    for (const [k, v] of Object.entries(expected)) assertIncludes(actual[k], v, `${path}.${k}`);
    return;
  }
  assertEquals(actual, expected, path);
}

/** Splits `kubectl get` output into rows of cells (columns are 3+ spaces apart or 2 at least). */
function rows(text: string): string[][] {
  return text.trimEnd().split("\n").map((line) => line.trim().split(/\s{2,}/));
}

/** Runs `kubectl wait` in the background; `act` makes it succeed; resolves to its result. */
async function waitWhile(
  h: KubectlHarness,
  waitArgs: string[],
  act: () => Promise<unknown>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const pending = h.kubectlResult(["wait", ...waitArgs, "--timeout=20s"]);
  // Let kubectl's first GET see the old state, so that the wait has to watch.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await act();
  return await pending;
}

kubectlTest(
  "kubectl generators, -o wide, describe, patch, wait and delete work against the fake",
  [],
  async (h, t) => {
    const { kubectl } = h;
    for (const [name, args] of GENERATORS) {
      await t.step(`kubectl create ${name} stores what --dry-run=client prints`, async () => {
        const expected = JSON.parse(
          await kubectl("create", ...withFlags(args, ["--dry-run=client", "-o", "json"])),
        );
        const created = JSON.parse(await kubectl("create", ...withFlags(args, ["-o", "json"])));
        assertIncludes(userFields(created), userFields(expected));
        const kind = expected.kind.toLowerCase();
        const stored = JSON.parse(
          await kubectl("get", kind, expected.metadata.name, "-o", "json"),
        );
        assertIncludes(userFields(stored), userFields(expected));
      });
    }

    await t.step("kubectl get -o wide shows the real server's columns", async (t) => {
      await Deno.writeTextFile(
        `${h.dir}/node.yaml`,
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-1\n  labels:\n    node-role.kubernetes.io/worker: ''\n",
      );
      await kubectl("create", "-f", `${h.dir}/node.yaml`);
      await kubectl(
        "patch",
        "node",
        "worker-1",
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify({
          status: {
            conditions: [{ type: "Ready", status: "True" }],
            addresses: [{ type: "InternalIP", address: "10.1.2.3" }],
            nodeInfo: {
              kubeletVersion: "v1.37.2",
              osImage: "Debian",
              kernelVersion: "6.1.0",
              architecture: "amd64",
              containerRuntimeVersion: "containerd://2.0.0",
            },
          },
        }),
      );
      await kubectl("run", "box", "--image=busybox", "--labels=app=box");
      const age = /^\d+s$/;
      // [resource, what to get, -o wide header, Age column, columns without -o wide]
      const cases: [string, string[], string[], number, number][] = [
        [
          "pods",
          ["pod", "box"],
          [
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES",
          ],
          4,
          5,
        ],
        [
          "deployments",
          ["deployment", "web"],
          [
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE",
            "CONTAINERS",
            "IMAGES",
            "SELECTOR",
          ],
          4,
          5,
        ],
        [
          "services",
          ["service", "web"],
          [
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
            "SELECTOR",
          ],
          5,
          6,
        ],
        [
          "nodes",
          ["node", "worker-1"],
          [
            "NAME",
            "STATUS",
            "ROLES",
            "AGE",
            "VERSION",
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME",
          ],
          3,
          5,
        ],
        ["namespaces", ["namespace", "team-a"], ["NAME", "STATUS", "AGE"], 2, 3],
        ["configmaps", ["configmap", "settings"], ["NAME", "DATA", "AGE"], 2, 3],
      ];
      const expectedCells: Record<string, string[]> = {
        pods: ["box", "0/1", "Pending", "0", "<age>", "<none>", "<none>", "<none>", "<none>"],
        deployments: ["web", "0/2", "0", "0", "<age>", "nginx", "nginx:1.27", "app=web"],
        services: ["web", "ClusterIP", "<none>", "<none>", "80/TCP", "<age>", "app=web"],
        nodes: [
          "worker-1",
          "Ready",
          "worker",
          "<age>",
          "v1.37.2",
          "10.1.2.3",
          "<none>",
          "Debian",
          "6.1.0 (amd64)",
          "containerd://2.0.0",
        ],
        namespaces: ["team-a", "Active", "<age>"],
        configmaps: ["settings", "2", "<age>"],
      };
      for (const [resource, target, header, ageIndex, narrowCount] of cases) {
        await t.step(resource, async () => {
          const [head, row] = rows(await kubectl("get", ...target, "-o", "wide"));
          assertEquals(head, header);
          assertMatch(row![ageIndex]!, age);
          row![ageIndex] = "<age>";
          assertEquals(row, expectedCells[resource]);
          // Without -o wide, kubectl hides the priority-1 columns.
          const [narrow] = rows(await kubectl("get", ...target));
          assertEquals(narrow, header.slice(0, narrowCount));
        });
      }
    });

    await t.step("kubectl describe prints a deployment and a pod", async () => {
      const deployment = await kubectl("describe", "deployment", "web");
      assertMatch(deployment, /^Name:\s+web$/m);
      assertMatch(deployment, /^Replicas:\s+2 desired/m);
      assertMatch(deployment, /Image:\s+nginx:1\.27/);
      const pod = await kubectl("describe", "pod", "box");
      assertMatch(pod, /^Status:\s+Pending$/m);
      assertMatch(pod, /^Labels:\s+app=box$/m);
    });

    await t.step("kubectl patch applies strategic, merge and JSON patches", async () => {
      assertEquals(
        (await kubectl(
          "patch",
          "deployment",
          "web",
          "-p",
          '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}',
        )).trim(),
        "deployment.apps/web patched",
      );
      await kubectl(
        "patch",
        "deployment",
        "web",
        "--type=merge",
        "-p",
        '{"spec":{"replicas":3}}',
      );
      await kubectl(
        "patch",
        "deployment",
        "web",
        "--type=json",
        "-p",
        '[{"op":"add","path":"/metadata/labels/tier","value":"front"}]',
      );
      const d = JSON.parse(await kubectl("get", "deployment", "web", "-o", "json"));
      // The strategic patch merged the container by name: its port is still there.
      assertEquals(d.spec.template.spec.containers, [{
        name: "nginx",
        image: "nginx:1.28",
        ports: [{ containerPort: 80 }],
        resources: {},
      }]);
      assertEquals([d.spec.replicas, d.metadata.labels], [3, { app: "web", tier: "front" }]);
    });

    await t.step("kubectl wait --for=condition waits for a status condition", async () => {
      const res = await waitWhile(h, ["--for=condition=Ready", "pod/box"], () =>
        kubectl(
          "patch",
          "pod",
          "box",
          "--subresource=status",
          "--type=merge",
          "-p",
          '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}',
        ));
      assertEquals([res.code, res.stdout.trim()], [0, "pod/box condition met"], res.stderr);
    });

    await t.step("kubectl wait --for=jsonpath waits for a field value", async () => {
      const res = await waitWhile(
        h,
        ["--for=jsonpath={.spec.replicas}=5", "deployment/web"],
        () =>
          kubectl("patch", "deployment", "web", "--type=merge", "-p", '{"spec":{"replicas":5}}'),
      );
      assertEquals(
        [res.code, res.stdout.trim()],
        [0, "deployment.apps/web condition met"],
        res.stderr,
      );
    });

    await t.step("kubectl wait times out on a condition that never holds", async () => {
      const res = await h.kubectlResult([
        "wait",
        "--for=condition=Complete",
        "job/once",
        "--timeout=1s",
      ]);
      assertEquals(res.code, 1);
      assertStringIncludes(res.stderr, "timed out waiting for the condition on jobs/once");
    });

    await t.step("kubectl wait --for=delete returns once the object is gone", async () => {
      const res = await waitWhile(
        h,
        ["--for=delete", "configmap/settings"],
        () => kubectl("delete", "configmap", "settings", "--wait=false"),
      );
      assertEquals(res.code, 0, res.stderr);
    });

    await t.step("kubectl delete removes objects of the generated kinds", async () => {
      assertEquals(
        (await kubectl("delete", "deployment", "web")).trim(),
        'deployment.apps "web" deleted',
      );
      assertEquals(
        (await kubectl("delete", "clusterrolebinding", "viewer")).trim(),
        'clusterrolebinding.rbac.authorization.k8s.io "viewer" deleted',
      );
      const left = await h.kubectlResult(["get", "deployment", "web"]);
      assertEquals(left.code, 1);
      assertStringIncludes(left.stderr, 'deployments.apps "web" not found');
      assert((await kubectl("get", "clusterrolebindings", "-o", "name")).trim() === "");
    });
  },
);

kubectlTest(
  "kubectl scale and kubectl delete namespace work against the fake",
  [],
  async (h, t) => {
    const { kubectl } = h;
    await kubectl("create", "namespace", "doomed");
    await kubectl("create", "deployment", "web", "-n", "doomed", "--image=nginx:1.27");
    await kubectl("create", "configmap", "settings", "-n", "doomed", "--from-literal=a=b");

    await t.step("kubectl scale patches the scale subresource", async () => {
      assertEquals(
        (await kubectl("scale", "deployment/web", "-n", "doomed", "--replicas=4")).trim(),
        "deployment.apps/web scaled",
      );
      const d = JSON.parse(
        await kubectl("get", "deployment", "web", "-n", "doomed", "-o", "json"),
      );
      assertEquals(d.spec.replicas, 4);
    });

    await t.step("kubectl scale --current-replicas reads and updates the Scale", async () => {
      assertEquals(
        (await kubectl(
          "scale",
          "deployment",
          "web",
          "-n",
          "doomed",
          "--current-replicas=4",
          "--replicas=2",
        )).trim(),
        "deployment.apps/web scaled",
      );
      const wrong = await h.kubectlResult([
        "scale",
        "deployment/web",
        "-n",
        "doomed",
        "--current-replicas=9",
        "--replicas=1",
      ]);
      assertEquals(wrong.code, 1);
      assertStringIncludes(wrong.stderr, "Expected replicas to be 9, was 2");
      const d = JSON.parse(
        await kubectl("get", "deployment", "web", "-n", "doomed", "-o", "json"),
      );
      assertEquals(d.spec.replicas, 2);
    });

    await t.step(
      "kubectl delete namespace waits until the namespace and its content are gone",
      async () => {
        assertEquals(
          (await kubectl("delete", "namespace", "doomed", "--timeout=20s")).trim(),
          'namespace "doomed" deleted',
        );
        const gone = await h.kubectlResult(["get", "namespace", "doomed"]);
        assertEquals(gone.code, 1);
        assertStringIncludes(gone.stderr, 'namespaces "doomed" not found');
        assertEquals(
          (await kubectl("get", "deployments,configmaps", "-A", "-o", "name")).trim(),
          "",
        );
      },
    );
  },
);
