/**
 * Thrown on malformed COCO input: a dataset or results file with missing or mistyped
 * fields, results naming images the ground truth lacks, an invalid RLE or polygon.
 * `path` names where in the input the problem is (e.g. `annotations[12].bbox`).
 * coco-eval depends on nothing, so this is its own class rather than core's RcnnError;
 * the shape (`name`, `code`, message saying what to do) follows it.
 */
export class CocoFormatError extends Error {
  readonly code = 'INVALID_COCO_INPUT' as const;
  readonly path: string | undefined;

  constructor(message: string, path?: string) {
    super(path === undefined ? message : `${path}: ${message}`);
    this.name = 'CocoFormatError';
    this.path = path;
  }
}
