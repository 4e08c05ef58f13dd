/**
 * Deno's TLS path (`Deno.createHttpClient`, built from a kubeconfig) against
 * the fake apiserver itself over HTTPS, with the test CA in
 * `tests/_fixtures/tls/`. The fake apiserver cannot ask for client
 * certificates (`Deno.serve` has no such option), so client certificates are
 * tested against a Node https server in `tests/client/tls_test.ts`.
 */

import { ApiError, TransportError } from "../../src/api/errors.ts";
import { pods } from "../../src/api/resources.ts";
import { KubeClient } from "../../src/client/kube_client.ts";
import { parseKubeConfig } from "../../src/client/kube_config.ts";
import { SharedInformerFactory } from "../../src/informer/shared_informer_factory.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "../_helpers/assert.ts";

const TLS = new URL("../_fixtures/tls/", import.meta.url);
const pem = (name: string) => Deno.readTextFileSync(new URL(name, TLS));
const TOKEN = "deno-tls-token";

/** A client for `server` from a kubeconfig that trusts `ca` and sends `token`. */
function clientFor(server: string, ca: string, token: string | undefined): KubeClient {
  const user = token === undefined ? "    {}\n" : `    token: ${token}\n`;
  return KubeClient.fromKubeConfig(parseKubeConfig(
    `clusters:\n- name: c\n  cluster:\n    server: ${server}\n` +
      `    certificate-authority-data: ${btoa(pem(ca))}\n` +
      `users:\n- name: u\n  user:\n${user}` +
      "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n",
  ));
}

async function withHttpsServer(fn: (server: FakeApiServer) => Promise<void>): Promise<void> {
  await using server = await FakeApiServer.start({
    token: TOKEN,
    tls: { cert: pem("server.crt"), key: pem("server.key") },
  });
  server.create(pods, { metadata: { namespace: "default", name: "web-0" } });
  await fn(server);
}

Deno.test("the fake apiserver over HTTPS is reached with the test CA from a kubeconfig", async () => {
  await withHttpsServer(async (server) => {
    assertEquals(server.url.startsWith("https://127.0.0.1:"), true);
    const client = clientFor(server.url, "ca.crt", TOKEN);
    try {
      const list = await client.resource(pods).list();
      assertEquals(list.items.map((p) => p.metadata?.name), ["web-0"]);
    } finally {
      client.close();
    }
  });
});

Deno.test("an informer syncs and follows a watch over HTTPS with the test CA", async () => {
  await withHttpsServer(async (server) => {
    const client = clientFor(server.url, "ca.crt", TOKEN);
    const factory = new SharedInformerFactory(client);
    const informer = factory.informerFor(pods);
    const ac = new AbortController();
    try {
      const added = new Promise<string | undefined>((resolve) => {
        informer.addEventHandler({
          onAdd: (pod, initial) => {
            if (!initial) resolve(pod.metadata?.name);
          },
        });
      });
      factory.start(ac.signal);
      await factory.waitForCacheSync(ac.signal);
      assertEquals(informer.indexer.listKeys(), ["default/web-0"]);
      server.create(pods, { metadata: { namespace: "default", name: "web-1" } });
      assertEquals(await added, "web-1");
    } finally {
      ac.abort();
      await factory.shutdown();
      client.close();
    }
  });
});

Deno.test("trusting another CA fails with a TransportError naming the unknown issuer", async () => {
  await withHttpsServer(async (server) => {
    const client = clientFor(server.url, "other-ca.crt", TOKEN);
    try {
      const err = await assertRejects(() => client.resource(pods).list(), TransportError);
      assertEquals(err.message.startsWith("GET /api/v1/pods failed: "), true);
      assertStringIncludes(err.message, "invalid peer certificate: UnknownIssuer");
      assertStringIncludes(
        err.message,
        "(the server's certificate is not signed by a trusted certificate authority: " +
          "check certificate-authority / certificate-authority-data)",
      );
    } finally {
      client.close();
    }
  });
});

Deno.test("a request over HTTPS without the token gets ApiError 401 Unauthorized", async () => {
  await withHttpsServer(async (server) => {
    const client = clientFor(server.url, "ca.crt", undefined);
    try {
      const err = await assertRejects(() => client.resource(pods).list(), ApiError);
      assertEquals([err.code, err.reason], [401, "Unauthorized"]);
      assertEquals(err.message.includes(TOKEN), false);
    } finally {
      client.close();
    }
  });
});

Deno.test("a wrong token over HTTPS gets ApiError 401 and is not echoed", async () => {
  await withHttpsServer(async (server) => {
    const client = clientFor(server.url, "ca.crt", "not-the-token");
    try {
      const err = await assertRejects(() => client.resource(pods).list(), ApiError);
      assertEquals(err.code, 401);
      assertEquals(err.message.includes("not-the-token"), false);
    } finally {
      client.close();
    }
  });
});
