import type { ErrorCode, ErrorDto } from '../../../shared/model/errors.ts';

/**
 * An error from the conductor, as the renderer sees it (either transport): the typed envelope
 * {code, message, details} restored, so views read `details.issues` (field paths) and `code`,
 * never the message's text.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(dto: ErrorDto) {
    super(dto.message);
    this.name = 'ApiError';
    this.code = dto.code;
    this.details = dto.details;
  }
  /** the refused fields, when the conductor named them (`details.issues`) */
  get issues(): { path: string; message: string }[] {
    const issues = this.details?.issues;
    return Array.isArray(issues) ? issues.filter((i): i is { path: string; message: string } => typeof i?.path === 'string' && typeof i?.message === 'string') : [];
  }
}

/** Any rejection as an ApiError: both api clients throw ApiErrors; anything else is INTERNAL. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError({ code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
}

export function errorMessage(err: unknown): string {
  return toApiError(err).message;
}
