/**
 * TLS against local HTTPS servers with the test CA in `tests/_fixtures/tls/`.
 * Deno.serve cannot ask for client certificates, so client-certificate tests
 * run a small Node https server (`requestCert`, `rejectUnauthorized`) as a
 * child process.
 */

import { TransportError } from "../../src/api/errors.ts";
import { kubeConfigToClientOptions } from "../../src/client/client_config.ts";
import { KubeClient } from "../../src/client/kube_client.ts";
import type { KubeClientOptions } from "../../src/client/kube_client_options.ts";
import { type KubeConfig, parseKubeConfig } from "../../src/client/kube_config.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_helpers/assert.ts";

const TLS = new URL("../_fixtures/tls/", import.meta.url);
const tlsPath = (name: string) => new URL(name, TLS).pathname;
const pem = (name: string) => Deno.readTextFileSync(new URL(name, TLS));
const KUBECONFIGS = new URL("../_fixtures/kubeconfig/", import.meta.url);
const PLUGIN = new URL("../_fixtures/exec_plugin.ts", import.meta.url).pathname;

/** A kubeconfig from a fixture, pointed at `server`. */
function kubeconfigFor(name: string, server: string, path?: string): KubeConfig {
  const kc = parseKubeConfig(Deno.readTextFileSync(new URL(name, KUBECONFIGS)), { path });
  const cluster = kc.clusters[0]?.cluster;
  assert(cluster, `${name} has a cluster`);
  cluster.server = server;
  return kc;
}

/** A kubeconfig for `server` with the given cluster and user fields. */
function kubeconfig(server: string, cluster: string, user: string): KubeConfig {
  return parseKubeConfig(
    `clusters:\n- name: c\n  cluster:\n    server: ${server}\n${cluster}` +
      `users:\n- name: u\n  user:\n${user || "    {}\n"}` +
      "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n",
  );
}

const caData = `    certificate-authority-data: ${btoa(pem("ca.crt"))}\n`;

async function withDenoServer(
  certName: string,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    {
      port: 0,
      hostname: "127.0.0.1",
      cert: pem(`${certName}.crt`),
      key: pem(`${certName}.key`),
      onListen() {},
    },
    (request) =>
      Response.json({
        path: new URL(request.url).pathname,
        authorization: request.headers.get("authorization"),
      }),
  );
  try {
    await fn(`https://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

async function withClose(options: KubeClientOptions, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } finally {
    options.onClose?.();
  }
}

function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(" <- ");
}

Deno.test("a kubeconfig with the test CA reaches an HTTPS server", async () => {
  await withDenoServer("server", async (url) => {
    const options = kubeConfigToClientOptions(kubeconfig(url, caData, "    token: t0k\n"));
    await withClose(options, async () => {
      const client = new KubeClient(options);
      const body = await client.requestJson<{ path: string; authorization: string }>({
        path: "/version",
      });
      assertEquals(body, { path: "/version", authorization: "Bearer t0k" });
    });
  });
});

Deno.test("a kubeconfig without the CA fails with a certificate error", async () => {
  await withDenoServer("server", async (url) => {
    const options = kubeConfigToClientOptions(kubeconfig(url, "", ""));
    assertEquals(options.fetch, undefined);
    const client = new KubeClient(options);
    const err = await assertRejects(() => client.request({ path: "/version" }), TransportError);
    assertStringIncludes(causeChain(err), "invalid peer certificate: UnknownIssuer");
  });
});

Deno.test("a kubeconfig trusting another CA fails with an explained certificate error", async () => {
  await withDenoServer("server", async (url) => {
    const options = kubeConfigToClientOptions(
      kubeconfig(url, `    certificate-authority: ${tlsPath("other-ca.crt")}\n`, ""),
    );
    await withClose(options, async () => {
      const fetch = options.fetch;
      assert(fetch);
      const err = await assertRejects(() => fetch(new Request(`${url}/version`)), TypeError);
      assertStringIncludes(err.message, "invalid peer certificate: UnknownIssuer");
      assertStringIncludes(
        err.message,
        "(the server's certificate is not signed by a trusted certificate authority",
      );
      const client = new KubeClient(options);
      const wrapped = await assertRejects(
        () => client.request({ path: "/version" }),
        TransportError,
      );
      assertStringIncludes(wrapped.message, "UnknownIssuer");
    });
  });
});

Deno.test("a server certificate for another name fails with an explained error", async () => {
  await withDenoServer("named-server", async (url) => {
    const options = kubeConfigToClientOptions(kubeconfig(url, caData, ""));
    await withClose(options, async () => {
      const fetch = options.fetch;
      assert(fetch);
      const err = await assertRejects(() => fetch(new Request(`${url}/`)), TypeError);
      assertStringIncludes(err.message, 'certificate not valid for name "127.0.0.1"');
      assertStringIncludes(
        err.message,
        "(the server's certificate does not name the host of the server URL)",
      );
    });
  });
});

// ---- client certificates, against Node's https server -------------------------------------

const NODE_SERVER = `
const https = require("https");
const fs = require("fs");
const dir = process.argv[1];
const server = https.createServer({
  key: fs.readFileSync(dir + "/server.key"),
  cert: fs.readFileSync(dir + "/server.crt"),
  ca: fs.readFileSync(dir + "/ca.crt"),
  requestCert: true,
  rejectUnauthorized: true,
}, (req, res) => {
  const cert = req.socket.getPeerCertificate();
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ client: cert && cert.subject ? cert.subject.CN : null, path: req.url }));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

async function nodeMissing(): Promise<string | undefined> {
  try {
    const { success, stdout } = await new Deno.Command("node", {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    })
      .output();
    // Without a real node on PATH, Deno answers "node" itself; a real one prints "v20...".
    const version = new TextDecoder().decode(stdout).trim();
    return success && /^v\d+/.test(version)
      ? undefined
      : `node --version printed ${JSON.stringify(version)}`;
  } catch (err) {
    return err instanceof Deno.errors.NotFound ? "node is not on PATH" : String(err);
  }
}

const skipReason = await nodeMissing();
if (skipReason) console.log(`skipping the client-certificate TLS tests: ${skipReason}`);

async function withNodeServer(fn: (url: string) => Promise<void>): Promise<void> {
  const child = new Deno.Command("node", {
    args: ["-e", NODE_SERVER, new URL(".", TLS).pathname.replace(/\/$/, "")],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the node https server exited before printing its port");
      out += value;
    }
    await fn(`https://127.0.0.1:${Number(out.trim())}`);
  } finally {
    await child.stdin.close();
    await reader.cancel();
    const status = await child.status;
    assertEquals(status.success, true);
  }
}

Deno.test({
  name: "a client certificate from kubeconfig data is accepted by a server requiring one",
  ignore: skipReason !== undefined,
  async fn() {
    await withNodeServer(async (url) => {
      const options = kubeConfigToClientOptions(kubeconfigFor("kind.kubeconfig", url));
      await withClose(options, async () => {
        const client = new KubeClient(options);
        const body = await client.requestJson<{ client: string; path: string }>({ path: "/api" });
        assertEquals(body, { client: "kubesnap-test-client", path: "/api" });
      });
    });
  },
});

Deno.test({
  name: "a client certificate from files relative to the kubeconfig is accepted",
  ignore: skipReason !== undefined,
  async fn() {
    await withNodeServer(async (url) => {
      const path = new URL("home/.kube/config", KUBECONFIGS).pathname;
      const options = kubeConfigToClientOptions(kubeconfigFor("home/.kube/config", url, path));
      await withClose(options, async () => {
        const fetch = options.fetch;
        assert(fetch);
        const response = await fetch(new Request(`${url}/healthz`));
        assertEquals(await response.json(), { client: "kubesnap-test-client", path: "/healthz" });
      });
    });
  },
});

Deno.test({
  name: "a client without a certificate is rejected by a server requiring one",
  ignore: skipReason !== undefined,
  async fn() {
    await withNodeServer(async (url) => {
      const options = kubeConfigToClientOptions(kubeconfig(url, caData, ""));
      await withClose(options, async () => {
        const fetch = options.fetch;
        assert(fetch);
        const err = await assertRejects(() => fetch(new Request(`${url}/api`)), TypeError);
        assertStringIncludes(
          err.message,
          "received fatal alert: CertificateRequired (the server requires a client certificate: set client-certificate and client-key)",
        );
      });
    });
  },
});

Deno.test({
  name: "a client certificate returned by an exec plugin is presented",
  ignore: skipReason !== undefined,
  async fn() {
    const state = await Deno.makeTempDir({ prefix: "kubesnap-tls-exec-" });
    try {
      await withNodeServer(async (url) => {
        const user = [
          "    exec:",
          "      apiVersion: client.authentication.k8s.io/v1",
          `      command: ${Deno.execPath()}`,
          `      args: [run, --quiet, --no-config, --allow-env, --allow-read, --allow-write, ${PLUGIN}]`,
          "      env:",
          `      - {name: PLUGIN_STATE_DIR, value: ${state}}`,
          "      - {name: PLUGIN_MODE, value: cert}",
          `      - {name: PLUGIN_CERT_FILE, value: ${tlsPath("client.crt")}}`,
          `      - {name: PLUGIN_KEY_FILE, value: ${tlsPath("client.key")}}`,
          "",
        ].join("\n");
        const options = kubeConfigToClientOptions(kubeconfig(url, caData, user));
        await withClose(options, async () => {
          const client = new KubeClient(options);
          const body = await client.requestJson<{ client: string }>({ path: "/api" });
          assertEquals(body.client, "kubesnap-test-client");
        });
      });
    } finally {
      await Deno.remove(state, { recursive: true });
    }
  },
});
