"""`rcnn train`'s default Mask R-CNN built in torchvision: a half-width ResNet-18 (the parity fixtures'
NarrowResNet) with GroupNorm(32, c), every stage trainable, FPN 128, box head 512, mask head 4 x 128,
anchors 16..256, 1000 training proposals, 128 RoIs per image. Shared by the training-step bench
(packages/kernels-native/bench) and the training comparison (packages/train/bench)."""
import torch
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

from gen_backbone_grad import NarrowResNet

BASE, FPN = 32, 128


def resnet_init(body):
    """What torchvision's ResNet.__init__ does to its modules (NarrowResNet skips that __init__, so
    its convs would keep torch's default init): kaiming_normal_(fan_out, relu) convs, norms 1 / 0."""
    for module in body.modules():
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(module, (torch.nn.BatchNorm2d, torch.nn.GroupNorm)):
            torch.nn.init.constant_(module.weight, 1)
            torch.nn.init.constant_(module.bias, 0)


def default_model(num_classes=7, min_size=256, max_size=480, test_proposals=1000):
    """The model, fresh from torchvision's initializers (seed with torch.manual_seed first)."""
    body = NarrowResNet(lambda channels: torch.nn.GroupNorm(32, channels), BASE)
    resnet_init(body)
    backbone = BackboneWithFPN(body, {f"layer{k}": str(k - 1) for k in range(1, 5)},
                               [BASE * 2**k for k in range(4)], FPN, extra_blocks=LastLevelMaxPool())
    anchors = AnchorGenerator(((16,), (32,), (64,), (128,), (256,)), ((0.5, 1.0, 2.0),) * 5)
    return MaskRCNN(backbone, rpn_anchor_generator=anchors,
                    box_head=TwoMLPHead(FPN * 7 * 7, 512), box_predictor=FastRCNNPredictor(512, num_classes),
                    mask_head=MaskRCNNHeads(FPN, [128] * 4, 1),
                    mask_predictor=MaskRCNNPredictor(128, 128, num_classes),
                    min_size=min_size, max_size=max_size,
                    rpn_pre_nms_top_n_train=1000, rpn_post_nms_top_n_train=1000,
                    rpn_pre_nms_top_n_test=test_proposals, rpn_post_nms_top_n_test=test_proposals,
                    box_batch_size_per_image=128)
