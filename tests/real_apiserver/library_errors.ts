/**
 * Errors from a real kube-apiserver: every failure is a typed `ApiError` carrying the server's
 * `Status` (404, 422, 400, 403, 401).
 *
 * Part of the library suite (`library_suite.ts`); every test works in a namespace of its own.
 *
 * @module
 */

import {
  ApiError,
  type ConfigMap,
  configMaps,
  deployments,
  KubeError,
  namespaces,
  type Pod,
  pods,
} from "../../mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_helpers/assert.ts";
import { freshNamespace } from "./_cluster.ts";
import { clusterTest, configMap, withClient } from "./library_common.ts";

clusterTest(
  "a missing object is a 404 ApiError carrying the Status with its details",
  async (client, namespace) => {
    const err = await assertRejects(
      () => client.resource(configMaps, namespace).get("nope"),
      ApiError,
    );
    assert(err instanceof KubeError);
    assertEquals(err.name, "ApiError");
    assertEquals(err.code, 404);
    assertEquals(err.reason, "NotFound");
    assertEquals(err.status.kind, "Status");
    assertEquals(err.status.apiVersion, "v1");
    assertEquals(err.status.status, "Failure");
    assertEquals(err.status.message, 'configmaps "nope" not found');
    assertEquals(err.status.details, { name: "nope", kind: "configmaps" });
    assertStringIncludes(err.message, 'configmaps "nope" not found');

    const unknown = await assertRejects(
      () => client.request({ path: `/api/v1/namespaces/${namespace}/nopes` }),
      ApiError,
    );
    assertEquals(unknown.code, 404);
    assertEquals(unknown.reason, "NotFound");
    assertEquals(unknown.status.message, "the server could not find the requested resource");
    assertEquals(unknown.status.details, {});

    // An unknown group gets a plain-text 404 from the server's mux: the error still carries a
    // Status, built from the response.
    const noGroup = await assertRejects(
      () => client.request({ path: "/apis/nope.example.com/v1/things" }),
      ApiError,
    );
    assertEquals(noGroup.code, 404);
    assertEquals(noGroup.reason, "NotFound");
    assertEquals(noGroup.status.kind, "Status");
    assertEquals(noGroup.status.message, "404 page not found");
  },
);

clusterTest(
  "an invalid object is a 422 Invalid ApiError with causes",
  async (client, namespace) => {
    const badName = await assertRejects(
      () => client.resource(configMaps, namespace).create(configMap("Not_Valid")),
      ApiError,
    );
    assertEquals(badName.code, 422);
    assertEquals(badName.reason, "Invalid");
    assertEquals(badName.status.details?.name, "Not_Valid");
    assertEquals(badName.status.details?.kind, "ConfigMap");
    const nameCause = badName.status.details?.causes?.find((c) => c.field === "metadata.name");
    assertEquals(nameCause?.reason, "FieldValueInvalid");

    const strict = await assertRejects(
      () =>
        client.resource(configMaps, namespace).create(
          { ...configMap("strict"), bogus: true } as ConfigMap,
          { fieldValidation: "Strict" },
        ),
      ApiError,
    );
    assertEquals(strict.code, 400);
    assertEquals(strict.reason, "BadRequest");
    assertStringIncludes(strict.message, 'strict decoding error: unknown field "bogus"');

    const noContainers = await assertRejects(
      () =>
        client.resource(pods, namespace).create({ metadata: { name: "empty" }, spec: {} } as Pod),
      ApiError,
    );
    assertEquals(noContainers.code, 422);
    const causes = noContainers.status.details?.causes ?? [];
    assert(
      causes.some((c) => c.reason === "FieldValueRequired" && c.field === "spec.containers"),
      `causes: ${JSON.stringify(causes)}`,
    );
  },
);

Deno.test("the viewer user is refused with a 403 naming the verb and the resource", async () => {
  const namespace = await withClient("admin", (admin) => freshNamespace(admin, "lib"));
  await withClient("viewer", async (viewer) => {
    const list = await assertRejects(() => viewer.resource(pods, namespace).list(), ApiError);
    assertEquals(list.code, 403);
    assertEquals(list.reason, "Forbidden");
    assertEquals(list.status.kind, "Status");
    assertEquals(list.status.details?.kind, "pods");
    assertStringIncludes(
      list.message,
      `User "viewer" cannot list resource "pods" in API group "" in the namespace "${namespace}"`,
    );
    const create = await assertRejects(
      () => viewer.resource(configMaps, namespace).create(configMap("x")),
      ApiError,
    );
    assertEquals(create.code, 403);
    assertStringIncludes(create.message, 'cannot create resource "configmaps"');
    const watch = await assertRejects(async () => {
      for await (const _ of viewer.resource(deployments).watch({ timeoutSeconds: 1 })) break;
    }, ApiError);
    assertEquals(watch.code, 403);
    assertStringIncludes(watch.message, 'cannot watch resource "deployments" in API group "apps"');
  });
});

Deno.test("a wrong token is a 401 Unauthorized ApiError", async () => {
  await withClient("bad-token", async (client) => {
    const err = await assertRejects(() => client.resource(namespaces).list(), ApiError);
    assertEquals(err.code, 401);
    assertEquals(err.reason, "Unauthorized");
    assertEquals(err.status.kind, "Status");
    assertEquals(err.status.status, "Failure");
    assert(!err.message.includes("not-a-known-token"), "the message never quotes the token");
  });
});
