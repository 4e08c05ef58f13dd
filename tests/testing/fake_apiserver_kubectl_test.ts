import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  fail,
} from "../_helpers/assert.ts";
import { generateTestCertificates } from "../_helpers/fake_server_tls.ts";
import { createTlsFetch, type TlsFetch } from "../../src/runtime/tls_fetch.ts";

const CLI = new URL("../../src/runtime/fake_apiserver_cli.ts", import.meta.url).pathname;

async function hasKubectl(): Promise<boolean> {
  try {
    const out = await new Deno.Command("kubectl", {
      args: ["version", "--client"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** Reads a child's stdout line by line. */
class LineReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly lines: string[] = [];
  #pending: Promise<ReadableStreamReadResult<string>> | undefined;
  #buffer = "";

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Waits for a line matching `pattern`; returns it. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.lines.find((l) => pattern.test(l));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) fail(`no line matching ${pattern} in:\n${this.lines.join("\n")}`);
      this.#pending ??= this.#reader.read();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        this.#pending,
        new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), left))),
      ]);
      clearTimeout(timer);
      if (result === "timeout") continue;
      this.#pending = undefined;
      if (result.done) {
        fail(`stream ended without a line matching ${pattern}:\n${this.lines.join("\n")}`);
      }
      this.#buffer += result.value;
      const parts = this.#buffer.split("\n");
      this.#buffer = parts.pop()!;
      this.lines.push(...parts);
    }
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
    await this.#pending?.catch(() => {});
  }
}

Deno.test({
  name: "kubectl create, get, get -w and delete work against the fake-apiserver CLI",
  async fn(t) {
    if (!(await hasKubectl())) {
      console.log("kubectl is not on PATH: skipping the kubectl test");
      return;
    }
    const dir = await Deno.makeTempDir({ prefix: "kubectl-fake-" });
    const certs = await generateTestCertificates();
    const args = [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      CLI,
      "--port",
      "0",
      "--seed-pods",
      "2",
    ];
    let tls: TlsFetch | undefined;
    if (certs !== undefined) {
      await Deno.writeTextFile(`${dir}/cert.pem`, certs.cert + certs.ca);
      await Deno.writeTextFile(`${dir}/key.pem`, certs.key);
      args.push("--token", "kubectl-token", "--cert", `${dir}/cert.pem`, "--key", `${dir}/key.pem`);
      tls = createTlsFetch({ caCerts: [certs.ca] });
    }
    const server = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
      .spawn();
    const out = new LineReader(server.stdout);
    try {
      const url = (await out.waitFor(/^fake-apiserver listening on /)).split(" ").pop()!;
      const kubeconfig = (await out.waitFor(/^kubeconfig: /)).slice("kubeconfig: ".length);
      assertMatch(
        url,
        certs === undefined ? /^http:\/\/127\.0\.0\.1:\d+$/ : /^https:\/\/127\.0\.0\.1:\d+$/,
      );
      if (certs !== undefined) {
        // kubeconfig trusts the serving chain; kubectl sends the token only over TLS.
        assertStringIncludes(await Deno.readTextFile(kubeconfig), 'token: "kubectl-token"');
      }
      const env = { KUBECONFIG: kubeconfig, HOME: dir };
      const kubectl = async (...kargs: string[]) => {
        const res = await new Deno.Command("kubectl", {
          args: kargs,
          env,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(res.stdout);
        const err = new TextDecoder().decode(res.stderr);
        if (!res.success) fail(`kubectl ${kargs.join(" ")} failed (${res.code}):\n${text}\n${err}`);
        return text;
      };

      await t.step("kubectl create -f creates a pod from YAML", async () => {
        await Deno.writeTextFile(
          `${dir}/pod.yaml`,
          "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\n  labels:\n    app: demo\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
        );
        assertEquals(
          (await kubectl("create", "-f", `${dir}/pod.yaml`)).trim(),
          "pod/from-yaml created",
        );
      });

      await t.step("kubectl get pods -A lists every pod with a table", async () => {
        const text = await kubectl("get", "pods", "-A");
        const lines = text.trim().split("\n");
        assertMatch(lines[0]!, /^NAMESPACE\s+NAME\s+CREATED AT$/);
        assertEquals(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join("/")), [
          "default/from-yaml",
          "default/pod-00000",
          "default/pod-00001",
        ]);
        assertEquals(
          (await kubectl("get", "pods", "-l", "app=demo", "-o", "name")).trim(),
          "pod/from-yaml",
        );
      });

      await t.step("kubectl get pods -w prints a pod created meanwhile", async () => {
        const watcher = new Deno.Command("kubectl", {
          args: ["get", "pods", "-w"],
          env,
          stdout: "piped",
          stderr: "null",
        })
          .spawn();
        const lines = new LineReader(watcher.stdout);
        try {
          await lines.waitFor(/^pod-00001\s/);
          const body = JSON.stringify({
            metadata: { name: "late-pod" },
            spec: { containers: [{ name: "c", image: "x" }] },
          });
          const request = new Request(`${url}/api/v1/namespaces/default/pods`, {
            method: "POST",
            body,
            headers: { "Content-Type": "application/json", Authorization: "Bearer kubectl-token" },
          });
          const res = await (tls ? tls.fetch(request) : fetch(request));
          assertEquals(res.status, 201);
          await res.body?.cancel();
          await lines.waitFor(/^late-pod\s/);
        } finally {
          watcher.kill("SIGTERM");
          await lines.close();
          await watcher.status;
        }
      });

      await t.step("kubectl delete pod removes it", async () => {
        assertEquals(
          (await kubectl("delete", "pod", "from-yaml")).trim(),
          'pod "from-yaml" deleted',
        );
        const names = (await kubectl("get", "pods", "-o", "name")).trim().split("\n");
        assertEquals(names, ["pod/late-pod", "pod/pod-00000", "pod/pod-00001"]);
      });

      await t.step("kubectl get --raw returns the list JSON", async () => {
        const raw = JSON.parse(await kubectl("get", "--raw", "/api/v1/namespaces/default/pods"));
        assertEquals(raw.kind, "PodList");
        assertEquals(raw.items.length, 3);
        assert(Number(raw.metadata.resourceVersion) > 1);
      });
    } finally {
      server.kill("SIGTERM");
      await out.waitFor(/^fake-apiserver stopped$/).catch(() => {});
      await out.close();
      const status = await server.status;
      tls?.close();
      await Deno.remove(dir, { recursive: true });
      assertEquals(status.code, 0);
    }
  },
});
