import { assert, assertEquals, assertRejects, assertThrows } from "../_helpers/assert.ts";
import {
  type CustomResourceDefinitionInput,
  fetchCrd,
  generateCrdModule,
  parseCrdDocuments,
} from "../../src/codegen/mod.ts";
import { parseCrdCliArgs, runCrdCli } from "../../src/codegen/crd_cli.ts";
import type { CliProcess } from "../../src/runtime/cli_process.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { customResourceDefinitions } from "../../src/api/resources.ts";
import type { CustomResourceDefinition } from "../../src/api/apiextensions_v1.ts";
import { ApiError } from "../../src/api/errors.ts";

const root = new URL("../../", import.meta.url);
const fixtures = new URL("tests/_fixtures/crds/", root);

async function fixture(name: string): Promise<CustomResourceDefinitionInput> {
  const [crd] = parseCrdDocuments(await Deno.readTextFile(new URL(name, fixtures)), name);
  return crd!;
}

/** Code that uses the generated modules as an operator would; checked with the repo's config. */
const USAGE = `
import { FakeApiServer } from ${JSON.stringify("@kubesnap/kubesnap/testing")};
import { type Certificate, certificates, certificatesV1alpha2 } from "./certificate.ts";
import { type ServiceMonitor, serviceMonitors } from "./service_monitor.ts";
import { type Application, applications } from "./application.ts";

const cert: Certificate = {
  metadata: { name: "web", namespace: "default" },
  spec: {
    secretName: "web-tls",
    issuerRef: { name: "ca" },
    dnsNames: ["web.example.com"],
    usages: ["server auth"],
    privateKey: { algorithm: "ECDSA", rotationPolicy: undefined },
    revisionHistoryLimit: null,
    port: "https",
  },
};
// @ts-expect-error an algorithm outside the enum
const badAlgorithm: Certificate["spec"] = { secretName: "x", issuerRef: { name: "ca" }, privateKey: { algorithm: "DSA" } };
// @ts-expect-error issuerRef is required
const noIssuer: Certificate["spec"] = { secretName: "x" };
const monitor: ServiceMonitor = {
  spec: {
    selector: { matchLabels: { app: "web" } },
    endpoints: [{ targetPort: 8080, relabelings: [{ action: "keep", sourceLabels: ["a"] }] }],
  },
};
const app: Application = {
  spec: {
    project: "default",
    destination: { namespace: "prod" },
    source: { repoURL: "https://example.com/repo.git", helm: { valuesObject: { any: [1, "x"] } } },
    template: { apiVersion: "v1", kind: "ConfigMap", data: { a: "b" } },
  },
  status: { sync: { status: "Synced" }, resources: [{ live: { kind: "Pod", spec: { x: 1 } } }] },
};
const server = new FakeApiServer({ resources: [certificates, certificatesV1alpha2, serviceMonitors, applications] });
const created: Certificate = server.create(certificates, cert);
const replicas: number | undefined = server.get(applications, "default", "x")?.spec?.replicas;
console.log(created.spec?.issuerRef.name, monitor, app, badAlgorithm, noIssuer, replicas);
`;

Deno.test("generated CRD modules type-check and are usable under the project's strict options", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kubesnap-crd-" });
  try {
    for (
      const [file, out] of [
        ["certificate.yaml", "certificate.ts"],
        ["service_monitor.yaml", "service_monitor.ts"],
        ["application.json", "application.ts"],
      ]
    ) {
      await Deno.writeTextFile(`${dir}/${out}`, generateCrdModule(await fixture(file!)));
    }
    await Deno.writeTextFile(`${dir}/usage.ts`, USAGE);
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "check",
        "--quiet",
        "--config",
        new URL("deno.json", root).pathname,
        `${dir}/usage.ts`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(output.success, new TextDecoder().decode(output.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("generateCrdModule turns schema facts into types and doc comments", async () => {
  const cert = generateCrdModule(await fixture("certificate.yaml"));
  for (
    const expected of [
      "export interface Certificate extends KubeObject {",
      "export interface CertificateSpecPrivateKey {",
      '  algorithm?: "RSA" | "ECDSA" | "Ed25519" | undefined;',
      "  secretName: string;",
      "  issuerRef: CertificateSpecIssuerRef;",
      "  revisionHistoryLimit?: number | null | undefined;",
      "  port?: number | string | undefined;",
      '  usages?: ("signing" | "digital signature" | "server auth" | "client auth")[] | undefined;',
      '   * @default {"Always"}',
      "list map keyed by `type`",
      '- `Ready` (string): `.status.conditions[?(@.type=="Ready")].status`',
      "export interface CertificateV1alpha2 extends KubeObject {",
      "  status?: Record<string, unknown> | undefined;",
      'subresources: ["status"]',
      'shortNames: ["cert","certs"]',
      "; deprecated.",
    ]
  ) assert(cert.includes(expected), expected);
  const app = generateCrdModule(await fixture("application.json"));
  for (
    const expected of [
      'subresources: ["status","scale"]',
      "Subresource `scale`: replicas at `.spec.replicas` and `.status.replicas`, selector at `.status.selector`.",
      "export interface ApplicationStatusResourcesLive extends KubeObject {",
      "  template?: KubeObject & Record<string, unknown> | undefined;",
      "  [key: string]: unknown;",
      "  reconciledAt?: string | null | undefined;",
      "- `Revision` (string, wide only): `.status.sync.revision`",
      "   * @default {1}",
    ]
  ) assert(app.includes(expected), expected);
  const only = generateCrdModule(await fixture("certificate.yaml"), { versions: ["v1alpha2"] });
  assert(only.includes("export interface Certificate extends KubeObject"));
  assert(!only.includes("CertificateV1alpha2"));
  assertThrows(
    () =>
      generateCrdModule(
        parseCrdDocuments(JSON.stringify({
          kind: "CustomResourceDefinition",
          spec: {
            group: "x.io",
            scope: "Cluster",
            names: { kind: "X", plural: "xs" },
            versions: [{ name: "v1", served: false }],
          },
        }))[0]!,
      ),
    RangeError,
  );
});

Deno.test("parseCrdDocuments reads several documents and lists, and rejects other kinds", () => {
  const crd = (kind: string) =>
    `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: a.io\n` +
    `  scope: Cluster\n  names: {kind: ${kind}, plural: ${kind.toLowerCase()}s}\n  versions: []\n`;
  assertEquals(
    parseCrdDocuments(`# two\n${crd("A")}---\n${crd("B")}\n---\n`).map((c) => c.spec.names.kind),
    ["A", "B"],
  );
  const list = JSON.stringify({ kind: "List", items: [parseCrdDocuments(crd("C"))[0]] });
  assertEquals(parseCrdDocuments(list).map((c) => c.spec.names.kind), ["C"]);
  assertThrows(() => parseCrdDocuments("kind: ConfigMap\n", "cm.yaml"), TypeError, "cm.yaml");
});

function memoryProcess(
  files: Record<string, string>,
): CliProcess & { written: Map<string, string> } {
  const written = new Map<string, string>();
  return {
    args: [],
    written,
    readTextFile: (path) =>
      path in files ? Promise.resolve(files[path]!) : Promise.reject(new Error(`no ${path}`)),
    writeTextFile: (path, data) => {
      written.set(path, data);
      return Promise.resolve();
    },
    makeTempFile: () => Promise.reject(new Error("unused")),
    remove: () => Promise.resolve(),
    addSignalListener: () => {},
    removeSignalListener: () => {},
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
  };
}

Deno.test("the gen:crd command line reads files and writes one module for several CRDs", async () => {
  const cert = await Deno.readTextFile(new URL("certificate.yaml", fixtures));
  const monitor = await Deno.readTextFile(new URL("service_monitor.yaml", fixtures));
  const cli = memoryProcess({ "crds.yaml": `${cert}\n---\n${monitor}` });
  const options = parseCrdCliArgs([
    "crds.yaml",
    "--out=out.ts",
    "--version",
    "v1",
    "--import",
    "x",
  ]);
  assertEquals([options.files, options.out, options.versions, options.importFrom], [
    ["crds.yaml"],
    "out.ts",
    ["v1"],
    "x",
  ]);
  await runCrdCli(options, cli);
  const text = cli.written.get("out.ts")!;
  assertEquals(text.match(/^import /gm)?.length, 1);
  assert(text.includes('from "x";'));
  assert(text.includes("export const certificates:"));
  assert(text.includes("export const serviceMonitors:"));
  assert(!text.includes("V1alpha2"));
  assertThrows(() => parseCrdCliArgs([]), TypeError, "usage");
  assertThrows(() => parseCrdCliArgs(["--nope"]), TypeError, "--nope");
  assertThrows(() => parseCrdCliArgs(["--crd"]), TypeError, "--crd needs a value");
});

Deno.test("fetchCrd reads a CRD from a cluster, and the module generated from it works", async () => {
  await using server = await FakeApiServer.start();
  const input = await fixture("service_monitor.yaml");
  server.create(customResourceDefinitions, input as unknown as CustomResourceDefinition);
  const client = server.client();
  const fetched = await fetchCrd(client, "servicemonitors.monitoring.kubesnap.test");
  assertEquals(fetched.spec.names.kind, "ServiceMonitor");
  const text = generateCrdModule(fetched, { importFrom: new URL("mod.ts", root).href });
  const dir = await Deno.makeTempDir({ prefix: "kubesnap-crd-" });
  try {
    await Deno.writeTextFile(`${dir}/service_monitor.ts`, text);
    const generated = await import(`file://${dir}/service_monitor.ts`);
    assertEquals(generated.serviceMonitors.apiVersion, "monitoring.kubesnap.test/v1");
    assertEquals(generated.serviceMonitors.shortNames, ["smon"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await assertRejects(() => fetchCrd(client, "nope.example.com"), ApiError);
  await assertRejects(() => fetchCrd(client, "../x"), TypeError);
});
