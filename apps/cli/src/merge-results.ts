import { CliError } from './command';
import { shown } from './terminal-text';

/**
 * Merges COCO results lists read from `files` (e.g. the shards of one `rcnn predict
 * --coco-results --shard I/N` run) into one list, in file order. One file is passed through
 * unchanged. Each image's detections must come from one file: an `image_id` found in two
 * files (two shards that overlap, or one file given twice) is an error, as is a file that is
 * not a list; entries are otherwise checked later by `loadResults`.
 * @throws CliError exit code 1 naming both files and the image id
 */
export function mergeResults(files: readonly string[], lists: readonly unknown[], command: string): unknown {
  if (lists.length === 1) return lists[0];
  const owner = new Map<unknown, number>();
  const merged: unknown[] = [];
  for (const [k, list] of lists.entries()) {
    if (!Array.isArray(list)) {
      throw new CliError(`${command}: --dt ${shown(files[k]!)} is not a results list (a JSON array)`, 1);
    }
    const seen = new Set<unknown>();
    for (const result of list) {
      const imageId = (result as { image_id?: unknown } | null)?.image_id;
      if (!seen.has(imageId)) {
        seen.add(imageId);
        const first = owner.get(imageId);
        if (first !== undefined) {
          throw new CliError(
            `${command}: --dt ${shown(files[first]!)} and --dt ${shown(files[k]!)} both have results for ` +
              `image_id ${shown(String(imageId))}: each image must come from one file (overlapping shards?)`,
            1,
          );
        }
        owner.set(imageId, k);
      }
      merged.push(result);
    }
  }
  return merged;
}
