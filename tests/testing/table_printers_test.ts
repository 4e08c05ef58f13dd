import { assertEquals } from "../_helpers/assert.ts";
import { humanDuration, TABLE_PRINTERS } from "../../src/testing/_table_printers.ts";

const NOW = Date.parse("2026-01-10T12:00:00Z");
const CREATED = "2026-01-10T11:58:00Z";

function cells(key: string, object: unknown): unknown[] {
  return TABLE_PRINTERS.get(key)!.cells(object, NOW);
}

Deno.test("humanDuration ages like apimachinery's duration.HumanDuration", () => {
  const s = 1000;
  const cases: [number, string][] = [
    [-5 * s, "<invalid>"],
    [-1 * s, "0s"],
    [119 * s, "119s"],
    [125 * s, "2m5s"],
    [600 * s, "10m"],
    [3 * 3600 * s + 5 * 60 * s, "3h5m"],
    [30 * 3600 * s, "30h"],
    [50 * 3600 * s, "2d2h"],
    [400 * 86400 * s, "400d"],
    [3 * 365 * 86400 * s + 10 * 86400 * s, "3y10d"],
    [9 * 365 * 86400 * s, "9y"],
  ];
  assertEquals(cases.map(([ms]) => humanDuration(ms)), cases.map(([, text]) => text));
});

Deno.test("the pod printer reports readiness, reasons and restarts as printPod does", async (t) => {
  const pod = (status: unknown, extra: Record<string, unknown> = {}) => ({
    metadata: { name: "p", creationTimestamp: CREATED, ...extra },
    spec: { containers: [{ name: "a" }, { name: "b" }], nodeName: "n1" },
    status,
  });
  await t.step("running and ready", () => {
    const running = { running: {} };
    assertEquals(
      cells(
        "v1/Pod",
        pod({
          phase: "Running",
          podIPs: [{ ip: "10.0.0.9" }],
          containerStatuses: [
            { name: "a", ready: true, state: running, restartCount: 1 },
            { name: "b", ready: false, state: running },
          ],
        }),
      ),
      ["p", "1/2", "Running", "1", "2m", "10.0.0.9", "n1", "<none>", "<none>"],
    );
  });
  await t.step("a waiting container's reason, restarts with the last one's age", () => {
    const row = cells(
      "v1/Pod",
      pod({
        phase: "Running",
        containerStatuses: [{
          name: "a",
          restartCount: 3,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: { terminated: { exitCode: 1, finishedAt: "2026-01-10T11:59:30Z" } },
        }],
      }),
    );
    assertEquals(row.slice(1, 4), ["0/2", "CrashLoopBackOff", "3 (30s ago)"]);
  });
  await t.step("init containers, terminating pods and completed rows", () => {
    const init = pod({ phase: "Pending", initContainerStatuses: [{ name: "i", state: {} }] });
    (init.spec as Record<string, unknown>).initContainers = [{ name: "i" }];
    assertEquals(cells("v1/Pod", init)[2], "Init:0/1");
    const deleting = pod({ phase: "Running" }, { deletionTimestamp: CREATED });
    assertEquals(cells("v1/Pod", deleting)[2], "Terminating");
    assertEquals(TABLE_PRINTERS.get("v1/Pod")!.conditions!(pod({ phase: "Succeeded" })), [{
      type: "Completed",
      status: "True",
      reason: "Succeeded",
      message: "The pod has completed successfully.",
    }]);
  });
});

Deno.test("the deployment, service and node printers format selectors, ports and roles", () => {
  assertEquals(
    cells("apps/v1/Deployment", {
      metadata: { name: "d", creationTimestamp: CREATED },
      spec: {
        selector: {
          matchLabels: { tier: "web", app: "x" },
          matchExpressions: [{ key: "env", operator: "In", values: ["prod", "dev"] }],
        },
        template: {
          spec: { containers: [{ name: "a", image: "i:1" }, { name: "b", image: "j" }] },
        },
      },
      status: { readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    }),
    ["d", "1/1", 1, 1, "2m", "a,b", "i:1,j", "app=x,env in (dev,prod),tier=web"],
  );
  assertEquals(
    cells("v1/Service", {
      metadata: { name: "s", creationTimestamp: CREATED },
      spec: {
        type: "LoadBalancer",
        clusterIPs: ["10.96.0.10"],
        ports: [{ port: 80, nodePort: 30080 }, { port: 53, protocol: "UDP" }],
      },
      status: { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } },
    }),
    ["s", "LoadBalancer", "10.96.0.10", "1.2.3.4", "80:30080/TCP,53/UDP", "2m", "<none>"],
  );
  assertEquals(
    cells("v1/Node", {
      metadata: {
        name: "n",
        creationTimestamp: CREATED,
        labels: { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "infra" },
      },
      spec: { unschedulable: true },
      status: { conditions: [{ type: "Ready", status: "False" }] },
    }).slice(0, 3),
    ["n", "NotReady,SchedulingDisabled", "control-plane,infra"],
  );
});
