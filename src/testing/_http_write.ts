/**
 * The {@linkcode WriteRequest} of a write over HTTP: its dry-run and the
 * manager its managedFields entry names, read from the query and headers.
 *
 * @module
 */

import { invalid, notSupportedField, StatusError } from "./_status.ts";
import type { WriteRequest } from "./_write_context.ts";

/** `dryRun=All` (any other value is 422). */
export function dryRunOf(params: URLSearchParams): boolean {
  const values = params.getAll("dryRun");
  for (const value of values) {
    if (value !== "All") {
      throw new StatusError(
        invalid("meta.k8s.io", "Options", "", [notSupportedField("dryRun", value, ["All"])]),
      );
    }
  }
  return values.length > 0;
}

/**
 * Who an Update entry in managedFields names: `fieldManager`, else the User-Agent up to its
 * first `/` (kube-apiserver's `prefixFromUserAgent`).
 */
export function updateManager(request: Request, params: URLSearchParams): string | undefined {
  const given = params.get("fieldManager");
  if (given !== null && given !== "") return given;
  const agent = request.headers.get("user-agent") ?? "";
  const prefix = agent.split("/")[0]!.slice(0, 128);
  return prefix === "" ? undefined : prefix;
}

/** A write over HTTP, with the request's dry-run and manager. */
export function httpWrite(
  request: Request,
  params: URLSearchParams,
  facts: Omit<WriteRequest, "http" | "dryRun" | "manager"> = {},
): WriteRequest {
  return {
    ...facts,
    http: true,
    dryRun: dryRunOf(params),
    manager: updateManager(request, params),
  };
}
