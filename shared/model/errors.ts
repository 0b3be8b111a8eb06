/**
 * Typed errors. They cross IPC and HTTP as `ErrorDto` ({code, message, details}) — never a stack.
 */
export type ErrorCode =
  | 'SPEC_INVALID'
  | 'USAGE'
  | 'SUBSTRATE'
  | 'PRODUCTION_WRITE_REFUSED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'LOAD'
  | 'NOT_FOUND'
  | 'CONFLICT'
  /** the test environment is in use by another run */
  | 'LOCKED'
  | 'FORBIDDEN'
  | 'INTERNAL';

export interface ErrorDto {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class ConductorError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
  toDto(): ErrorDto {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** One problem found in a LoadTest document. `path` is a dotted field path such as `spec.load.rampUp`. */
export interface SpecIssue {
  path: string;
  message: string;
  expected?: string;
  found?: string;
  line?: number;
  column?: number;
}

export class SpecError extends ConductorError {
  readonly issues: SpecIssue[];
  readonly file: string | undefined;
  constructor(issues: SpecIssue[], file?: string) {
    super('SPEC_INVALID', formatSpecIssues(issues, file), { issues, ...(file ? { file } : {}) });
    this.issues = issues;
    this.file = file;
  }
}

export function formatSpecIssue(issue: SpecIssue, file?: string): string {
  // no position (a file that cannot be read at all): just the file; no path (the whole document): no path
  const where = issue.line === undefined ? (file ?? '<spec>') : [file ?? '<spec>', issue.line, issue.column ?? 1].join(':');
  const parts = [`${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`];
  if (issue.expected !== undefined) parts.push(`expected ${issue.expected}`);
  if (issue.found !== undefined) parts.push(`found ${issue.found}`);
  return parts.join('; ');
}

export function formatSpecIssues(issues: SpecIssue[], file?: string): string {
  const head = `${issues.length} problem${issues.length === 1 ? '' : 's'} in ${file ?? 'the LoadTest spec'}:`;
  return [head, ...issues.map((i) => '  ' + formatSpecIssue(i, file))].join('\n');
}

/** A failure talking to a cluster or ECS: names where, what and the HTTP status. */
export class SubstrateError extends ConductorError {
  constructor(
    message: string,
    details: { substrate: 'kubernetes' | 'ecs'; target: string; resource?: string; status?: number; retryable?: boolean },
  ) {
    super('SUBSTRATE', message, details);
  }
  get status(): number | undefined {
    return this.details?.status as number | undefined;
  }
  get retryable(): boolean {
    return this.details?.retryable === true;
  }
}

/** Invalid input or usage (a bad option, an unknown run id): nothing was changed. */
export class UsageError extends ConductorError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('USAGE', message, details);
  }
}

/** Raised when a write would land on production. Production is never written to. */
export class ProductionWriteRefused extends ConductorError {
  constructor(message: string, details: Record<string, unknown>) {
    super('PRODUCTION_WRITE_REFUSED', message, details);
  }
}

export class TimeoutError extends ConductorError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('TIMEOUT', message, details);
  }
}

export class AbortedError extends ConductorError {
  constructor(message = 'aborted', details?: Record<string, unknown>) {
    super('ABORTED', message, details);
  }
}

export class LoadError extends ConductorError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('LOAD', message, details);
  }
}

/** The message of any thrown value (an Error's message, or the value as text). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Any thrown value as an ErrorDto: typed errors keep their code; anything else becomes INTERNAL with its message only. */
export function toErrorDto(err: unknown): ErrorDto {
  if (err instanceof ConductorError) return err.toDto();
  const message = errorMessage(err);
  return { code: 'INTERNAL', message };
}
