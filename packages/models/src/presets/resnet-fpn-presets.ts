import type { GeneralizedRcnn } from '../generalized-rcnn';
import { buildResnetFpnRcnn } from './build-resnet-fpn-rcnn';
import type {
  FasterRcnnOptions,
  KeypointRcnnOptions,
  MaskRcnnOptions,
  ResnetDepthOption,
} from './preset-options';

/**
 * Faster R-CNN on a ResNet-18/34/50/101 FPN backbone (torchvision `FasterRCNN` with
 * `resnet_fpn_backbone(depth)`). Caller owns the detector (`dispose()`).
 */
export function fasterRcnnResnetFpn(options: FasterRcnnOptions & ResnetDepthOption): GeneralizedRcnn {
  return buildResnetFpnRcnn('fasterrcnn', options.depth, options);
}

/** Mask R-CNN on a ResNet-18/34/50/101 FPN backbone (torchvision `MaskRCNN`). Caller owns the detector. */
export function maskRcnnResnetFpn(options: MaskRcnnOptions & ResnetDepthOption): GeneralizedRcnn {
  return buildResnetFpnRcnn('maskrcnn', options.depth, options);
}

/** Keypoint R-CNN on a ResNet-18/34/50/101 FPN backbone (torchvision `KeypointRCNN`). Caller owns the detector. */
export function keypointRcnnResnetFpn(options: KeypointRcnnOptions & ResnetDepthOption): GeneralizedRcnn {
  return buildResnetFpnRcnn('keypointrcnn', options.depth, options);
}

/**
 * torchvision `models/detection/faster_rcnn.py::fasterrcnn_resnet50_fpn`: 91 classes (or the
 * checkpoint's), short side 800, long side at most 1333. Pass `weights` (a torchvision
 * state_dict) to load it. Caller owns the detector.
 */
export function fasterRcnnResnet50Fpn(options: FasterRcnnOptions = {}): GeneralizedRcnn {
  return buildResnetFpnRcnn('fasterrcnn', 50, options);
}

/** torchvision `models/detection/mask_rcnn.py::maskrcnn_resnet50_fpn`. Caller owns the detector. */
export function maskRcnnResnet50Fpn(options: MaskRcnnOptions = {}): GeneralizedRcnn {
  return buildResnetFpnRcnn('maskrcnn', 50, options);
}

/**
 * torchvision `models/detection/keypoint_rcnn.py::keypointrcnn_resnet50_fpn`: 2 classes, 17
 * keypoints (or the checkpoint's), short side 640..800 (inference 800). Caller owns the detector.
 */
export function keypointRcnnResnet50Fpn(options: KeypointRcnnOptions = {}): GeneralizedRcnn {
  return buildResnetFpnRcnn('keypointrcnn', 50, options);
}
