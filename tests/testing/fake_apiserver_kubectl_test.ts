import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { kubectlTest, LineReader } from "../_helpers/kubectl.ts";

kubectlTest(
  "kubectl create, get, get -w, label, apply and delete work against the fake-apiserver CLI",
  ["--seed-pods", "2"],
  async (h, t) => {
    const { kubectl } = h;
    assertMatch(h.url, h.tls ? /^https:\/\/127\.0\.0\.1:\d+$/ : /^http:\/\/127\.0\.0\.1:\d+$/);
    if (h.tls) {
      // kubeconfig trusts the serving chain; kubectl sends the token only over TLS.
      assertStringIncludes(await Deno.readTextFile(h.kubeconfig), 'token: "kubectl-token"');
    }

    await t.step("kubectl create -f creates a pod from YAML", async () => {
      await Deno.writeTextFile(
        `${h.dir}/pod.yaml`,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\n  labels:\n    app: demo\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
      );
      assertEquals(
        (await kubectl("create", "-f", `${h.dir}/pod.yaml`)).trim(),
        "pod/from-yaml created",
      );
    });

    await t.step(
      "kubectl get pods -A lists every pod with the real server's columns",
      async () => {
        const text = await kubectl("get", "pods", "-A");
        const lines = text.trim().split("\n");
        assertMatch(lines[0]!, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
        assertEquals(
          lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join("/")),
          [
            "default/from-yaml",
            "default/pod-00000",
            "default/pod-00001",
          ],
        );
        assertEquals(
          (await kubectl("get", "pods", "-l", "app=demo", "-o", "name")).trim(),
          "pod/from-yaml",
        );
      },
    );

    await t.step("kubectl get pods -w prints a pod created meanwhile", async () => {
      const watcher = new Deno.Command("kubectl", {
        args: ["get", "pods", "-w"],
        env: h.env,
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const lines = new LineReader(watcher.stdout);
      try {
        await lines.waitFor(/^pod-00001\s/);
        const res = await h.fetch("/api/v1/namespaces/default/pods", {
          method: "POST",
          body: JSON.stringify({
            metadata: { name: "late-pod" },
            spec: { containers: [{ name: "c", image: "x" }] },
          }),
          headers: { "Content-Type": "application/json" },
        });
        assertEquals(res.status, 201);
        await res.body?.cancel();
        await lines.waitFor(/^late-pod\s+0\/1\s+Pending\s+0\s+\d+s$/);
      } finally {
        watcher.kill("SIGTERM");
        await lines.close();
        await watcher.status;
      }
    });

    await t.step("kubectl label and annotate change metadata", async () => {
      assertEquals(
        (await kubectl("label", "pod", "from-yaml", "tier=web")).trim(),
        "pod/from-yaml labeled",
      );
      assertEquals(
        (await kubectl("annotate", "pod", "from-yaml", "owner=team-a")).trim(),
        "pod/from-yaml annotated",
      );
      assertEquals(
        (await kubectl("label", "pod", "from-yaml", "tier-")).trim(),
        "pod/from-yaml unlabeled",
      );
      const meta = JSON.parse(await kubectl("get", "pod", "from-yaml", "-o", "json")).metadata;
      assertEquals([meta.labels, meta.annotations.owner], [{ app: "demo" }, "team-a"]);
    });

    await t.step(
      "kubectl apply creates, then configures, and --server-side applies",
      async () => {
        const file = `${h.dir}/cm.yaml`;
        const manifest = (value: string) =>
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: ${value}\n`;
        await Deno.writeTextFile(file, manifest("a"));
        assertEquals((await kubectl("apply", "-f", file)).trim(), "configmap/settings created");
        await Deno.writeTextFile(file, manifest("b"));
        assertEquals(
          (await kubectl("apply", "-f", file)).trim(),
          "configmap/settings configured",
        );
        await Deno.writeTextFile(file, manifest("c"));
        assertEquals(
          (await kubectl("apply", "--server-side", "--force-conflicts", "-f", file)).trim(),
          "configmap/settings serverside-applied",
        );
        const cm = JSON.parse(await kubectl("get", "configmap", "settings", "-o", "json"));
        assertEquals(cm.data, { mode: "c" });
        assertEquals(
          (await h.kubectlResult(["diff", "-f", file])).code,
          0,
          "kubectl diff sees no difference",
        );
      },
    );

    await t.step("kubectl run creates a pod", async () => {
      assertEquals(
        (await kubectl("run", "runner", "--image=busybox")).trim(),
        "pod/runner created",
      );
      const pod = JSON.parse(await kubectl("get", "pod", "runner", "-o", "json"));
      assertEquals(pod.spec.containers[0].image, "busybox");
    });

    await t.step("kubectl delete pod removes it", async () => {
      assertEquals(
        (await kubectl("delete", "pod", "from-yaml")).trim(),
        'pod "from-yaml" deleted',
      );
      const names = (await kubectl("get", "pods", "-o", "name")).trim().split("\n");
      assertEquals(names, ["pod/late-pod", "pod/pod-00000", "pod/pod-00001", "pod/runner"]);
    });

    await t.step("kubectl get --raw returns the list JSON", async () => {
      const raw = JSON.parse(await kubectl("get", "--raw", "/api/v1/namespaces/default/pods"));
      assertEquals(raw.kind, "PodList");
      assertEquals(raw.items.length, 4);
      assert(Number(raw.metadata.resourceVersion) > 1);
    });
  },
);
