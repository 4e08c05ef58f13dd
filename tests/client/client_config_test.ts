import { ApiError, KubeConfigError } from "../../src/api/errors.ts";
import { BasicCredentials } from "../../src/client/basic_credentials.ts";
import {
  autoDetectClientOptions,
  inClusterClientOptions,
  kubeConfigToClientOptions,
} from "../../src/client/client_config.ts";
import { ExecCredentials } from "../../src/client/exec_credentials.ts";
import { KubeClient } from "../../src/client/kube_client.ts";
import type { KubeClientOptions } from "../../src/client/kube_client_options.ts";
import { type KubeConfig, parseKubeConfig } from "../../src/client/kube_config.ts";
import { TokenFileCredentials } from "../../src/client/token_file_credentials.ts";
import {
  assert,
  assertEquals,
  assertExists,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../_helpers/assert.ts";

const FIXTURES = new URL("../_fixtures/", import.meta.url);
const fixturePath = (name: string) => new URL(name, FIXTURES).pathname;
const fixture = (name: string) => Deno.readTextFileSync(new URL(name, FIXTURES));
const PLUGIN = fixturePath("exec_plugin.ts");

function withClose(options: KubeClientOptions, fn: () => void | Promise<void>): Promise<void> {
  return Promise.resolve().then(fn).finally(() => options.onClose?.());
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kubesnap-config-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function simple(user: string, cluster = "server: https://10.0.0.1:6443"): KubeConfig {
  return parseKubeConfig(
    `clusters:\n- name: c\n  cluster:\n    ${cluster.replaceAll("\n", "\n    ")}\n` +
      `users:\n- name: u\n  user:\n    ${user.replaceAll("\n", "\n    ")}\n` +
      "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\ncurrent-context: ctx\n",
  );
}

Deno.test("kubeConfigToClientOptions builds a TLS fetch for the kind kubeconfig", async () => {
  const options = kubeConfigToClientOptions(parseKubeConfig(fixture("kubeconfig/kind.kubeconfig")));
  await withClose(options, () => {
    assertEquals(options.server, "https://127.0.0.1:43117");
    assertEquals(options.token, undefined);
    assertEquals(options.credentials, undefined);
    assertEquals(options.namespace, undefined);
    assertEquals(typeof options.fetch, "function");
    assertEquals(typeof options.onClose, "function");
  });
});

Deno.test("kubeConfigToClientOptions uses the token, namespace and server of a token kubeconfig", () => {
  const options = kubeConfigToClientOptions(
    parseKubeConfig(fixture("kubeconfig/token.kubeconfig")),
  );
  assertEquals(options, {
    server: "https://k8s.example.com:6443",
    namespace: "ci",
    token:
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImRlbW8ifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2k6Ym90In0.c2lnbmF0dXJl",
  });
});

Deno.test("kubeConfigToClientOptions uses basic credentials for username and password", async () => {
  const options = kubeConfigToClientOptions(parseKubeConfig(fixture("kubeconfig/token.json")));
  assertEquals(options.server, "http://127.0.0.1:8080");
  assertEquals(options.namespace, "sandbox");
  assertEquals(options.fetch, undefined);
  assert(options.credentials instanceof BasicCredentials);
  assertEquals(
    await options.credentials.authorization({}),
    `Basic ${btoa("admin:correct horse battery staple")}`,
  );
});

Deno.test("kubeConfigToClientOptions uses the exec plugin of the EKS kubeconfig", async () => {
  const options = kubeConfigToClientOptions(parseKubeConfig(fixture("kubeconfig/eks.kubeconfig")));
  await withClose(options, () => {
    assertEquals(
      options.server,
      "https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com",
    );
    assert(options.credentials instanceof ExecCredentials);
    assertEquals(options.credentials.command, "aws");
    assertEquals(typeof options.fetch, "function");
  });
});

Deno.test("kubeConfigToClientOptions passes the GKE cluster to a provideClusterInfo plugin", async () => {
  await withTempDir(async (dir) => {
    const kc = parseKubeConfig(fixture("kubeconfig/gke.kubeconfig"));
    const exec = kc.users[0]?.user.exec;
    assertExists(exec);
    // Same configuration, but the command is the test plugin.
    exec.command = Deno.execPath();
    exec.args = [
      "run",
      "--quiet",
      "--no-config",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      PLUGIN,
    ];
    exec.env = [{ name: "PLUGIN_STATE_DIR", value: dir }];
    const options = kubeConfigToClientOptions(kc);
    await withClose(options, async () => {
      assertExists(options.credentials);
      assertEquals(await options.credentials.authorization({}), "Bearer plugin-token-1");
      const info = JSON.parse(await Deno.readTextFile(`${dir}/info-1.json`));
      assertEquals(info, {
        apiVersion: "client.authentication.k8s.io/v1",
        kind: "ExecCredential",
        spec: {
          interactive: false,
          cluster: {
            server: "https://34.118.10.20",
            "certificate-authority-data": btoa(fixture("tls/ca.crt")),
          },
        },
      });
    });
  });
});

Deno.test("kubeConfigToClientOptions reads the files of the minikube kubeconfig", async () => {
  const kc = parseKubeConfig(fixture("kubeconfig/home/.kube/config"), {
    path: fixturePath("kubeconfig/home/.kube/config"),
  });
  const options = kubeConfigToClientOptions(kc);
  await withClose(options, () => {
    assertEquals(options.server, "https://192.168.49.2:8443");
    assertEquals(options.namespace, "default");
    assertEquals(typeof options.fetch, "function");
  });
});

Deno.test("kubeConfigToClientOptions uses a tokenFile provider over a static token", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/token`, "from-file\n");
    const options = kubeConfigToClientOptions(
      simple(`token: static\ntokenFile: ${dir}/token`, "server: http://127.0.0.1:8080"),
    );
    assert(options.credentials instanceof TokenFileCredentials);
    assertEquals(options.token, undefined);
    assertEquals(await options.credentials.authorization({}), "Bearer from-file");
  });
});

Deno.test("kubeConfigToClientOptions picks the context asked for", () => {
  const kc = parseKubeConfig(
    "clusters:\n- {name: a, cluster: {server: https://a.example}}\n- {name: b, cluster: {server: https://b.example}}\n" +
      "contexts:\n- {name: one, context: {cluster: a}}\n- {name: two, context: {cluster: b, namespace: x}}\n" +
      "current-context: one\n",
  );
  assertEquals(kubeConfigToClientOptions(kc), { server: "https://a.example" });
  assertEquals(kubeConfigToClientOptions(kc, { context: "two" }), {
    server: "https://b.example",
    namespace: "x",
  });
});

Deno.test("kubeConfigToClientOptions names a missing context, cluster or user", () => {
  const kc = parseKubeConfig(
    "clusters:\n- {name: a, cluster: {server: https://a.example}}\n" +
      "contexts:\n- {name: one, context: {cluster: a, user: ghost}}\n- {name: two, context: {cluster: nope}}\n",
  );
  assertThrows(
    () => kubeConfigToClientOptions(kc),
    KubeConfigError,
    'the kubeconfig has no current-context; choose one of the contexts "one", "two" with the context option',
  );
  assertThrows(
    () => kubeConfigToClientOptions(kc, { context: "three" }),
    KubeConfigError,
    'context "three" is not defined in the kubeconfig (defined: "one", "two")',
  );
  assertThrows(
    () => kubeConfigToClientOptions(kc, { context: "one" }),
    KubeConfigError,
    'context "one" names user "ghost", which is not defined in the kubeconfig',
  );
  assertThrows(
    () => kubeConfigToClientOptions(kc, { context: "two" }),
    KubeConfigError,
    'context "two" names cluster "nope", which is not defined in the kubeconfig',
  );
  assertThrows(
    () => kubeConfigToClientOptions(parseKubeConfig("")),
    KubeConfigError,
    "the kubeconfig defines no contexts",
  );
});

Deno.test("kubeConfigToClientOptions refuses auth-provider and points to exec plugins", () => {
  const kc = parseKubeConfig(fixture("kubeconfig/malformed/auth-provider-gcp.kubeconfig"));
  const err = assertThrows(() => kubeConfigToClientOptions(kc), KubeConfigError);
  assertStringIncludes(
    err.message,
    'user "gke_old" uses the auth-provider "gcp", which kubesnap does not support',
  );
  assertStringIncludes(err.message, "gke-gcloud-auth-plugin");
  assertEquals(err.message.includes("kubesnap-secret-gcp-access-token"), false);
});

Deno.test("kubeConfigToClientOptions refuses a token together with basic auth", () => {
  assertThrows(
    () => kubeConfigToClientOptions(simple("token: t\nusername: u\npassword: p")),
    KubeConfigError,
    'user "u" sets both a bearer token and a username/password; only one is allowed',
  );
});

Deno.test("kubeConfigToClientOptions explains that insecure-skip-tls-verify cannot be honoured", () => {
  const kc = simple("token: t", "server: https://10.0.0.1:6443\ninsecure-skip-tls-verify: true");
  const err = assertThrows(() => kubeConfigToClientOptions(kc), KubeConfigError);
  assertStringIncludes(
    err.message,
    "insecure-skip-tls-verify is set, but Deno.createHttpClient cannot turn off certificate verification for one client",
  );
  assertStringIncludes(err.message, "--unsafely-ignore-certificate-errors=<host>");
  const injected = (request: Request) => fetch(request);
  assertEquals(kubeConfigToClientOptions(kc, { fetch: injected }).fetch, injected);
});

Deno.test("kubeConfigToClientOptions refuses insecure-skip-tls-verify together with a CA", () => {
  const kc = simple(
    "token: t",
    `server: https://10.0.0.1:6443\ninsecure-skip-tls-verify: true\ncertificate-authority-data: ${
      btoa(fixture("tls/ca.crt"))
    }`,
  );
  assertThrows(
    () => kubeConfigToClientOptions(kc),
    KubeConfigError,
    'cluster "c" sets both insecure-skip-tls-verify and a certificate authority; remove one of them',
  );
});

Deno.test("kubeConfigToClientOptions explains that tls-server-name cannot be honoured", () => {
  assertThrows(
    () =>
      kubeConfigToClientOptions(
        simple("token: t", "server: https://10.0.0.1:6443\ntls-server-name: kubernetes.default"),
      ),
    KubeConfigError,
    'tls-server-name "kubernetes.default" is set, but Deno.createHttpClient cannot verify the server under a name other than the URL\'s host',
  );
  // The same name as the URL's host changes nothing and is accepted.
  const same = kubeConfigToClientOptions(
    simple("token: t", "server: https://kube.example:6443\ntls-server-name: kube.example"),
  );
  assertEquals(same.fetch, undefined);
});

Deno.test("kubeConfigToClientOptions reports bad base64 without quoting it", () => {
  const err = assertThrows(
    () =>
      kubeConfigToClientOptions(
        simple(
          `client-certificate-data: ${
            btoa(fixture("tls/client.crt"))
          }\nclient-key-data: "secret key !!"`,
        ),
      ),
    KubeConfigError,
  );
  assertEquals(err.message, 'client-key-data of user "u" is not valid base64');
});

Deno.test("kubeConfigToClientOptions names a missing certificate file", () => {
  assertThrows(
    () =>
      kubeConfigToClientOptions(
        simple(
          "token: t",
          "server: https://10.0.0.1:6443\ncertificate-authority: /nonexistent/kubesnap/ca.crt",
        ),
      ),
    KubeConfigError,
    'certificate-authority of cluster "c" /nonexistent/kubesnap/ca.crt does not exist',
  );
});

Deno.test("kubeConfigToClientOptions sends impersonation headers", () => {
  const options = kubeConfigToClientOptions(
    simple(
      "token: t\nas: jane\nas-groups: [developers]\nas-user-extra: {scopes: [view]}",
      "server: http://h",
    ),
  );
  assertEquals(options.headers, {
    "Impersonate-User": "jane",
    "Impersonate-Group": "developers",
    "Impersonate-Extra-scopes": "view",
  });
});

async function serviceAccount(dir: string, namespace = "team-a\n"): Promise<void> {
  await Deno.writeTextFile(`${dir}/token`, "sa-token-1\n");
  await Deno.writeTextFile(`${dir}/namespace`, namespace);
  await Deno.copyFile(fixturePath("tls/ca.crt"), `${dir}/ca.crt`);
}

function envOf(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => vars[name];
}

Deno.test("inClusterClientOptions uses the service account files and environment", async () => {
  await withTempDir(async (dir) => {
    await serviceAccount(dir);
    const options = inClusterClientOptions({
      serviceAccountDir: dir,
      env: envOf({ KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" }),
    });
    await withClose(options, async () => {
      assertEquals(options.server, "https://10.96.0.1:443");
      assertEquals(options.namespace, "team-a");
      assert(options.credentials instanceof TokenFileCredentials);
      assertEquals(await options.credentials.authorization({}), "Bearer sa-token-1");
      assertEquals(typeof options.fetch, "function");
    });
  });
});

Deno.test("inClusterClientOptions puts an IPv6 host in brackets and prefers POD_NAMESPACE", async () => {
  await withTempDir(async (dir) => {
    await serviceAccount(dir);
    const options = inClusterClientOptions({
      serviceAccountDir: dir,
      env: envOf({
        KUBERNETES_SERVICE_HOST: "fd00:10:96::1",
        KUBERNETES_SERVICE_PORT: "6443",
        POD_NAMESPACE: "from-env",
      }),
    });
    await withClose(options, () => {
      assertEquals(options.server, "https://[fd00:10:96::1]:6443");
      assertEquals(options.namespace, "from-env");
    });
  });
});

Deno.test("inClusterClientOptions reports what is missing outside a pod", async () => {
  assertThrows(
    () => inClusterClientOptions({ env: envOf({ KUBERNETES_SERVICE_HOST: "10.96.0.1" }) }),
    KubeConfigError,
    "not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set",
  );
  await withTempDir((dir) => {
    assertThrows(
      () =>
        inClusterClientOptions({
          serviceAccountDir: dir,
          env: envOf({ KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" }),
        }),
      KubeConfigError,
      `service-account token ${dir}/token does not exist`,
    );
    return Promise.resolve();
  });
});

Deno.test("autoDetectClientOptions prefers the in-cluster configuration", async () => {
  await withTempDir(async (dir) => {
    await serviceAccount(dir);
    const options = await autoDetectClientOptions({
      serviceAccountDir: dir,
      env: envOf({
        KUBERNETES_SERVICE_HOST: "10.96.0.1",
        KUBERNETES_SERVICE_PORT: "443",
        KUBECONFIG: fixturePath("kubeconfig/token.kubeconfig"),
      }),
    });
    await withClose(options, () => assertEquals(options.server, "https://10.96.0.1:443"));
  });
});

Deno.test("autoDetectClientOptions merges the $KUBECONFIG files, first one winning", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/a`);
    await Deno.mkdir(`${dir}/b`);
    await Deno.writeTextFile(`${dir}/a/token`, "token-a");
    await Deno.writeTextFile(
      `${dir}/a/config`,
      "clusters:\n- {name: shared, cluster: {server: http://a.example}}\n" +
        "users:\n- {name: me, user: {tokenFile: token}}\n",
    );
    await Deno.writeTextFile(
      `${dir}/b/config`,
      "clusters:\n- {name: shared, cluster: {server: http://b.example}}\n" +
        "contexts:\n- {name: dev, context: {cluster: shared, user: me, namespace: b-ns}}\n" +
        "users:\n- {name: me, user: {token: from-b}}\ncurrent-context: dev\n",
    );
    const options = await autoDetectClientOptions({
      env: envOf({ KUBECONFIG: `${dir}/missing:${dir}/a/config::${dir}/b/config` }),
    });
    assertEquals(options.server, "http://a.example");
    assertEquals(options.namespace, "b-ns");
    assert(options.credentials instanceof TokenFileCredentials);
    assertEquals(options.credentials.path, `${dir}/a/token`);
    assertEquals(await options.credentials.authorization({}), "Bearer token-a");
  });
});

Deno.test("autoDetectClientOptions falls back to ~/.kube/config", async () => {
  const options = await autoDetectClientOptions({
    env: () => undefined,
    homeDir: fixturePath("kubeconfig/home"),
  });
  await withClose(options, () => {
    assertEquals(options.server, "https://192.168.49.2:8443");
    assertEquals(typeof options.fetch, "function");
  });
});

Deno.test("autoDetectClientOptions skips the pod's configuration when a context is asked for", async () => {
  await withTempDir(async (dir) => {
    await serviceAccount(dir);
    const options = await autoDetectClientOptions({
      context: "ci",
      serviceAccountDir: dir,
      env: envOf({
        KUBERNETES_SERVICE_HOST: "10.96.0.1",
        KUBERNETES_SERVICE_PORT: "443",
        KUBECONFIG: fixturePath("kubeconfig/token.kubeconfig"),
      }),
    });
    assertEquals(options.server, "https://k8s.example.com:6443");
  });
});

Deno.test("autoDetectClientOptions says where it looked when nothing is found", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      () => autoDetectClientOptions({ env: () => undefined, homeDir: dir }),
      KubeConfigError,
      `no Kubernetes configuration found: not in a pod (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT unset); ${dir}/.kube/config does not exist and $KUBECONFIG is not set`,
    );
    await assertRejects(
      () =>
        autoDetectClientOptions({
          serviceAccountDir: dir,
          env: envOf({
            KUBERNETES_SERVICE_HOST: "10.96.0.1",
            KUBERNETES_SERVICE_PORT: "443",
            KUBECONFIG: `${dir}/x:${dir}/y`,
          }),
        }),
      KubeConfigError,
      `no Kubernetes configuration found: KUBERNETES_SERVICE_HOST is set but ${dir}/token does not exist; none of the files in $KUBECONFIG exist (${dir}/x, ${dir}/y)`,
    );
  });
});

Deno.test({
  name: "autoDetectClientOptions names the --allow-env flag when permission is missing",
  permissions: { env: false, read: true },
  async fn() {
    await assertRejects(
      () => autoDetectClientOptions(),
      KubeConfigError,
      "reading the environment variable KUBERNETES_SERVICE_HOST needs permission: run Deno with " +
        "--allow-env=KUBERNETES_SERVICE_HOST,KUBERNETES_SERVICE_PORT,POD_NAMESPACE,KUBECONFIG,HOME (or --allow-env)",
    );
  },
});

Deno.test({
  name: "autoDetectClientOptions names the --allow-read flag when permission is missing",
  permissions: { env: true, read: false },
  async fn() {
    const path = "/home/someone/.kube/config";
    await assertRejects(
      () => autoDetectClientOptions({ env: envOf({ KUBECONFIG: path }) }),
      KubeConfigError,
      `reading kubeconfig ${path} needs permission: run Deno with --allow-read=${path} (or --allow-read)`,
    );
  },
});

Deno.test("no error message or thrown value contains a token, password or private key", async () => {
  const secrets = [
    "kubesnap-secret-token-in-a-list",
    "kubesnap-secret-unterminated-token",
    "kubesnap-secret-gcp-access-token",
    "plain-secret-token",
    "hunter2-password",
    "MIIEogIBAAKCAQEA", // inside the test client key
    "leaked-by-plugin",
  ];
  const errors: unknown[] = [];
  const capture = async (fn: () => unknown) => {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
      return;
    }
    throw new Error("expected an error");
  };
  // Bad kubeconfigs holding credentials.
  await capture(() => parseKubeConfig(fixture("kubeconfig/malformed/token-list.kubeconfig")));
  await capture(() =>
    parseKubeConfig(fixture("kubeconfig/malformed/unterminated-token.kubeconfig"))
  );
  await capture(() =>
    kubeConfigToClientOptions(
      parseKubeConfig(fixture("kubeconfig/malformed/auth-provider-gcp.kubeconfig")),
    )
  );
  await capture(() =>
    parseKubeConfig("users:\n- name: u\n  user:\n    token: plain-secret-token: x\n")
  );
  await capture(() =>
    parseKubeConfig('{"users": [{"name": "u", "user": {"password": hunter2-password}}]')
  );
  await capture(() =>
    kubeConfigToClientOptions(
      simple("token: plain-secret-token\nusername: u\npassword: hunter2-password"),
    )
  );
  // A client key that the TLS client rejects (certificate and key do not match).
  await capture(() =>
    kubeConfigToClientOptions(
      simple(
        `client-certificate-data: ${btoa(fixture("tls/server.crt"))}\nclient-key-data: ${
          btoa(fixture("tls/client.key"))
        }`,
      ),
    )
  );
  // Exec plugins: output that is not JSON, and a failure printing the token on stderr.
  await withTempDir(async (dir) => {
    const plugin = {
      command: Deno.execPath(),
      args: [
        "run",
        "--quiet",
        "--no-config",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        PLUGIN,
      ],
      apiVersion: "client.authentication.k8s.io/v1",
    };
    const env = (vars: Record<string, string>) =>
      Object.entries({ PLUGIN_STATE_DIR: dir, ...vars }).map(([name, value]) => ({ name, value }));
    await capture(() =>
      new ExecCredentials({
        ...plugin,
        env: env({ PLUGIN_MODE: "garbage", PLUGIN_TOKEN: "leaked-by-plugin" }),
      })
        .authorization({})
    );
    await capture(() =>
      new ExecCredentials({
        ...plugin,
        env: env({
          PLUGIN_MODE: "fail",
          PLUGIN_STDERR: "sending Authorization: Bearer leaked-by-plugin",
        }),
      }).authorization({})
    );
  });
  // A 401 that survives the refresh.
  const client = new KubeClient({
    server: "http://kube.invalid",
    token: "plain-secret-token",
    fetch: () =>
      Promise.resolve(
        Response.json({
          kind: "Status",
          code: 401,
          reason: "Unauthorized",
          message: "Unauthorized",
        }, {
          status: 401,
        }),
      ),
  });
  await capture(() => client.request({ path: "/api/v1/pods" }));
  const basicClient = new KubeClient({
    server: "http://kube.invalid",
    credentials: new BasicCredentials("u", "hunter2-password"),
    fetch: () => Promise.resolve(new Response("Unauthorized", { status: 401 })),
  });
  await capture(() => basicClient.request({ path: "/api/v1/pods" }));

  assertEquals(errors.length, 11);
  assert(errors.slice(0, 9).every((err) => err instanceof KubeConfigError));
  assert(errors.slice(9).every((err) => err instanceof ApiError));
  for (const err of errors) {
    const shown = [
      String(err),
      (err as Error).message,
      (err as Error).stack ?? "",
      Deno.inspect(err, { depth: 10 }),
    ];
    for (const secret of secrets) {
      for (const text of shown) {
        assert(!text.includes(secret), `${(err as Error).name} shows ${secret}: ${text}`);
      }
    }
  }
});

Deno.test("credential providers do not show their secrets when inspected", async () => {
  const basic = new BasicCredentials("u", "hunter2-password");
  const file = new TokenFileCredentials("/token", {
    readTextFile: () => Promise.resolve("file-secret-token"),
  });
  await file.authorization({});
  for (const provider of [basic, file]) {
    for (const text of [Deno.inspect(provider, { depth: 10 }), JSON.stringify(provider)]) {
      assert(!text.includes("hunter2-password") && !text.includes("file-secret-token"), text);
    }
  }
});

Deno.test("autoDetectClientOptions reads the kubeconfig files it is given, like kubectl --kubeconfig", async () => {
  await withTempDir(async (dir) => {
    await serviceAccount(dir);
    const env = envOf({
      KUBERNETES_SERVICE_HOST: "10.96.0.1",
      KUBERNETES_SERVICE_PORT: "443",
      KUBECONFIG: `${dir}/does-not-exist`,
    });
    const options = await autoDetectClientOptions({
      serviceAccountDir: dir,
      env,
      kubeconfig: fixturePath("kubeconfig/token.kubeconfig"),
    });
    await withClose(options, () => assert(options.server !== "https://10.96.0.1:443"));
    const missing = `${dir}/missing.kubeconfig`;
    const err = await assertRejects(
      () => autoDetectClientOptions({ env, kubeconfig: [missing] }),
      KubeConfigError,
    );
    assertEquals(err.message, `kubeconfig ${missing} does not exist`);
  });
});
