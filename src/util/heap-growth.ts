import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * A long `check` (thousands of files) in less memory, for the same CPU (bench/RESULTS.md):
 *
 * - the old generation: after each full collection V8 lets it grow to up to 4x what survived before it
 *   collects again; on the 5,963 files of the corpus ~35 MB are alive and it grew to 60 MB. A fixed 20% is
 *   read by V8 at each collection, so setting it now applies from now on.
 * - the young generation: V8 doubles it each time enough objects have survived, up to two semi-spaces of
 *   16 MB, which a long run always reaches (32 MB resident). Two of 4 MB cost nothing measurable on many
 *   small files. `--max-semi-space-size` is read only at start; the growth factor at each growth: it is set
 *   to 1 once the young generation has reached 8 MB, seen by a poll between event-loop turns (the growth
 *   happens while the CLI loads its modules, the config and the file list). A file of a megabyte or more
 *   allocates parse trees that need the bigger young generation (+15% CPU on a 10 MB file without it), so
 *   the growth is allowed again before one is read.
 *
 * The flags are process-wide (as the parser's WASM tier); only the `check` command asks for them.
 */
const YOUNG_GENERATION_CAP = 8 * 1024 * 1024;
/** A file this big is read with the young generation V8 would give it (the PostgreSQL reader parses it in runs). */
export const BIG_FILE_BYTES = 1024 * 1024;
/** V8's own growth factor of the young generation (its default). */
const V8_GROWTH_FACTOR = 2;

let poll: NodeJS.Timeout | undefined;
let capped = false;

export function preferCompactHeap(): void {
  setFlagsFromString('--heap-growing-percent=20');
  poll = setInterval(() => {
    const spaces = getHeapSpaceStatistics();
    for (let i = 0; i < spaces.length; i++) {
      if (spaces[i].space_name !== 'new_space' || spaces[i].space_size < YOUNG_GENERATION_CAP) continue;
      setFlagsFromString('--semi-space-growth-factor=1');
      capped = true;
      clearInterval(poll);
    }
  }, 1);
  poll.unref();
}

/** Before reading a file of a megabyte or more: the young generation may grow again (nothing if never capped). */
export function allowYoungGenerationGrowth(): void {
  clearInterval(poll);
  if (capped) setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
  capped = false;
}
