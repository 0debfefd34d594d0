/** An answer of the API that was not a success: its problem+json, as the console shows it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The problem's stable `code` (`TASK.ILLEGAL_TRANSITION`), when it has one. */
    readonly code: string | undefined,
    /** What the API said went wrong: its `detail`, else its `title`. */
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

interface Problem {
  title?: unknown;
  detail?: unknown;
  code?: unknown;
}

/** The ApiError for an openapi-fetch answer's `error` (a problem+json body, or nothing). */
export function toApiError(response: Response, error: unknown): ApiError {
  const problem = (typeof error === 'object' && error !== null ? error : {}) as Problem;
  const detail =
    typeof problem.detail === 'string'
      ? problem.detail
      : typeof problem.title === 'string'
        ? problem.title
        : `The API answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(
    response.status,
    typeof problem.code === 'string' ? problem.code : undefined,
    detail,
  );
}

/**
 * The data of an openapi-fetch call, or its ApiError thrown: `await unwrap(client.GET(…))`.
 * A network failure (the API is down) is an ApiError with status 0.
 */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, undefined, 'The API cannot be reached. Is it running?');
  }
  if (result.error !== undefined || !result.response.ok)
    throw toApiError(result.response, result.error);
  return result.data as T;
}

/** What to show for any error: the API's `detail`, or the error's own message. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}
