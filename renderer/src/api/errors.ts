import type { ErrorCode, ErrorDto } from '../../../shared/model/errors.ts';

/** An error from the conductor, as the renderer sees it (either transport). */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(dto: ErrorDto) {
    super(dto.message);
    this.name = 'ApiError';
    this.code = dto.code;
    this.details = dto.details;
  }
}

/** Any rejection as an ApiError; IPC errors arrive as `[CODE] message` (see electron/preload/api.ts). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const m = /^(?:Error invoking remote method '[^']*': )?(?:Error: )?\[([A-Z_]+)\] ([\s\S]*)$/.exec(message);
  if (m) return new ApiError({ code: m[1] as ErrorCode, message: m[2]! });
  return new ApiError({ code: 'INTERNAL', message });
}

export function errorMessage(err: unknown): string {
  return toApiError(err).message;
}
