/**
 * Authentication against a real kube-apiserver, from kubeconfigs as users write them: tokens,
 * token files, client certificates in every key form, exec plugins, impersonation; and `/version`.
 *
 * Part of the library suite (`library_suite.ts`); every test works in a namespace of its own.
 *
 * @module
 */

import { ApiError, configMaps, KubeClient, namespaces, parseKubeConfig, pods } from "../../mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  fail,
} from "../_helpers/assert.ts";
import { freshNamespace, kubeconfigFor, kubeconfigText, rawFetch } from "./_cluster.ts";
import { configMap, info, names, withClient } from "./library_common.ts";

for (
  const [user, how] of [
    ["admin", "a bearer token"],
    ["cert-admin", "a client certificate"],
    ["exec", "an exec credential plugin"],
  ] as const
) {
  Deno.test(`a kubeconfig with ${how} lists namespaces`, async () => {
    await withClient(user, async (client) => {
      assertEquals(client.server, info.server);
      const list = await client.resource(namespaces).list();
      assertEquals(list.kind, "NamespaceList");
      const listed = names(list.items);
      for (const name of ["default", "kube-system"]) {
        assert(listed.includes(name), `${name} in ${listed.length} namespaces`);
      }
      // A write proves the identity has rights, not just that it was authenticated.
      const ns = await freshNamespace(client, `lib-${user}`);
      assertEquals((await client.resource(namespaces).get(ns)).metadata?.name, ns);
    });
  });
}

Deno.test("kubeconfig settings users rely on: tokenFile, impersonation, context namespace, KUBECONFIG", async (t) => {
  const base = kubeconfigFor(info, "admin");
  const fromText = (text: string) =>
    KubeClient.fromKubeConfig(parseKubeConfig(text, { path: `${info.workDir}/x` }));
  const dir = await Deno.makeTempDir({ prefix: "kubesnap-kubeconfig-" });
  try {
    await t.step("tokenFile", async () => {
      await Deno.writeTextFile(`${dir}/token`, `${info.users.adminToken}\n`);
      const client = fromText(base.replace(/ {4}token: .*/, `    tokenFile: ${dir}/token`));
      try {
        assert(names((await client.resource(namespaces).list()).items).includes("default"));
      } finally {
        client.close();
      }
    });

    await t.step("as, as-groups and as-user-extra impersonate", async () => {
      const asViewer = fromText(base.replace(/( {4}token: .*)/, "$1\n    as: viewer"));
      try {
        const refused = await assertRejects(() => asViewer.resource(pods).list(), ApiError);
        assertEquals(refused.code, 403);
        assertStringIncludes(refused.message, 'User "viewer" cannot list resource "pods"');
      } finally {
        asViewer.close();
      }
      const asSomeone = fromText(base.replace(
        /( {4}token: .*)/,
        '$1\n    as: someone\n    as-groups: ["system:masters"]\n    as-user-extra: {reason: ["testing kubesnap"]}',
      ));
      try {
        const review = await asSomeone.requestJson<
          { status: { userInfo: { username: string; groups: string[]; extra: unknown } } }
        >({
          method: "POST",
          path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
          body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
        });
        assertEquals(review.status.userInfo.username, "someone");
        assert(review.status.userInfo.groups.includes("system:masters"));
        assertEquals(review.status.userInfo.extra, { reason: ["testing kubesnap"] });
      } finally {
        asSomeone.close();
      }
    });

    await t.step("the context's namespace is where objects without one are created", async () => {
      const namespace = await withClient("admin", (admin) => freshNamespace(admin, "lib-ctx"));
      const client = fromText(
        base.replace("    user: u\n", `    user: u\n    namespace: ${namespace}\n`),
      );
      try {
        assertEquals(client.namespace, namespace);
        const created = await client.resource(configMaps).create(configMap("ctx"));
        assertEquals(created.metadata?.namespace, namespace);
      } finally {
        client.close();
      }
    });

    await t.step("KubeClient.autoDetect reads $KUBECONFIG", async () => {
      await Deno.writeTextFile(`${dir}/config`, base);
      const env = (name: string) => name === "KUBECONFIG" ? `${dir}/config` : undefined;
      const client = await KubeClient.autoDetect({ env });
      try {
        assertEquals(client.server, info.server);
        assert(names((await client.resource(namespaces).list()).items).includes("default"));
      } finally {
        client.close();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("client certificates work with PKCS#1 and SEC1 keys, inline or from files", async (t) => {
  // kind, minikube and kubeadm write RSA (PKCS#1) or EC (SEC1) keys, often inline as *-data.
  const dir = await Deno.makeTempDir({ prefix: "kubesnap-keys-" });
  try {
    const openssl = async (...args: string[]) => {
      const out = await new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" })
        .output();
      if (!out.success) fail(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
    };
    const issue = async (name: string, keyArgs: string[]) => {
      await openssl(...keyArgs, "-out", `${dir}/${name}.key`);
      await openssl(
        "req",
        "-new",
        "-key",
        `${dir}/${name}.key`,
        "-subj",
        `/O=system:masters/CN=kubesnap-${name}`,
        "-out",
        `${dir}/${name}.csr`,
      );
      await Deno.writeTextFile(
        `${dir}/${name}.ext`,
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
      );
      await openssl(
        "x509",
        "-req",
        "-in",
        `${dir}/${name}.csr`,
        "-CA",
        info.caFile,
        "-CAkey",
        `${info.workDir}/ca.key`,
        "-CAcreateserial",
        "-CAserial",
        `${dir}/ca.srl`,
        "-days",
        "1",
        "-extfile",
        `${dir}/${name}.ext`,
        "-out",
        `${dir}/${name}.crt`,
      );
    };
    await issue("rsa", ["genrsa", "-traditional"]);
    await issue("ec", ["ecparam", "-name", "prime256v1", "-genkey", "-noout"]);
    const b64 = (file: string) => btoa(Deno.readTextFileSync(file));
    const kubeconfig = (user: string[], cluster: string) =>
      kubeconfigText(info.server, [cluster], user);
    const cases: [string, string, string][] = [
      ["RSA PKCS#1", "rsa", "-----BEGIN RSA PRIVATE KEY-----"],
      ["EC SEC1", "ec", "-----BEGIN EC PRIVATE KEY-----"],
    ];
    for (const [label, name, header] of cases) {
      assert(Deno.readTextFileSync(`${dir}/${name}.key`).startsWith(header), `${label} key form`);
      for (const inline of [false, true]) {
        await t.step(`${label} key ${inline ? "inline" : "from files"}`, async () => {
          const text = inline
            ? kubeconfig([
              `    client-certificate-data: ${b64(`${dir}/${name}.crt`)}`,
              `    client-key-data: ${b64(`${dir}/${name}.key`)}`,
            ], `    certificate-authority-data: ${b64(info.caFile)}`)
            : kubeconfig([
              `    client-certificate: ${dir}/${name}.crt`,
              `    client-key: ${dir}/${name}.key`,
            ], `    certificate-authority: ${info.caFile}`);
          const client = KubeClient.fromKubeConfig(parseKubeConfig(text));
          try {
            const list = await client.resource(namespaces).list();
            assert(names(list.items).includes("kube-system"));
          } finally {
            client.close();
          }
        });
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("/version reports the real kube-apiserver's gitVersion", async () => {
  const raw = rawFetch(info);
  try {
    const anonymous = await raw.fetch("/version", { headers: { authorization: "" } });
    assertEquals(anonymous.status, 200);
    const version = await anonymous.json() as { gitVersion: string; major: string; minor: string };
    assertEquals(version.gitVersion, "v1.37.2");
    assertEquals([version.major, version.minor], ["1", "37"]);
  } finally {
    raw.close();
  }
  await withClient("admin", async (client) => {
    const version = await client.requestJson<{ gitVersion: string }>({ path: "/version" });
    assertEquals(version.gitVersion, "v1.37.2");
  });
});
