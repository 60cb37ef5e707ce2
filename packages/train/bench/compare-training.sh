#!/usr/bin/env bash
# Trains `rcnn train`'s default Mask R-CNN twice on the same synthetic COCO data with the same
# schedule, ours then torchvision's (bench/torchvision_train_coco.py), and evaluates both on the
# same val split with `rcnn eval` (pycocotools' numbers; see packages/coco-eval). Run from the
# repository root after `npm run setup` and the build:
#   bash packages/train/bench/compare-training.sh [ITERATIONS=600] [THREADS=2] [OUT=compare-training] [SEED=1]
# SEED draws both runs' initial weights, data order, flips and sizes (each from its own generator,
# so one seed is not one shared draw). SIDES=ours or SIDES=torchvision runs one side only (two
# calls with 1 thread each can then share a 2-core machine; timings are then not comparable).
# Needs python3-torchvision and libopenblas0-pthread (Debian).
set -euo pipefail
ITERATIONS=${1:-600}
THREADS=${2:-2}
OUT=${3:-compare-training}
SEED=${4:-1}
SIDES=${SIDES:-ours torchvision}
WARMUP=$((ITERATIONS / 6))
STEPS="$((ITERATIONS * 3 / 4)),$((ITERATIONS * 11 / 12))"
RCNN="node apps/cli/dist/main.js"
mkdir -p "$OUT"
[ -f "$OUT/data/train/instances.json" ] || $RCNN dataset synth --seed 1 --count 3000 --split train --out "$OUT/data/train"
[ -f "$OUT/data/val/instances.json" ] || $RCNN dataset synth --seed 1 --count 300 --split val --out "$OUT/data/val"
DATA="--train-json $OUT/data/train/instances.json --train-images $OUT/data/train/images"
VAL="$OUT/data/val"
SCHEDULE="--iterations $ITERATIONS --warmup-iters $WARMUP --lr-steps $STEPS --lr 0.01 --batch-size 4"

if [[ " $SIDES " == *" ours "* ]]; then
echo "== ours: $ITERATIONS iterations, $THREADS thread(s), seed $SEED"
start=$(date +%s)
RCNN_NATIVE_THREADS=$THREADS $RCNN train --arch maskrcnn_resnet18_fpn --norm-layer gn --backbone-base-channels 32 \
  --fpn-out-channels 128 --box-representation-size 512 --mask-head-channels 128 \
  --rpn-anchor-sizes 16,32,64,128,256 --min-size 224,256,288 --max-size 480 \
  --rpn-pre-nms-top-n-train 1000 --rpn-post-nms-top-n-train 1000 \
  --rpn-pre-nms-top-n-test 500 --rpn-post-nms-top-n-test 500 \
  --box-batch-size-per-image 128 --trainable-backbone-layers 5 --clip-grad-norm 10 --workers 1 \
  --seed "$SEED" --checkpoint-every "$ITERATIONS" --print-freq 50 \
  $DATA $SCHEDULE --out "$OUT/ours"
echo "ours: $(( $(date +%s) - start )) s of training"
CHECKPOINT=$(ls "$OUT"/ours/checkpoint-*.safetensors | tail -n 1)
$RCNN predict --weights "$CHECKPOINT" --coco-gt "$VAL/instances.json" --images "$VAL/images" \
  --coco-results "$OUT/ours/results.json" --threads "$THREADS"
fi

if [[ " $SIDES " == *" torchvision "* ]]; then
echo "== torchvision: $ITERATIONS iterations, $THREADS thread(s), seed $SEED"
start=$(date +%s)
LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS \
  /usr/bin/python3 packages/train/bench/torchvision_train_coco.py $DATA \
  --val-json "$VAL/instances.json" --val-images "$VAL/images" $SCHEDULE --threads "$THREADS" --seed "$SEED" --out "$OUT/torchvision"
echo "torchvision: $(( $(date +%s) - start )) s of training and val prediction"
fi

for who in $SIDES; do
  for type in bbox segm; do
    $RCNN eval --gt "$VAL/instances.json" --dt "$OUT/$who/results.json" --iou-type $type \
      --json "$OUT/$who/eval-$type.json" > /dev/null
    node -e "const s = require(require('path').resolve('$OUT/$who/eval-$type.json')).stats; console.log('$who $type: AP ' + s[0].toFixed(3) + ', AP50 ' + s[1].toFixed(3) + ', AP75 ' + s[2].toFixed(3))"
  done
done
