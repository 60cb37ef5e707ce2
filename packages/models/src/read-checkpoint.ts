import { detectWeightsFormat, RcnnError, readSafetensors, readStateDict, type StateDict } from '@rcnn/core';
import { type ModelRecord, modelRecordOf } from './model-record';

/** A weights file read once: what a detector is built and loaded from. */
export interface Checkpoint {
  /** Torch names and layouts, as torchvision's `state_dict()`. */
  readonly stateDict: StateDict;
  /** The safetensors header's metadata; empty for a `.pth` file. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The model record in that metadata (`rcnn.model`), when there is one. */
  readonly record?: ModelRecord;
}

/**
 * Reads a torchvision `.pth` or `.safetensors` weights file (chosen by content, not by name) and
 * its model record, for apps that load weights the user picks.
 * @throws RcnnError `INVALID_WEIGHTS`: "not a readable .pth or .safetensors state_dict: ..." for
 *   bytes that are neither format or are corrupt; `"rcnn.model" record: ...` for a malformed record
 */
export function readCheckpoint(bytes: Uint8Array): Checkpoint {
  let stateDict: StateDict;
  let metadata: Record<string, string> = {};
  try {
    if (detectWeightsFormat(bytes) === 'safetensors')
      ({ tensors: stateDict, metadata } = readSafetensors(bytes));
    else stateDict = readStateDict(bytes);
  } catch (error) {
    if (!(error instanceof RcnnError)) throw error;
    throw new RcnnError(error.code, `not a readable .pth or .safetensors state_dict: ${error.message}`, {
      cause: error,
    });
  }
  const record = modelRecordOf(metadata);
  return { stateDict, metadata, ...(record ? { record } : {}) };
}
