/**
 * Code generation for custom resources: TypeScript interfaces and a typed descriptor from a
 * CustomResourceDefinition's `openAPIV3Schema`, from a file or from a live cluster.
 *
 * ```sh
 * deno run --allow-read --allow-write jsr:@kubesnap/kubesnap/codegen/cli crd.yaml --out widget.ts
 * deno run -A jsr:@kubesnap/kubesnap/codegen/cli --crd widgets.example.com --out widget.ts
 * ```
 *
 * @example Generating from CRD text
 * ```ts
 * import { generateCrdModule, parseCrdDocuments } from "@kubesnap/kubesnap/codegen";
 * const [crd] = parseCrdDocuments(`
 * apiVersion: apiextensions.k8s.io/v1
 * kind: CustomResourceDefinition
 * metadata:
 *   name: widgets.example.com
 * spec:
 *   group: example.com
 *   scope: Namespaced
 *   names: {kind: Widget, plural: widgets}
 *   versions:
 *   - name: v1
 *     served: true
 *     storage: true
 *     schema:
 *       openAPIV3Schema:
 *         type: object
 *         properties:
 *           spec:
 *             type: object
 *             properties:
 *               size: {type: integer}
 * `);
 * const text = generateCrdModule(crd!);
 * console.log(text.includes("export const widgets: ResourceDescriptor<Widget>")); // true
 * ```
 *
 * @module
 */

export { generateCrdModule, parseCrdDocuments } from "./crd_types.ts";
export type {
  CrdPrinterColumn,
  CrdVersion,
  CustomResourceDefinitionInput,
  GenerateCrdOptions,
} from "./crd_types.ts";
export { fetchCrd } from "./crd_source.ts";
export type { CrdClient, FetchCrdOptions } from "./crd_source.ts";
export type { FieldModel, JsonSchema, SchemaNaming, TypeModel } from "./schema.ts";
