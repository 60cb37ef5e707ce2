/**
 * Thrown on malformed COCO input: a dataset or results file with missing or mistyped
 * fields, results naming images the ground truth lacks, an invalid RLE or polygon.
 * `path` names where in the input the problem is (e.g. `annotations[12].bbox`),
 * `reason` is the message without it. coco-eval depends on nothing, so this is its
 * own class rather than core's RcnnError; the shape (`name`, `code`, a message saying
 * what to do) follows it.
 */
export class CocoFormatError extends Error {
  readonly code = 'INVALID_COCO_INPUT' as const;
  readonly path: string | undefined;
  readonly reason: string;

  constructor(reason: string, path?: string) {
    super(path ? `${path}: ${reason}` : reason);
    this.name = 'CocoFormatError';
    this.path = path;
    this.reason = reason;
  }
}

/**
 * Re-throwable copy of a CocoFormatError with `prefix` put before its path (hot loops
 * build paths only when something is wrong); other errors are returned unchanged.
 */
export function withPathPrefix(error: unknown, prefix: string): unknown {
  if (!(error instanceof CocoFormatError)) return error;
  return new CocoFormatError(error.reason, `${prefix}${error.path ?? ''}`);
}
