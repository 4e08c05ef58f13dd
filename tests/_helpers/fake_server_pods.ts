/**
 * Realistic pods (about 6 KB of JSON each, managedFields included) for tests
 * and measurements of the fake apiserver.
 *
 * @module
 */

import type { Pod } from "../../src/api/core_v1.ts";

/** A pod of roughly 6 KB named `pod-<index>` in `namespace`. */
export function bigPod(index: number, namespace = "default"): Pod {
  const name = `pod-${String(index).padStart(6, "0")}`;
  const env = Array.from({ length: 44 }, (_, i) => ({
    name: `ENV_VARIABLE_NUMBER_${i}`,
    value: `value-${index}-${i}-abcdefghijklmnopqrstuvwxyz`,
  }));
  return {
    metadata: {
      name,
      namespace,
      labels: {
        app: `app-${index % 10}`,
        "app.kubernetes.io/name": "bench",
        "pod-template-hash": "7d4b9c8f6d",
      },
      annotations: {
        "kubernetes.io/config.seen": "2024-01-01T00:00:00.000000000Z",
        "example.com/checksum": "a3f1c9e2b7d4a3f1c9e2b7d4a3f1c9e2b7d4a3f1c9e2b7d4",
      },
      ownerReferences: [{
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: "bench-7d4b9c8f6d",
        uid: "0b6f4a52-8d8c-4f43-9a3d-2f0c6a1e7b11",
        controller: true,
        blockOwnerDeletion: true,
      }],
      managedFields: [{
        manager: "kube-controller-manager",
        operation: "Update",
        apiVersion: "v1",
        time: "2024-01-01T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} }, "f:ownerReferences": {} },
          "f:spec": {
            "f:containers": { 'k:{"name":"main"}': { ".": {}, "f:env": {}, "f:image": {} } },
          },
        },
      }],
    },
    spec: {
      nodeName: `node-${index % 100}`,
      serviceAccountName: "default",
      containers: [{
        name: "main",
        image: "registry.example.com/team/app:1.2.3",
        ports: [{ containerPort: 8080, protocol: "TCP" }],
        env,
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        volumeMounts: [{
          name: "kube-api-access",
          mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
          readOnly: true,
        }],
      }],
      volumes: [{ name: "kube-api-access" }],
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
    },
    status: {
      phase: "Running",
      podIP: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
      podIPs: [{ ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}` }],
      hostIP: "192.168.1.10",
      startTime: "2024-01-01T00:00:00Z",
      conditions: [
        { type: "Initialized", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" },
        { type: "Ready", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" },
        { type: "ContainersReady", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" },
        { type: "PodScheduled", status: "True", lastTransitionTime: "2024-01-01T00:00:00Z" },
      ],
      containerStatuses: [{
        name: "main",
        ready: true,
        restartCount: 0,
        image: "registry.example.com/team/app:1.2.3",
        imageID:
          "registry.example.com/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        containerID:
          "containerd://0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        started: true,
        state: { running: { startedAt: "2024-01-01T00:00:00Z" } },
      }],
    },
  };
}
