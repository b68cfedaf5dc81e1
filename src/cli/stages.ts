import { killPoint } from '../backup/kill-point.js';
import { trace } from '../backup/trace.js';

/**
 * What happens as each progress stage of a long command begins: the timing line of DBSAFE_TRACE,
 * the fault tests' kill point, then the progress line on a TTY.
 */
export function stageReporter(progress: { update(text: string): void }): (stage: string) => void {
  return (stage) => {
    trace(stage);
    killPoint(stage);
    progress.update(`${stage}…`);
  };
}
