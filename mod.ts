/**
 * kubesnap keeps an always-current, indexed, in-memory snapshot of
 * Kubernetes resources, the way client-go's informers do for Go. It has no
 * dependencies and uses only web-standard APIs, so it runs on Deno, Node,
 * Bun and edge workers.
 *
 * Where to start:
 * - {@linkcode KubeClient}: `await KubeClient.autoDetect()` (in-cluster, then
 *   `$KUBECONFIG`, then `~/.kube/config`); `client.resource(pods)` reads and
 *   writes one resource (`get`, `list`, `watch`, `create`, `replace`,
 *   `patch`, `delete`).
 * - {@linkcode SharedInformerFactory}: `informerFor(pods)`, `start(signal)`,
 *   `waitForCacheSync({ timeoutMs })`, `health()`.
 * - {@linkcode SharedIndexInformer}: `indexer` (the cache: `getByKey`,
 *   `byIndex`, `list`), `addEventHandler`, `addIndexers`, `setErrorHandler`,
 *   `health()`.
 * - Resource descriptors such as `pods`, `deployments`, `services`, one for
 *   every built-in kind, and `defineResource` for your own.
 * - {@linkcode Controller}, {@linkcode WorkQueue} and
 *   {@linkcode LeaderElector} for operators.
 * - The fake kube-apiserver for tests: `FakeApiServer` from
 *   `@kubesnap/kubesnap/testing`.
 *
 * @example Quick start: an informer with an index by pod IP
 * ```ts
 * import { KubeClient, pods, SharedInformerFactory } from "@kubesnap/kubesnap";
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 *
 * // Against a real cluster: const client = await KubeClient.autoDetect();
 * const server = await FakeApiServer.start();
 * server.create(pods, {
 *   metadata: { namespace: "default", name: "web-0" },
 *   spec: { containers: [{ name: "app", image: "nginx" }] },
 *   status: { phase: "Running", podIP: "10.0.0.5", podIPs: [{ ip: "10.0.0.5" }] },
 * });
 * const client = server.client();
 *
 * const factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 });
 * const podInformer = factory.informerFor(pods);
 * podInformer.addIndexers({ byIP: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip) });
 * podInformer.addEventHandler({
 *   onAdd: (pod) => console.log(`ADDED pod with name ${pod.metadata?.name}`),
 * });
 *
 * const ac = new AbortController();
 * factory.start(ac.signal);
 * await factory.waitForCacheSync(ac.signal);
 *
 * const pod = podInformer.indexer.getByKey("default/web-0");
 * console.log("The Pod IP is", pod?.status?.podIP);
 * console.log(podInformer.indexer.byIndex("byIP", "10.0.0.5").length); // 1
 *
 * ac.abort();
 * await factory.shutdown();
 * await server.close();
 * ```
 *
 * @module
 */

// API objects and metadata
export type {
  KubeList,
  KubeObject,
  LabelSelector,
  LabelSelectorRequirement,
  ListMeta,
  ManagedFieldsEntry,
  ObjectMeta,
  OwnerReference,
  PartialObjectMetadata,
  Status,
  StatusCause,
  StatusDetails,
} from "./src/api/meta.ts";
// Generated API types and descriptors, one module per API group version (`deno task gen:types`)
export * from "./src/api/meta_v1.ts";
export * from "./src/api/core_v1.ts";
export * from "./src/api/admissionregistration_v1.ts";
export * from "./src/api/apiextensions_v1.ts";
export * from "./src/api/apiregistration_v1.ts";
export * from "./src/api/apps_v1.ts";
export * from "./src/api/authentication_v1.ts";
export * from "./src/api/authorization_v1.ts";
export * from "./src/api/autoscaling_v2.ts";
export * from "./src/api/batch_v1.ts";
export * from "./src/api/certificates_v1.ts";
export * from "./src/api/coordination_v1.ts";
export * from "./src/api/discovery_v1.ts";
export * from "./src/api/events_v1.ts";
export * from "./src/api/flowcontrol_apiserver_v1.ts";
export * from "./src/api/networking_v1.ts";
export * from "./src/api/node_v1.ts";
export * from "./src/api/policy_v1.ts";
export * from "./src/api/rbac_authorization_v1.ts";
export * from "./src/api/resource_v1.ts";
export * from "./src/api/scheduling_v1.ts";
export * from "./src/api/scheduling_v1alpha3.ts";
export * from "./src/api/storage_v1.ts";
export * from "./src/api/storagemigration_v1.ts";

// Resources
export { defineResource } from "./src/api/resource.ts";
export type { ResourceDefinition, ResourceDescriptor } from "./src/api/resource.ts";
export { BUILTIN_RESOURCES, KUBERNETES_RESOURCES } from "./src/api/resources.ts";

// Errors
export {
  ApiError,
  CacheSyncTimeoutError,
  ExpiredError,
  HandlerLagError,
  IncompleteStreamingListError,
  isExpired,
  isExpiredStatus,
  isTooLargeResourceVersion,
  KubeConfigError,
  KubeError,
  TransportError,
  UnexpectedKindError,
  UserCodeError,
  VeryShortWatchError,
  WatchDecodeError,
  WatchIdleError,
  WatchWithoutProgressError,
} from "./src/api/errors.ts";
export type { UnsyncedInformer } from "./src/api/errors.ts";
export type { ApiErrorOptions, WatchDecodeErrorKind } from "./src/api/errors.ts";

// Selectors
export {
  compileLabelSelector,
  formatLabelSelector,
  labelSelectorFromStructured,
  parseLabelSelector,
} from "./src/api/label_selector.ts";
export type { LabelMatcher, LabelOperator, LabelRequirement } from "./src/api/label_selector.ts";
export {
  escapeFieldSelectorValue,
  FIELD_LABEL_ALIASES,
  formatFieldSelector,
  normalizeFieldSelector,
  parseFieldSelector,
  selectableFields,
  unsupportedFieldLabel,
} from "./src/api/field_selector.ts";
export type {
  FieldMatcher,
  FieldRequirement,
  SelectableFieldsOptions,
} from "./src/api/field_selector.ts";

// Client
export { KubeClient } from "./src/client/kube_client.ts";
export type { FetchFunction, KubeClientOptions } from "./src/client/kube_client_options.ts";
export type { KubeRequest, KubeRequester } from "./src/client/kube_request.ts";
export {
  METADATA_ACCEPT,
  METADATA_LIST_ACCEPT,
  ResourceClient,
} from "./src/client/resource_client.ts";
export type { GetOptions, ListAllOptions } from "./src/client/resource_client.ts";
export {
  deleteBody,
  listQuery,
  PATCH_CONTENT_TYPES,
  watchQuery,
  writeQuery,
} from "./src/client/request_options.ts";
export type {
  DeleteOptions,
  FieldSelectorInput,
  LabelSelectorInput,
  ListOptions,
  PatchOptions,
  PatchType,
  RequestOptions,
  SelectorOptions,
  WatchOptions,
  WriteOptions,
} from "./src/client/request_options.ts";
export { resourcePath } from "./src/client/request_path.ts";
export type { ResourcePathOptions } from "./src/client/request_path.ts";

// Configuration and authentication
export { mergeKubeConfigs, parseKubeConfig } from "./src/client/kube_config.ts";
export type {
  KubeConfig,
  KubeConfigAuthProvider,
  KubeConfigCluster,
  KubeConfigContext,
  KubeConfigExec,
  KubeConfigExecEnvVar,
  KubeConfigNamedCluster,
  KubeConfigNamedContext,
  KubeConfigNamedExtension,
  KubeConfigNamedUser,
  KubeConfigPreferences,
  KubeConfigUser,
  ParseKubeConfigOptions,
} from "./src/client/kube_config.ts";
export {
  autoDetectClientOptions,
  inClusterClientOptions,
  kubeConfigToClientOptions,
  SERVICE_ACCOUNT_DIR,
} from "./src/client/client_config.ts";
export type {
  AutoDetectClientOptions,
  InClusterClientOptions,
  KubeConfigClientOptions,
} from "./src/client/client_config.ts";
export type { AuthorizationOptions, CredentialProvider } from "./src/client/credentials.ts";
export type { CommandOutput, RunCommandOptions } from "./src/runtime/command.ts";
export { BasicCredentials } from "./src/client/basic_credentials.ts";
export { EXEC_CREDENTIAL_API_VERSIONS, ExecCredentials } from "./src/client/exec_credentials.ts";
export type {
  CommandRunner,
  ExecClientCertificate,
  ExecClusterInfo,
  ExecCredentialsOptions,
} from "./src/client/exec_credentials.ts";
export {
  TOKEN_FILE_MAX_AGE_MS,
  TokenFileCredentials,
} from "./src/client/token_file_credentials.ts";
export type { TokenFileCredentialsOptions } from "./src/client/token_file_credentials.ts";

// Watch
export { INITIAL_EVENTS_END_ANNOTATION } from "./src/api/watch_event.ts";
export type {
  BookmarkObject,
  BookmarkWatchEvent,
  ErrorWatchEvent,
  ObjectWatchEvent,
  WatchEvent,
  WatchEventType,
} from "./src/api/watch_event.ts";
export { decodeWatchStream, WatchDecoder, WatchDecoderStream } from "./src/client/watch_decoder.ts";
export type { WatchDecoderOptions } from "./src/client/watch_decoder.ts";
export { Reflector } from "./src/watch/reflector.ts";
export type {
  ListerWatcher,
  ReflectorBookmarkEvent,
  ReflectorErrorEvent,
  ReflectorEvent,
  ReflectorInitApplyEvent,
  ReflectorInitDoneEvent,
  ReflectorInitEvent,
  ReflectorObjectEvent,
  ReflectorOptions,
} from "./src/watch/reflector.ts";
export type { ReflectorRecovery } from "./src/watch/recovery.ts";
export { Backoff } from "./src/watch/backoff.ts";
export type { BackoffOptions } from "./src/watch/backoff.ts";
export type { SleepFunction } from "./src/_internal/abortable_sleep.ts";
export type { Clock } from "./src/_internal/clock.ts";

// Cache
export {
  metaNamespaceIndexFunc,
  metaNamespaceKey,
  NAMESPACE_INDEX,
  splitMetaNamespaceKey,
} from "./src/cache/keys.ts";
export type { Indexers, IndexFunc } from "./src/cache/keys.ts";
export {
  DeletedFinalStateUnknown,
  isDeletedFinalStateUnknown,
} from "./src/cache/deleted_final_state_unknown.ts";
export { createIndexer, readonlyView } from "./src/cache/indexer.ts";
export type { Indexer, IndexerOptions, ReadonlyIndexer, Store } from "./src/cache/indexer.ts";
export { createLister } from "./src/cache/lister.ts";
export type { Lister, ListerResource, NamespaceLister } from "./src/cache/lister.ts";

// Informers
export type {
  EventHandlerOptions,
  HandlerRegistration,
  InformerAddEvent,
  InformerDeleteEvent,
  InformerErrorEvent,
  InformerEvent,
  InformerSyncedEvent,
  InformerUpdateEvent,
  ResourceEventHandler,
  WatchErrorHandler,
} from "./src/informer/event_handler.ts";
export { SharedIndexInformer } from "./src/informer/shared_index_informer.ts";
export type {
  InformerEventsOptions,
  SharedIndexInformerOptions,
  WatchHealthOptions,
} from "./src/informer/shared_index_informer.ts";
export type { InformerHealth, InformerLastError } from "./src/informer/informer_health.ts";
export { SharedInformerFactory } from "./src/informer/shared_informer_factory.ts";
export type {
  FactoryInformerOptions,
  InformerForOptions,
  SharedInformerFactoryOptions,
  WaitForCacheSyncOptions,
} from "./src/informer/shared_informer_factory.ts";
export { stripManagedFields } from "./src/informer/strip_managed_fields.ts";

// Controllers
export {
  defaultControllerRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
} from "./src/controller/rate_limiter.ts";
export type {
  DefaultControllerRateLimiterOptions,
  ItemExponentialRateLimiterOptions,
  RateLimiter,
  TokenBucketRateLimiterOptions,
} from "./src/controller/rate_limiter.ts";
export { WorkQueue } from "./src/controller/work_queue.ts";
export type {
  WatchMetricsOptions,
  WorkQueueGetOptions,
  WorkQueueOptions,
} from "./src/controller/work_queue.ts";
export type { DurationSummary, WorkQueueMetrics } from "./src/controller/queue_metrics.ts";
export {
  annotationsChanged,
  generationChanged,
  labelsChanged,
  resourceVersionChanged,
} from "./src/controller/predicates.ts";
export type { UpdatePredicate } from "./src/controller/predicates.ts";
export { Controller, controllerOwnerKey } from "./src/controller/controller.ts";
export type {
  ControllerInformerOptions,
  ControllerLeaderElection,
  ControllerOptions,
  ControllerRunOptions,
  ControllerWatch,
  ReconcileContext,
  ReconcileErrorEvent,
  Reconciler,
  ReconcileResult,
} from "./src/controller/controller.ts";
export { LeaderElector } from "./src/controller/leader_election.ts";
export type { LeaderElectorOptions } from "./src/controller/leader_election.ts";
export { formatMicroTime, LeaseLock } from "./src/controller/lease_lock.ts";
export type {
  LeaderElectionRecord,
  LockRequestOptions,
  ResourceLock,
} from "./src/controller/lease_lock.ts";
