import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { setV8Flag } from './v8-flags.js';

/**
 * V8 flags for `check` over many files: less CPU and memory for the same output (bench/RESULTS.md). They
 * are process-wide (as the parser's WASM tier) and read by V8 as it goes, so they apply from the moment
 * they are set; only the `check` command asks for them.
 *
 * - The optimizing compiler (TurboFan) for code that stays hot. Thousands of small files run each reader's
 *   code a little; at V8's default budget TurboFan optimizes most of it in the background, and on real
 *   files that never paid back (the corpus's 2,149 PostgreSQL files: 1.2 s of CPU without TurboFan, 1.7 s
 *   with it, the same wall time). Without it at all, 1,500 similar generated files took 30% more. A budget 8x
 *   V8's default before a function counts as hot keeps TurboFan for what really loops: 1.4 s on those
 *   files, and the generated ones as fast as with V8's default.
 * - The old generation: after each full collection V8 lets it grow to up to 4x what survived before it
 *   collects again; on the 5,963 files of the corpus ~35 MB are alive and it grew to 60 MB. A fixed 20%.
 * - The young generation: V8 doubles it each time enough objects have survived, up to two semi-spaces of
 *   16 MB, which a long run always reaches (32 MB resident). `--max-semi-space-size` is read only at start;
 *   the growth factor at each growth: it is set to 1 as soon as the young generation has 4 MB (two
 *   semi-spaces of 2 MB: no CPU measurably lost on many small files), which loading the CLI has already
 *   reached when `check` starts; below that, a poll between event-loop turns sets it once it has. Read
 *   from V8's code cache the CLI loads without a turn of the event loop, and a poll alone saw the young
 *   generation only once it had grown to 16 MB (the corpus's 5,963 files: 135 MB peak instead of 125).
 *
 * A file of a megabyte or more is one long hot loop over parse trees: there TurboFan pays from the start (a
 * 10 MB file took 60% more CPU without it) and the trees need the bigger young generation (+15% CPU
 * without it), so V8's own settings come back before such a file is read.
 */
const YOUNG_GENERATION_CAP = 4 * 1024 * 1024;
/** A file this big is read with V8's own settings (the PostgreSQL reader parses it in runs). */
export const BIG_FILE_BYTES = 1024 * 1024;
/** V8's own growth factor of the young generation and interrupt budget (Node 20's V8 11.3 defaults; 0 is its own heap growing percent). */
const V8_GROWTH_FACTOR = 2;
const V8_INTERRUPT_BUDGET = 67584;

let poll: NodeJS.Timeout | undefined;
let tuned = false;
let capped = false;

export function tuneForManyFiles(): void {
  tuned = true;
  setV8Flag(`--interrupt-budget=${8 * V8_INTERRUPT_BUDGET}`, [`--interrupt-budget=${V8_INTERRUPT_BUDGET}`]);
  setV8Flag('--heap-growing-percent=20', ['--heap-growing-percent=0']);
  if (capYoungGeneration()) return;
  poll = setInterval(() => {
    if (capYoungGeneration()) clearInterval(poll);
  }, 1);
  poll.unref();
}

/** The young generation grows no more once it has YOUNG_GENERATION_CAP; whether it has. */
function capYoungGeneration(): boolean {
  const spaces = getHeapSpaceStatistics();
  for (let i = 0; i < spaces.length; i++) {
    if (spaces[i].space_name !== 'new_space' || spaces[i].space_size < YOUNG_GENERATION_CAP) continue;
    setV8Flag('--semi-space-growth-factor=1', [`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`]);
    capped = true;
    return true;
  }
  return false;
}

/** Before reading a file of BIG_FILE_BYTES or more: V8's own budget and young generation growth. */
export function tuneForBigFile(): void {
  if (!tuned) return;
  tuned = false;
  clearInterval(poll);
  setFlagsFromString(`--interrupt-budget=${V8_INTERRUPT_BUDGET}`);
  if (capped) setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
  capped = false;
}
