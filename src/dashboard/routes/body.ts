/**
 * Request bodies: JSON objects of bounded size.
 *
 * @module
 */
import { ApiError, badRequest } from "../http_errors.ts";

/** Largest request body the API reads (1 MiB). */
export const MAX_BODY_BYTES = 1 << 20;

/** Read a JSON object body, or throw a 400 saying what is wrong. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    // Also a CSRF guard: an HTML form cannot send application/json.
    throw new ApiError(400, "BAD_REQUEST", "expected Content-Type: application/json");
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw badRequest(`body larger than ${MAX_BODY_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`malformed JSON body: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest("expected a JSON object");
  }
  return value as Record<string, unknown>;
}
