/**
 * The dashboard's error responses: `{ "error": { "code", "message" } }` with a
 * status that says whose fault it was (400 input, 401/403 auth, 404 unknown,
 * 409 illegal transition, 500 storage).
 *
 * @module
 */
import { QmlError } from "../errors.ts";

/** An HTTP error of the dashboard API with a stable `code`. */
export class ApiError extends Error {
  /** Create the error answered with `status`. */
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 500,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Shorthand for a 400 naming the bad parameter. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, "BAD_REQUEST", message);
}

/** Shorthand for a 404 naming what is missing. */
export function notFound(what: string): ApiError {
  return new ApiError(404, "NOT_FOUND", `${what} not found`);
}

const STATUS_OF_CODE: Record<string, 400 | 404 | 409> = {
  VALIDATION: 400,
  CONFIG: 400,
  NOT_FOUND: 404,
  ILLEGAL_TRANSITION: 409,
};

/** The JSON error response for anything thrown by a route. */
export function errorResponse(err: unknown): Response {
  let status = 500;
  let code = "INTERNAL";
  let message = "internal error";
  if (err instanceof ApiError) {
    ({ status, code, message } = err);
  } else if (err instanceof QmlError) {
    status = STATUS_OF_CODE[err.code] ?? 500;
    code = err.code;
    message = err.message;
  } else if (err instanceof SyntaxError) {
    status = 400;
    code = "BAD_REQUEST";
    message = `malformed JSON body: ${err.message}`;
  }
  return Response.json({ error: { code, message } }, { status });
}
