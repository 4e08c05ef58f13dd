import { assert, assertEquals, assertStringIncludes, assertThrows } from "../_helpers/assert.ts";
import {
  escapeFieldSelectorValue,
  FIELD_LABEL_ALIASES,
  formatFieldSelector,
  normalizeFieldSelector,
  parseFieldSelector,
  selectableFields,
  unsupportedFieldLabel,
} from "../../src/api/field_selector.ts";
import type { Event, Namespace, Node, Pod, Secret, Service } from "../../src/api/core_v1.ts";
import type { Deployment } from "../../src/api/apps_v1.ts";

const runningPod: Pod = {
  metadata: { name: "web-0", namespace: "default" },
  spec: {
    containers: [{ name: "web" }],
    nodeName: "node-1",
    restartPolicy: "Always",
    schedulerName: "default-scheduler",
    serviceAccountName: "web",
    hostNetwork: true,
  },
  status: {
    phase: "Running",
    podIP: "10.0.0.5",
    podIPs: [{ ip: "10.0.0.5" }, { ip: "fd00::5" }],
    nominatedNodeName: "node-2",
  },
};

const pendingPod: Pod = {
  metadata: { name: "web-1", namespace: "prod" },
  spec: { containers: [{ name: "web" }] },
  status: { phase: "Pending" },
};

Deno.test("parseFieldSelector reads =, == and != terms", () => {
  const sel = parseFieldSelector("status.phase!=Failed,spec.nodeName==node-1,metadata.name=a");
  assertEquals(
    sel.requirements.map((r) => ({ ...r })),
    [
      { field: "metadata.name", operator: "=", value: "a" },
      { field: "spec.nodeName", operator: "=", value: "node-1" },
      { field: "status.phase", operator: "!=", value: "Failed" },
    ],
  );
  assertEquals(sel.toString(), "metadata.name=a,spec.nodeName=node-1,status.phase!=Failed");
  assertEquals(sel.empty, false);
});

Deno.test("parseFieldSelector treats empty selectors and empty terms as nothing", () => {
  assertEquals(parseFieldSelector("").empty, true);
  assertEquals(parseFieldSelector("").toString(), "");
  assertEquals(parseFieldSelector(",,").empty, true);
  assertEquals(parseFieldSelector("a=b,,c=d").requirements.length, 2);
  assertEquals(parseFieldSelector("").matches({}), true);
});

Deno.test("parseFieldSelector accepts empty values", () => {
  const sel = parseFieldSelector("spec.nodeName=");
  assertEquals(sel.requirements.map((r) => r.value), [""]);
  assertEquals(sel.toString(), "spec.nodeName=");
});

Deno.test("parseFieldSelector unescapes backslash sequences in values", () => {
  const sel = parseFieldSelector(String.raw`metadata.name=a\,b\=c\\d,type!=x\\`);
  assertEquals(sel.requirements.map((r) => r.value), ["a,b=c\\d", "x\\"]);
  assertEquals(sel.matches({ "metadata.name": "a,b=c\\d", type: "y" }), true);
  assertEquals(sel.toString(), String.raw`metadata.name=a\,b\=c\\d,type!=x\\`);
});

Deno.test("parseFieldSelector splits a term at its first operator", () => {
  assertEquals(parseFieldSelector("a!b=c").requirements[0], {
    field: "a!b",
    operator: "=",
    value: "c",
  });
  assertEquals(parseFieldSelector("a==b").requirements[0], {
    field: "a",
    operator: "=",
    value: "b",
  });
  assertEquals(parseFieldSelector("a!=").requirements[0], {
    field: "a",
    operator: "!=",
    value: "",
  });
});

Deno.test("parseFieldSelector rejects bad syntax with a TypeError", () => {
  const cases: [string, string][] = [
    ["metadata.name", "has no '=', '==' or '!='"],
    ["a=b,c", "has no '=', '==' or '!='"],
    ["=b", "empty field name"],
    ["!=b", "empty field name"],
    ["a=b=c", "at position 3: unescaped '='"],
    ["a==b=c", "unescaped '='"],
    [String.raw`a=b\x`, String.raw`invalid escape sequence '\x'`],
    [String.raw`a=b\ `, "invalid escape sequence"],
    ["a=b\\", String.raw`invalid escape sequence '\'`],
  ];
  for (const [text, part] of cases) {
    const err = assertThrows(() => parseFieldSelector(text), TypeError);
    assertStringIncludes(err.message, part, JSON.stringify(text));
  }
});

Deno.test("FieldMatcher compares missing fields as the empty string", () => {
  assertEquals(parseFieldSelector("spec.nodeName=").matches({}), true);
  assertEquals(parseFieldSelector("spec.nodeName!=").matches({}), false);
  assertEquals(parseFieldSelector("spec.nodeName=n1").matches({}), false);
  assertEquals(parseFieldSelector("spec.nodeName!=n1").matches({}), true);
  assertEquals(parseFieldSelector("constructor=").matches({}), true);
});

Deno.test("FieldMatcher selects sample pods by their selectable fields", () => {
  const table: [string, Pod, boolean][] = [
    ["spec.nodeName=node-1", runningPod, true],
    ["spec.nodeName=node-1", pendingPod, false],
    ["spec.nodeName=", pendingPod, true],
    ["spec.nodeName=", runningPod, false],
    ["status.phase=Running", runningPod, true],
    ["status.phase!=Running", pendingPod, true],
    ["status.podIP=10.0.0.5", runningPod, true],
    ["status.podIP=fd00::5", runningPod, false],
    ["spec.hostNetwork=true", runningPod, true],
    ["spec.hostNetwork=false", pendingPod, true],
    ["spec.restartPolicy=Always,spec.schedulerName=default-scheduler", runningPod, true],
    ["spec.serviceAccountName=web,status.nominatedNodeName=node-2", runningPod, true],
    ["metadata.namespace=prod,metadata.name=web-1", pendingPod, true],
    ["metadata.namespace=prod,metadata.name=web-0", pendingPod, false],
  ];
  for (const [text, pod, expected] of table) {
    const got = parseFieldSelector(text).matches(selectableFields("Pod", pod));
    assertEquals(got, expected, `${text} on ${pod.metadata?.name}`);
  }
});

Deno.test("selectableFields returns every pod field label with wire values", () => {
  assertEquals(selectableFields("Pod", runningPod), {
    "metadata.name": "web-0",
    "metadata.namespace": "default",
    "spec.nodeName": "node-1",
    "spec.restartPolicy": "Always",
    "spec.schedulerName": "default-scheduler",
    "spec.serviceAccountName": "web",
    "spec.hostNetwork": "true",
    "status.phase": "Running",
    "status.podIP": "10.0.0.5",
    "status.nominatedNodeName": "node-2",
  });
  assertEquals(selectableFields("Pod", {}), {
    "metadata.name": "",
    "metadata.namespace": "",
    "spec.nodeName": "",
    "spec.restartPolicy": "",
    "spec.schedulerName": "",
    "spec.serviceAccountName": "",
    "spec.hostNetwork": "false",
    "status.phase": "",
    "status.podIP": "",
    "status.nominatedNodeName": "",
  });
});

Deno.test("selectableFields takes the pod IP from status.podIPs first", () => {
  const pod: Pod = { status: { podIP: "10.0.0.9", podIPs: [{ ip: "10.0.0.7" }] } };
  assertEquals(selectableFields("Pod", pod)["status.podIP"], "10.0.0.7");
  assertEquals(
    selectableFields("Pod", { status: { podIP: "10.0.0.9" } } as Pod)["status.podIP"],
    "10.0.0.9",
  );
});

Deno.test("selectableFields gives cluster-scoped kinds only metadata.name", () => {
  const node: Node = { metadata: { name: "node-1" }, spec: { unschedulable: true } };
  assertEquals(selectableFields("Node", node), {
    "metadata.name": "node-1",
    "spec.unschedulable": "true",
  });
  assertEquals(
    selectableFields("Node", { metadata: { name: "n" } })["spec.unschedulable"],
    "false",
  );
  const ns: Namespace = { metadata: { name: "team-a" }, status: { phase: "Terminating" } };
  assertEquals(selectableFields("Namespace", ns), {
    "metadata.name": "team-a",
    "status.phase": "Terminating",
  });
});

Deno.test("selectableFields reads Secret, Service and ReplicationController fields", () => {
  const secret: Secret = { metadata: { name: "s", namespace: "a" }, type: "kubernetes.io/tls" };
  assertEquals(selectableFields("Secret", secret), {
    "metadata.name": "s",
    "metadata.namespace": "a",
    type: "kubernetes.io/tls",
  });
  const svc: Service = {
    metadata: { name: "web", namespace: "a" },
    spec: { clusterIP: "None", type: "ClusterIP" },
  };
  assertEquals(selectableFields("Service", svc), {
    "metadata.name": "web",
    "metadata.namespace": "a",
    "spec.clusterIP": "None",
    "spec.type": "ClusterIP",
  });
  const rc = { metadata: { name: "rc", namespace: "a" }, status: { replicas: 3 } };
  assertEquals(selectableFields("ReplicationController", rc)["status.replicas"], "3");
  assertEquals(selectableFields("ReplicationController", { metadata: {} })["status.replicas"], "0");
});

Deno.test("selectableFields reads every Event field label", () => {
  const ev: Event = {
    metadata: { name: "web-0.1", namespace: "default" },
    involvedObject: {
      kind: "Pod",
      namespace: "default",
      name: "web-0",
      uid: "u-1",
      apiVersion: "v1",
      resourceVersion: "42",
      fieldPath: "spec.containers{web}",
    },
    reason: "Pulled",
    source: { component: "kubelet", host: "node-1" },
    reportingComponent: "kubernetes.io/kubelet",
    type: "Normal",
  };
  assertEquals(selectableFields("Event", ev), {
    "metadata.name": "web-0.1",
    "metadata.namespace": "default",
    "involvedObject.kind": "Pod",
    "involvedObject.namespace": "default",
    "involvedObject.name": "web-0",
    "involvedObject.uid": "u-1",
    "involvedObject.apiVersion": "v1",
    "involvedObject.resourceVersion": "42",
    "involvedObject.fieldPath": "spec.containers{web}",
    reason: "Pulled",
    reportingComponent: "kubernetes.io/kubelet",
    source: "kubelet",
    type: "Normal",
  });
});

Deno.test("selectableFields falls back to reportingComponent for an Event without source", () => {
  const ev: Event = {
    involvedObject: { kind: "Pod" },
    reportingComponent: "my-controller",
  };
  assertEquals(selectableFields("Event", ev)["source"], "my-controller");
});

Deno.test("selectableFields gives unknown kinds only the metadata fields", () => {
  const deploy: Deployment = { metadata: { name: "web", namespace: "a" } };
  assertEquals(selectableFields("Deployment", deploy), {
    "metadata.name": "web",
    "metadata.namespace": "a",
  });
  assertEquals(selectableFields("Widget", { metadata: { name: "w" } }, { namespaced: false }), {
    "metadata.name": "w",
  });
  assertEquals(selectableFields("Widget", { metadata: { name: "w" } }), {
    "metadata.name": "w",
    "metadata.namespace": "",
  });
});

Deno.test("normalizeFieldSelector rewrites the pod alias spec.host to spec.nodeName", () => {
  assertEquals(FIELD_LABEL_ALIASES["Pod"]?.["spec.host"], "spec.nodeName");
  const sel = normalizeFieldSelector(
    "Pod",
    parseFieldSelector("status.phase=Running,spec.host=node-1"),
  );
  assertEquals(sel.toString(), "spec.nodeName=node-1,status.phase=Running");
  assertEquals(sel.matches(selectableFields("Pod", runningPod)), true);
  assertEquals(sel.matches(selectableFields("Pod", pendingPod)), false);
});

Deno.test("normalizeFieldSelector leaves other kinds and unaliased selectors alone", () => {
  const sel = parseFieldSelector("spec.host=node-1");
  assert(normalizeFieldSelector("Node", sel) === sel);
  const plain = parseFieldSelector("spec.nodeName=node-1");
  assert(normalizeFieldSelector("Pod", plain) === plain);
});

Deno.test("unsupportedFieldLabel names the first label the kind does not support", () => {
  const table: [string, boolean, string, string | undefined][] = [
    ["Pod", true, "metadata.name=a,metadata.namespace=b,spec.nodeName=n", undefined],
    ["Pod", true, "spec.host=n", undefined],
    ["Pod", true, "status.podIP=1.2.3.4,spec.hostNetwork=true", undefined],
    ["Pod", true, "spec.containers=x", "spec.containers"],
    ["Node", false, "metadata.name=n,spec.unschedulable=false", undefined],
    ["Node", false, "metadata.namespace=x", "metadata.namespace"],
    ["Node", false, "spec.host=n", "spec.host"],
    ["Namespace", false, "status.phase=Active", undefined],
    ["Secret", true, "type=Opaque", undefined],
    ["Service", true, "spec.clusterIP=None,spec.type=ClusterIP", undefined],
    ["Service", true, "spec.selector=x", "spec.selector"],
    ["Event", true, "involvedObject.name=web,reason=Pulled,source=kubelet,type=Normal", undefined],
    ["Event", true, "involvedObject.fieldPath=x,reportingComponent=y", undefined],
    ["Event", true, "message=x", "message"],
    ["ReplicationController", true, "status.replicas=1", undefined],
    ["Deployment", true, "metadata.name=web,status.replicas=1", "status.replicas"],
    ["Widget", true, "metadata.namespace=a", undefined],
    ["Widget", false, "metadata.namespace=a", "metadata.namespace"],
    ["Widget", true, "", undefined],
  ];
  for (const [kind, namespaced, text, expected] of table) {
    assertEquals(
      unsupportedFieldLabel(kind, namespaced, parseFieldSelector(text)),
      expected,
      `${kind} ${text}`,
    );
  }
});

Deno.test("formatFieldSelector escapes record values and canonicalises strings", () => {
  assertEquals(
    formatFieldSelector({ "spec.nodeName": "n1", "metadata.name": String.raw`a,b=c\d` }),
    String.raw`metadata.name=a\,b\=c\\d,spec.nodeName=n1`,
  );
  assertEquals(formatFieldSelector({}), "");
  assertEquals(formatFieldSelector("b==2,a!=1"), "a!=1,b=2");
  const text = formatFieldSelector({ "metadata.name": "x,y" });
  assertEquals(parseFieldSelector(text).requirements[0]?.value, "x,y");
});

Deno.test("formatFieldSelector rejects invalid selectors and field names", () => {
  assertThrows(() => formatFieldSelector("a"), TypeError);
  assertThrows(() => formatFieldSelector({ "": "x" }), TypeError);
  assertThrows(() => formatFieldSelector({ "a=b": "x" }), TypeError);
  assertThrows(() => formatFieldSelector({ a: 1 as unknown as string }), TypeError);
});

Deno.test("escapeFieldSelectorValue escapes backslash, comma and equals", () => {
  assertEquals(escapeFieldSelectorValue("plain"), "plain");
  assertEquals(escapeFieldSelectorValue(String.raw`\,=`), String.raw`\\\,\=`);
  assertEquals(escapeFieldSelectorValue(""), "");
});

Deno.test("compiled field matchers are frozen", () => {
  const sel = parseFieldSelector("a=b");
  assert(Object.isFrozen(sel));
  assert(Object.isFrozen(sel.requirements));
  assert(Object.isFrozen(sel.requirements[0]));
});
