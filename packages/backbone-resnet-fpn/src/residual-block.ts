import { Conv2d, ConvNorm, Module, ModuleList, type Norm2d } from '@rcnn/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ResidualBlockKind } from './resnet-architecture';

/** Geometry of a ResNet conv (torch `nn.Conv2d` arguments). */
export interface ResnetConvGeometry {
  readonly stride?: number;
  readonly padding?: number;
  readonly groups?: number;
}

/** Builds the norms and convs of a ResNet body (so the norm kind and the initialization are chosen once). */
export interface ResnetLayers {
  norm(channels: number): Norm2d;
  conv(inChannels: number, outChannels: number, kernelSize: number, geometry?: ResnetConvGeometry): Conv2d;
}

/**
 * A bias-free ResNet conv with torchvision's init, kaiming_normal_(mode='fan_out',
 * nonlinearity='relu'), or zeros (`zeroInit`: weights about to be loaded; no random draws).
 */
export function resnetConv(
  inChannels: number,
  outChannels: number,
  kernelSize: number,
  { stride = 1, padding = 0, groups = 1 }: ResnetConvGeometry = {},
  zeroInit = false,
): Conv2d {
  const std = Math.sqrt(2 / (outChannels * kernelSize * kernelSize));
  return new Conv2d({
    inChannels,
    outChannels,
    kernelSize,
    stride,
    padding,
    groups,
    bias: false,
    weightInit: zeroInit ? { kind: 'zeros' } : { kind: 'normal', std },
  });
}

/** Geometry of one {@link ResidualBlock}. */
export interface ResidualBlockSpec {
  readonly kind: ResidualBlockKind;
  readonly inChannels: number;
  /** Channels of the 3x3 conv(s). */
  readonly width: number;
  readonly outChannels: number;
  /** On the first 3x3 conv (ResNet V1.5) and the projection. */
  readonly stride: number;
  readonly groups: number;
  /** Whether it has the projection shortcut `downsample` (1x1 conv + norm). */
  readonly downsample: boolean;
}

/**
 * torchvision `resnet.py` BasicBlock (3x3, 3x3) or Bottleneck (1x1, 3x3 with stride and groups,
 * 1x1): `relu(convs(x) + shortcut(x))`. Entries `conv{i}.weight`, `bn{i}.*`, `downsample.{0,1}.*`.
 * Norms are folded into their convs for inference while frozen (see core's `ConvNorm`).
 */
export class ResidualBlock extends Module {
  /** In order; every one but the last is followed by ReLU. */
  readonly convs: readonly ConvNorm[];
  readonly downsample: ConvNorm | undefined;

  constructor(spec: ResidualBlockSpec, layers: ResnetLayers) {
    super();
    const { kind, inChannels, width, outChannels, stride, groups } = spec;
    const convs =
      kind === 'basic'
        ? [
            layers.conv(inChannels, width, 3, { stride, padding: 1 }),
            layers.conv(width, outChannels, 3, { padding: 1 }),
          ]
        : [
            layers.conv(inChannels, width, 1),
            layers.conv(width, width, 3, { stride, padding: 1, groups }),
            layers.conv(width, outChannels, 1),
          ];
    this.convs = convs.map((conv, i) => {
      this.addModule(`conv${i + 1}`, conv);
      return new ConvNorm(conv, this.addModule(`bn${i + 1}`, layers.norm(conv.outChannels)));
    });
    if (spec.downsample) {
      const conv = layers.conv(inChannels, outChannels, 1, { stride });
      const norm = layers.norm(outChannels);
      this.addModule('downsample', new ModuleList<Module>([conv, norm]));
      this.downsample = new ConvNorm(conv, norm);
    } else {
      this.downsample = undefined;
    }
  }

  /** @param x `[B, H, W, C]`, not disposed. @returns `[B, H/stride, W/stride, C']`; caller owns. */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x;
      this.convs.forEach((conv, i) => {
        y = conv.forward(y, i < this.convs.length - 1 ? 'relu' : 'linear');
      });
      const shortcut = this.downsample ? this.downsample.forward(x, 'linear') : x;
      return tf.relu(tf.add<tf.Tensor4D>(y, shortcut));
    });
  }

  override dispose(): void {
    for (const conv of this.convs) conv.dispose();
    this.downsample?.dispose();
    super.dispose();
  }
}
