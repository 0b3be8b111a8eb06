import { join } from 'node:path';
import { UsageError } from '../../../shared/model/errors.ts';
import { isRunId } from '../../../shared/model/run-id.ts';

/**
 * Where a run's files live in the data directory: `<dataDir>/runs/<runId>/` (journal, snapshot,
 * report). A run id that is not one (shared/model/run-id.ts) never becomes a path.
 */
export function runsDir(dataDir: string): string {
  return join(dataDir, 'runs');
}

export function runDir(dataDir: string, runId: string): string {
  if (!isRunId(runId)) throw new UsageError(`invalid run id "${runId.slice(0, 140)}": expected letters, digits, ".", "_" or "-", starting with a letter or digit`);
  return join(runsDir(dataDir), runId);
}
