import { parseTask } from '@rrm/arc';
import type { Puzzle } from './puzzle';

/**
 * Reads an ARC task file ({"train": [{"input", "output"}...], "test": [{"input", "output"?}...]})
 * into one puzzle per test input. @rrm/arc validates it; its errors name the
 * file, the task id, the example and the cell.
 */
export function puzzlesFromArcTask(text: string, fileName: string): Puzzle[] {
  const taskId = fileName.replace(/\.json$/i, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName}: not valid JSON (${(e as Error).message})`);
  }
  const task = parseTask(taskId, value, { file: fileName, requireTestOutputs: false });
  const demos = task.train.map((p) => ({ input: p.input, output: p.output! }));
  return task.test.map((t, i) => ({
    id: `arc-${taskId}-${i}`,
    title: `ARC ${taskId}${task.test.length > 1 ? ` (test ${i + 1}/${task.test.length})` : ''}`,
    kind: 'arc',
    input: t.input,
    solution: t.output ?? undefined,
    note: t.output ? undefined : 'the task file gives no test output',
    demos,
    arc: { task, testIndex: i },
  }));
}
