/**
 * The library against a real kube-apiserver (suite 1, client part): CRUD, the four patch types,
 * deletes, selectors, pagination, metadata-only requests, watches, errors and authentication,
 * through the public API only, over TLS with the test CA, from kubeconfigs as users write them.
 *
 * Run with `deno task test:apiserver --only=library`; `run.ts` starts the control plane and names
 * it in `KUBESNAP_CONTROL_PLANE`. Every test works in a namespace of its own. The tests live in
 * `library_writes.ts`, `library_lists.ts`, `library_watches.ts`, `library_errors.ts` and
 * `library_auth.ts`, with helpers in `library_common.ts`.
 *
 * @module
 */

import "./library_writes.ts";
import "./library_lists.ts";
import "./library_watches.ts";
import "./library_errors.ts";
import "./library_auth.ts";
