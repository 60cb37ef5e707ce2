import type { ResnetDepth } from '@rcnn/backbone-resnet-fpn';
import {
  BalancedSampler,
  BoxCoder,
  type Disposable,
  ensure,
  ImageTransform,
  Matcher,
  type RoiPooler,
  type StateDict,
} from '@rcnn/core';
import {
  BoxBranch,
  FastRcnnPredictor,
  KeypointBranch,
  KeypointRcnnHead,
  KeypointRcnnPredictor,
  MaskBranch,
  MaskRcnnHead,
  MaskRcnnPredictor,
  matcherRoiSampler,
  type RoiHeadBranch,
  TwoMlpHead,
} from '@rcnn/heads';
import { MultiScaleRoiAlign } from '@rcnn/roi-align';
import { AnchorGenerator, RegionProposalNetwork, RpnHead } from '@rcnn/rpn';
import { loadableResnetFpnBackbone } from '../backbones/loadable-resnet-fpn-backbone';
import { GeneralizedRcnn } from '../generalized-rcnn';
import { decodeKeypointHeatmaps, maskTargetRoiAlign } from '../roi-heads/branch-adapters';

import { RoiHeads } from '../roi-heads/roi-heads';
import type { KeypointRcnnOptions, MaskRcnnOptions } from './preset-options';

/** Which extra branch a preset adds to Faster R-CNN. */
export type RcnnFamily = 'fasterrcnn' | 'maskrcnn' | 'keypointrcnn';

/** Every preset option; each family reads its own. */
export type AnyRcnnOptions = MaskRcnnOptions & KeypointRcnnOptions;

/** torchvision's FPN poolers read levels '0'..'3', our p2..p5; sampling ratio 2, aligned false. */
function fpnPooler(side: number): RoiPooler {
  return new MultiScaleRoiAlign({
    featureNames: ['p2', 'p3', 'p4', 'p5'],
    outputSize: [side, side],
    samplingRatio: 2,
    aligned: false,
  });
}

/** A dimension of a checkpoint entry, when the checkpoint has it. */
function dimensionIn(weights: StateDict | undefined, name: string, axis: number): number | undefined {
  return weights?.get(name)?.shape[axis];
}

function resolveCount(
  given: number | undefined,
  replacedBy: unknown,
  fromWeights: number | undefined,
  fallback: number,
  what: string,
): number {
  ensure(
    given === undefined || replacedBy === undefined,
    'INVALID_ARGUMENT',
    () => `${what} must be left out when its predictor is given (as torchvision)`,
  );
  const count = given ?? fromWeights ?? fallback;
  ensure(
    Number.isInteger(count) && count > 0,
    'INVALID_ARGUMENT',
    () => `${what} must be a positive integer, got ${count}`,
  );
  return count;
}

/** The RPN's anchors from the scalar options: one size a level, the same ratios at every level. */
function anchorGeneratorFor(options: AnyRcnnOptions): AnchorGenerator {
  const { rpnAnchorSizes: sizes, rpnAspectRatios: ratios } = options;
  if (sizes === undefined && ratios === undefined) return new AnchorGenerator();
  ensure(
    sizes === undefined || sizes.length === 5,
    'INVALID_ARGUMENT',
    () => `rpnAnchorSizes needs one size for each of the 5 FPN levels p2..p6, got ${sizes?.length}`,
  );
  const perLevel = (sizes ?? [32, 64, 128, 256, 512]).map((size) => [size]);
  return new AnchorGenerator({
    sizes: perLevel,
    ...(ratios ? { aspectRatios: perLevel.map(() => [...ratios]) } : {}),
  });
}

/**
 * Builds a torchvision R-CNN on a ResNet-FPN backbone (torchvision `faster_rcnn.py::FasterRCNN`,
 * `mask_rcnn.py::MaskRCNN`, `keypoint_rcnn.py::KeypointRCNN` with `resnet_fpn_backbone`), then
 * loads `options.weights` strictly. Parts built here are disposed if anything fails.
 */
export function buildResnetFpnRcnn(
  family: RcnnFamily,
  depth: ResnetDepth,
  options: AnyRcnnOptions,
): GeneralizedRcnn {
  const { weights } = options;
  const isKeypoint = family === 'keypointrcnn';
  const numClasses = resolveCount(
    options.numClasses,
    options.boxPredictor ?? (family === 'maskrcnn' ? options.maskPredictor : undefined),
    dimensionIn(weights, 'roi_heads.box_predictor.cls_score.weight', 0),
    isKeypoint ? 2 : 91,
    'numClasses',
  );
  const fpnChannels = options.fpnOutChannels ?? 256;
  const owned: Disposable[] = [];
  const own = <T extends Disposable>(part: T): T => {
    owned.push(part);
    return part;
  };
  try {
    const transform = new ImageTransform({
      minSize: options.minSize ?? (isKeypoint ? [640, 672, 704, 736, 768, 800] : 800),
      maxSize: options.maxSize ?? 1333,
      ...(options.imageMean ? { imageMean: options.imageMean } : {}),
      ...(options.imageStd ? { imageStd: options.imageStd } : {}),
      sizeDivisibility: options.sizeDivisible ?? 32,
      ...(options.fixedSize ? { fixedSize: options.fixedSize } : {}),
    });
    const backbone = own(
      loadableResnetFpnBackbone({
        depth,
        trainableLayers: options.trainableBackboneLayers ?? (weights ? 3 : 5),
        ...(options.normLayer ? { norm: options.normLayer } : {}),
        ...(options.backboneBaseChannels ? { baseChannels: options.backboneBaseChannels } : {}),
        outChannels: fpnChannels,
        zeroInit: weights !== undefined, // loaded below: no random draws
      }),
    );
    const anchorGenerator = options.rpnAnchorGenerator ?? anchorGeneratorFor(options);
    const rpnHead = own(
      options.rpnHead ??
        new RpnHead({ inChannels: fpnChannels, numAnchors: anchorGenerator.numAnchorsPerLocation()[0] }),
    );
    const rpn = new RegionProposalNetwork({
      anchorGenerator,
      head: rpnHead,
      matcher: new Matcher({
        highThreshold: options.rpnFgIouThresh ?? 0.7,
        lowThreshold: options.rpnBgIouThresh ?? 0.3,
        allowLowQualityMatches: true,
      }),
      sampler:
        options.rpnSampler ??
        new BalancedSampler({
          batchSizePerImage: options.rpnBatchSizePerImage ?? 256,
          positiveFraction: options.rpnPositiveFraction ?? 0.5,
        }),
      preNmsTopN: { train: options.rpnPreNmsTopNTrain ?? 2000, infer: options.rpnPreNmsTopNTest ?? 1000 },
      postNmsTopN: { train: options.rpnPostNmsTopNTrain ?? 2000, infer: options.rpnPostNmsTopNTest ?? 1000 },
      nmsThresh: options.rpnNmsThresh ?? 0.7,
      scoreThresh: options.rpnScoreThresh ?? 0.0,
    });
    const boxPooler = options.boxRoiPool ?? fpnPooler(7);
    const boxHead = own(
      options.boxHead ??
        new TwoMlpHead({
          inChannels: fpnChannels,
          resolution: boxPooler.outputSize,
          representationSize: options.boxRepresentationSize ?? 1024,
        }),
    );
    const boxPredictor = own(
      options.boxPredictor ?? new FastRcnnPredictor({ inChannels: boxHead.representationSize, numClasses }),
    );
    const branches: RoiHeadBranch[] = [];
    if (family === 'maskrcnn') {
      const width = options.maskHeadChannels ?? 256;
      const head = own(
        options.maskHead ??
          new MaskRcnnHead({ inChannels: fpnChannels, layers: [width, width, width, width] }),
      );
      const predictor = own(
        options.maskPredictor ??
          new MaskRcnnPredictor({ inChannels: head.outChannels, dimReduced: width, numClasses }),
      );
      const pooler = options.maskRoiPool ?? fpnPooler(14);
      branches.push(new MaskBranch({ pooler, head, predictor, roiAlign: maskTargetRoiAlign }));
    }
    if (isKeypoint) {
      const numKeypoints = resolveCount(
        options.numKeypoints,
        options.keypointPredictor,
        dimensionIn(weights, 'roi_heads.keypoint_predictor.kps_score_lowres.weight', 1),
        17,
        'numKeypoints',
      );
      const head = own(options.keypointHead ?? new KeypointRcnnHead({ inChannels: fpnChannels }));
      const predictor = own(
        options.keypointPredictor ??
          new KeypointRcnnPredictor({ inChannels: head.outChannels, numKeypoints }),
      );
      const pooler = options.keypointRoiPool ?? fpnPooler(14);
      branches.push(new KeypointBranch({ pooler, head, predictor, decodeHeatmaps: decodeKeypointHeatmaps }));
    }
    const roiHeads = new RoiHeads({
      box: new BoxBranch({ pooler: boxPooler, head: boxHead, predictor: boxPredictor }),
      branches,
      boxCoder: new BoxCoder({ weights: options.bboxRegWeights ?? [10, 10, 5, 5] }),
      scoreThresh: options.boxScoreThresh ?? 0.05,
      nmsThresh: options.boxNmsThresh ?? 0.5,
      detectionsPerImage: options.boxDetectionsPerImg ?? 100,
      ...(options.roiPadding ? { roiPadding: options.roiPadding } : {}),
      sampler:
        options.boxSampler ??
        matcherRoiSampler({
          fgIouThresh: options.boxFgIouThresh ?? 0.5,
          bgIouThresh: options.boxBgIouThresh ?? 0.5,
          batchSizePerImage: options.boxBatchSizePerImage ?? 512,
          positiveFraction: options.boxPositiveFraction ?? 0.25,
        }),
    });
    const model = new GeneralizedRcnn({ transform, backbone, proposalGenerator: rpn, roiHeads });
    if (weights) model.loadStateDict(weights, { strict: true });
    return model;
  } catch (error) {
    for (const part of owned) part.dispose();
    throw error;
  }
}
