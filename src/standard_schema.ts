/**
 * The Standard Schema interface (standardschema.dev) that zod, valibot,
 * arktype and others implement. Declared here so qml depends on none of them.
 *
 * @module
 */

/** A validator implementing Standard Schema v1. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** The result of a Standard Schema validation. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> };

/** One validation issue. */
export interface StandardIssue {
  /** What is wrong. */
  readonly message: string;
  /** Where, as a path of keys. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** Whether `value` implements Standard Schema. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return typeof value === "object" && value !== null && "~standard" in value &&
    typeof (value as StandardSchemaV1)["~standard"]?.validate === "function";
}

/** Render an issue as `path: message`. */
export function formatIssue(issue: StandardIssue): string {
  const path = issue.path?.map((p) => typeof p === "object" ? String(p.key) : String(p)).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
