import { KubeConfigError } from "../../src/api/errors.ts";
import { mergeKubeConfigs, parseKubeConfig } from "../../src/client/kube_config.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "../_helpers/assert.ts";

const fixtures = new URL("../_fixtures/kubeconfig/", import.meta.url);

function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, fixtures));
}

function base64File(path: string): string {
  return btoa(Deno.readTextFileSync(new URL(`../_fixtures/tls/${path}`, import.meta.url)));
}

Deno.test("parseKubeConfig reads the kubeconfig kind writes", () => {
  const kc = parseKubeConfig(fixture("kind.kubeconfig"));
  assertEquals(kc, {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{
      name: "kind-kind",
      cluster: {
        "certificate-authority-data": base64File("ca.crt"),
        server: "https://127.0.0.1:43117",
      },
    }],
    contexts: [{ name: "kind-kind", context: { cluster: "kind-kind", user: "kind-kind" } }],
    "current-context": "kind-kind",
    users: [{
      name: "kind-kind",
      user: {
        "client-certificate-data": base64File("client.crt"),
        "client-key-data": base64File("client.key"),
      },
    }],
  });
});

Deno.test("parseKubeConfig reads the kubeconfigs of k3s and kubeadm", () => {
  const k3s = parseKubeConfig(fixture("k3s.kubeconfig"));
  assertEquals(k3s["current-context"], "default");
  assertEquals(k3s.clusters[0]?.cluster.server, "https://127.0.0.1:6443");
  assertEquals(k3s.users[0]?.user["client-key-data"], base64File("server.key"));
  const kubeadm = parseKubeConfig(fixture("kubeadm-admin.kubeconfig"));
  assertEquals(kubeadm["current-context"], "kubernetes-admin@kubernetes");
  assertEquals(kubeadm.contexts[0]?.context, { cluster: "kubernetes", user: "kubernetes-admin" });
});

Deno.test("parseKubeConfig reads the EKS exec kubeconfig of aws eks update-kubeconfig", () => {
  const kc = parseKubeConfig(fixture("eks.kubeconfig"));
  const name = "arn:aws:eks:us-west-2:123456789012:cluster/demo";
  assertEquals(kc["current-context"], name);
  assertEquals(kc.users[0]?.name, name);
  assertEquals(kc.users[0]?.user.exec, {
    apiVersion: "client.authentication.k8s.io/v1beta1",
    args: [
      "--region",
      "us-west-2",
      "eks",
      "get-token",
      "--cluster-name",
      "demo",
      "--output",
      "json",
    ],
    command: "aws",
    env: [{ name: "AWS_PROFILE", value: "prod" }],
    interactiveMode: "IfAvailable",
    provideClusterInfo: false,
  });
});

Deno.test("parseKubeConfig reads the GKE exec kubeconfig with a folded installHint", () => {
  const kc = parseKubeConfig(fixture("gke.kubeconfig"));
  assertEquals(kc.users[0]?.user.exec, {
    apiVersion: "client.authentication.k8s.io/v1",
    command: "gke-gcloud-auth-plugin",
    installHint: "Install gke-gcloud-auth-plugin for use with kubectl by following " +
      "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin",
    interactiveMode: "IfAvailable",
    provideClusterInfo: true,
  });
  assertEquals(kc.clusters[0]?.cluster.server, "https://34.118.10.20");
});

Deno.test("parseKubeConfig reads a hand-written token kubeconfig with flow maps and comments", () => {
  const kc = parseKubeConfig(fixture("token.kubeconfig"));
  assertEquals(kc.clusters, [{
    name: "prod",
    cluster: { server: "https://k8s.example.com:6443/", "insecure-skip-tls-verify": false },
  }]);
  assertEquals(kc.contexts, [{
    name: "ci",
    context: { cluster: "prod", user: "ci-bot", namespace: "ci" },
  }]);
  assertEquals(
    kc.users[0]?.user.token,
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImRlbW8ifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2k6Ym90In0.c2lnbmF0dXJl",
  );
});

Deno.test("parseKubeConfig reads Rancher's quoted data split with escaped line breaks", () => {
  const kc = parseKubeConfig(fixture("rancher.kubeconfig"));
  assertEquals(kc.clusters[0]?.cluster["certificate-authority-data"], base64File("ca.crt"));
  assertEquals(
    kc.users[0]?.user.token,
    "kubeconfig-user-abc12:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQR",
  );
  assertEquals(kc.contexts[0]?.context, { user: "demo", cluster: "demo" });
});

Deno.test("parseKubeConfig reads the AKS kubelogin kubeconfig with a multi-line quoted hint", () => {
  const kc = parseKubeConfig(fixture("aks.kubeconfig"));
  const exec = kc.users[0]?.user.exec;
  assertEquals(exec?.command, "kubelogin");
  assertEquals(exec?.env, undefined);
  assertEquals(exec?.args?.[4], "6dae42f8-4368-4678-94ff-3960e28e3630");
  assertEquals(
    exec?.installHint,
    "\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\n" +
      "To learn more, please go to https://aka.ms/aks/kubelogin\n",
  );
});

Deno.test("parseKubeConfig reads a JSON kubeconfig", () => {
  const kc = parseKubeConfig(fixture("token.json"));
  assertEquals(kc.users, [{
    name: "dev",
    user: { username: "admin", password: "correct horse battery staple" },
  }]);
  assertEquals(kc["current-context"], "local");
});

Deno.test("parseKubeConfig keeps numeric-looking and boolean-looking credentials as strings", () => {
  const kc = parseKubeConfig(
    "users:\n- name: u\n  user:\n    username: 1234\n    password: true\n    token: 0x10\n" +
      "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: x\n" +
      "      args: [--ttl, 3600]\n      env:\n      - {name: N, value: 1.0}\n",
  );
  const user = kc.users[0]?.user;
  assertEquals(user?.username, "1234");
  assertEquals(user?.password, "true");
  assertEquals(user?.token, "0x10");
  assertEquals(user?.exec?.args, ["--ttl", "3600"]);
  assertEquals(user?.exec?.env, [{ name: "N", value: "1.0" }]);
});

Deno.test("parseKubeConfig reads kubectl's null lists and an empty file as empty", () => {
  assertEquals(parseKubeConfig("apiVersion: v1\nclusters: null\ncontexts: null\nusers: null\n"), {
    apiVersion: "v1",
    clusters: [],
    contexts: [],
    users: [],
  });
  assertEquals(parseKubeConfig(""), { clusters: [], contexts: [], users: [] });
});

Deno.test("parseKubeConfig resolves file references against the kubeconfig's directory", () => {
  const kc = parseKubeConfig(fixture("home/.kube/config"), { path: "/home/me/.kube/config" });
  assertEquals(kc.clusters[0]?.cluster["certificate-authority"], "/home/me/.minikube/ca.crt");
  assertEquals(
    kc.users[0]?.user["client-certificate"],
    "/home/me/.minikube/profiles/minikube/client.crt",
  );
  assertEquals(kc.users[0]?.user["client-key"], "/home/me/.minikube/profiles/minikube/client.key");
  assertEquals(kc.clusters[0]?.cluster.extensions?.[0]?.extension, {
    "last-update": "Mon, 24 Nov 2025 10:15:02 UTC",
    provider: "minikube.sigs.k8s.io",
    version: "v1.34.0",
  });
});

Deno.test("parseKubeConfig resolves tokenFile and exec commands with a separator, not bare commands", () => {
  const text = [
    "users:",
    "- name: a",
    "  user:",
    "    tokenFile: secrets/token",
    "    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plugin}",
    "- name: b",
    "  user:",
    "    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}",
    "- name: c",
    "  user:",
    "    tokenFile: /abs/token",
    "",
  ].join("\n");
  const kc = parseKubeConfig(text, { path: "/etc/kube/config" });
  assertEquals(kc.users[0]?.user.tokenFile, "/etc/kube/secrets/token");
  assertEquals(kc.users[0]?.user.exec?.command, "/etc/kube/bin/plugin");
  assertEquals(kc.users[1]?.user.exec?.command, "aws");
  assertEquals(kc.users[2]?.user.tokenFile, "/abs/token");
});

Deno.test("parseKubeConfig leaves relative paths alone without a path", () => {
  const kc = parseKubeConfig(fixture("home/.kube/config"));
  assertEquals(kc.clusters[0]?.cluster["certificate-authority"], "../.minikube/ca.crt");
});

const malformed: [string, string][] = [
  [
    "tab-indent.kubeconfig",
    "kubeconfig m.yaml: invalid YAML at line 5 (at clusters[0].cluster): a tab character cannot be used for indentation",
  ],
  [
    "bad-indent.kubeconfig",
    "kubeconfig m.yaml: invalid YAML at line 6 (at clusters[0].cluster): unexpected indentation",
  ],
  [
    "token-list.kubeconfig",
    "kubeconfig m.yaml: users[0].user.token must be a string, not a list (line 6)",
  ],
  [
    "unterminated-token.kubeconfig",
    "kubeconfig m.yaml: invalid YAML at line 6 (at users[0].user.token): unterminated quoted string (the lines after it are not indented enough to continue it)",
  ],
  [
    "duplicate-cluster.kubeconfig",
    'kubeconfig m.yaml: clusters[1].name repeats the name "dev" (line 6)',
  ],
];

for (const [file, message] of malformed) {
  Deno.test(`parseKubeConfig names the line and key of what is wrong (${file})`, () => {
    const err = assertThrows(
      () => parseKubeConfig(fixture(`malformed/${file}`), { path: "m.yaml" }),
      KubeConfigError,
    );
    assertEquals(err.message, message);
  });
}

Deno.test("parseKubeConfig reads anchors and aliases as kubectl does", () => {
  const config = parseKubeConfig(fixture("malformed/anchors.kubeconfig"), { path: "m.yaml" });
  const [first, second] = config.clusters;
  assert(first !== undefined && second !== undefined, "two clusters");
  assertEquals(second.cluster, first.cluster, "the alias copies the anchored cluster");
});

Deno.test("parseKubeConfig rejects wrong shapes with the key path", () => {
  const cases: [string, string][] = [
    ["- a\n", "kubeconfig: (document) must be a mapping, not a list"],
    ["clusters: {}\n", "kubeconfig: clusters must be a list, not a mapping (line 1)"],
    ["clusters:\n- cluster: {server: x}\n", "kubeconfig: clusters[0] has no name (line 2)"],
    ["clusters:\n- name: a\n", 'kubeconfig: clusters[0] has no "cluster" (line 2)'],
    [
      "clusters:\n- name: a\n  cluster:\n    insecure-skip-tls-verify: maybe\n",
      "kubeconfig: clusters[0].cluster.insecure-skip-tls-verify must be true or false, not a string (line 4)",
    ],
    [
      "users:\n- name: u\n  user:\n    exec:\n      command: x\n",
      "kubeconfig: users[0].user.exec has no apiVersion (line 4)",
    ],
    [
      "users:\n- name: u\n  user:\n    exec:\n      apiVersion: v\n      command: x\n      interactiveMode: Sometimes\n",
      'kubeconfig: users[0].user.exec.interactiveMode must be "Never", "IfAvailable" or "Always" (line 7)',
    ],
    [
      '{"users": [{"name": "u", "user": {"token": 5}}]}',
      "kubeconfig: users[0].user.token must be a string, not a number",
    ],
  ];
  for (const [text, message] of cases) {
    const err = assertThrows(() => parseKubeConfig(text), KubeConfigError);
    assertEquals(err.message, message);
  }
});

Deno.test("mergeKubeConfigs lets the first file win per name and for current-context", () => {
  const first = parseKubeConfig(
    "clusters:\n- name: shared\n  cluster: {server: https://first}\n" +
      "users:\n- name: u1\n  user: {token: a}\n",
  );
  const second = parseKubeConfig(
    "clusters:\n- name: shared\n  cluster: {server: https://second}\n" +
      "- name: only-second\n  cluster: {server: https://2}\n" +
      "contexts:\n- name: c\n  context: {cluster: shared, user: u1}\n" +
      "current-context: c\npreferences: {colors: true}\n",
  );
  const third = parseKubeConfig("current-context: ignored\n");
  const merged = mergeKubeConfigs([first, second, third]);
  assertEquals(merged, {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "shared", cluster: { server: "https://first" } },
      { name: "only-second", cluster: { server: "https://2" } },
    ],
    contexts: [{ name: "c", context: { cluster: "shared", user: "u1" } }],
    users: [{ name: "u1", user: { token: "a" } }],
    "current-context": "c",
    preferences: { colors: true },
  });
});

Deno.test("parseKubeConfig errors never contain the credential values", () => {
  const secrets = ["kubesnap-secret-token-in-a-list", "kubesnap-secret-unterminated-token"];
  for (const file of ["token-list.kubeconfig", "unterminated-token.kubeconfig"]) {
    const err = assertThrows(() => parseKubeConfig(fixture(`malformed/${file}`)), KubeConfigError);
    for (const secret of secrets) {
      assertEquals(String(err).includes(secret), false);
      assertEquals(err.message.includes(secret), false);
    }
  }
  const err = assertThrows(
    () => parseKubeConfig("users:\n- name: u\n  user:\n    password: hunter2: x\n"),
    KubeConfigError,
  );
  assertStringIncludes(err.message, "users[0].user.password");
  assertEquals(String(err).includes("hunter2"), false);
});
