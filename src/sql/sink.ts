/**
 * Collects operations for one piece of SQL and turns string offsets into the file's line/column
 * (shifted by startLine/startColumn when the SQL is embedded in another file format).
 */
import type { Dialect, Direction, ObjectRef, Operation, OperationFlags, OperationKind } from '../model/operation.js';
import { LineIndex } from './text-index.js';

export interface SinkOptions {
  path: string;
  dialect: Dialect;
  direction: Direction;
  startLine: number;
  startColumn: number;
}

export interface OpInput {
  kind: OperationKind;
  target?: ObjectRef;
  flags?: OperationFlags;
  /** String offset of the operation itself in the text. */
  at: number;
  /** Offset where the statement starts, and its text. */
  statementStart: number;
  statementText: string;
  detail?: string;
}

/** Longest statement text kept whole in an operation; longer ones keep a window around the operation. */
const MAX_STATEMENT = 4000;
const WINDOW_LINES = 3;

export class OpSink {
  readonly ops: Operation[] = [];
  private lineIndex?: LineIndex;

  constructor(
    readonly text: string,
    private readonly options: SinkOptions,
  ) {}

  /** Built on first use: most files have nothing to report. */
  get lines(): LineIndex {
    this.lineIndex ??= new LineIndex(this.text);
    return this.lineIndex;
  }

  position(offset: number): { line: number; column: number } {
    const p = this.lines.position(offset);
    const { startLine, startColumn } = this.options;
    return { line: startLine + p.line - 1, column: p.line === 1 ? startColumn + p.column - 1 : p.column };
  }

  add(input: OpInput): Operation {
    const at = Math.max(input.statementStart, Math.min(input.at, input.statementStart + input.statementText.length));
    const pos = this.position(at);
    let statement = input.statementText.trim();
    let statementStart = input.statementStart;
    if (statement.length > MAX_STATEMENT) {
      // keep a few lines around the operation so the caret still points inside the text shown
      const rel = at - input.statementStart;
      let from = rel;
      for (let n = 0; n <= WINDOW_LINES && from > 0; n++) from = input.statementText.lastIndexOf('\n', from - 1);
      from = from <= 0 ? 0 : from + 1;
      let to = rel;
      for (let n = 0; n <= WINDOW_LINES && to !== -1; n++) to = input.statementText.indexOf('\n', to + 1);
      if (to === -1 || to - from > MAX_STATEMENT) to = Math.min(input.statementText.length, from + MAX_STATEMENT);
      statement = input.statementText.slice(from, to).trimEnd();
      statementStart = input.statementStart + from;
    }
    const op: Operation = {
      kind: input.kind,
      ...(input.target ? { target: input.target } : {}),
      file: this.options.path,
      line: pos.line,
      column: pos.column,
      direction: this.options.direction,
      flags: input.flags ?? {},
      statement,
      statementLine: this.position(statementStart).line,
      ...(input.detail ? { detail: input.detail } : {}),
      dialect: this.options.dialect,
    };
    this.ops.push(op);
    return op;
  }
}
