import type { DetectionReport } from '../protocol';
import type { DetectorClient } from './detector-client';

/** Gives the current frame as RGBA pixels. */
export type FrameSource = () => ImageData;

/** Running figures of a {@link detectContinuously} loop, from the second frame on for memory. */
export interface LoopStats {
  frames: number;
  /** Frames per second over the last ten frames. */
  fps: number;
  minTensors: number;
  maxTensors: number;
  /** `tf.memory().numBytes` in the worker (CPU and GPU tensors). */
  minBytes: number;
  maxBytes: number;
}

function grabber(source: CanvasImageSource, width: number, height: number, draw?: (frame: number) => void) {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser gives no 2D canvas context');
  let frame = 0;
  return (): ImageData => {
    draw?.(frame++);
    context.drawImage(source, 0, 0, width, height);
    return context.getImageData(0, 0, width, height);
  };
}

/** Frames from the user's camera (asks for permission); `stop` ends the stream. */
export async function cameraFrames(): Promise<{ grab: FrameSource; stop(): void }> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 480 },
    audio: false,
  });
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  return {
    grab: grabber(video, video.videoWidth, video.videoHeight),
    stop: () => {
      for (const track of stream.getTracks()) track.stop();
    },
  };
}

/**
 * A camera stand-in: `picture` panning by one pixel per frame, drawn on a canvas. Every frame
 * differs, as a camera's do, so nothing is cached by accident (`?camera=synthetic`, tests).
 */
export function syntheticFrames(picture: ImageBitmap): { grab: FrameSource; stop(): void } {
  const { width, height } = picture;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser gives no 2D canvas context');
  const draw = (frame: number) => {
    const shift = frame % width;
    context.drawImage(picture, -shift, 0);
    context.drawImage(picture, width - shift, 0);
  };
  return { grab: grabber(canvas, width, height, draw), stop: () => picture.close() };
}

/**
 * Detects frame after frame (each one sent when the last result is back, so frames never queue)
 * until `shouldStop()`; `onFrame` gets every result and the running figures.
 */
export async function detectContinuously(
  detector: DetectorClient,
  grab: FrameSource,
  shouldStop: () => boolean,
  onFrame: (report: DetectionReport, stats: LoopStats) => void,
): Promise<LoopStats> {
  const stats: LoopStats = { frames: 0, fps: 0, minTensors: 0, maxTensors: 0, minBytes: 0, maxBytes: 0 };
  const times: number[] = [];
  while (!shouldStop()) {
    const { width, height, data } = grab();
    const report = await detector.detect({ kind: 'rgba', width, height, data });
    times.push(performance.now());
    if (times.length > 11) times.shift();
    stats.frames += 1;
    stats.fps = times.length > 1 ? ((times.length - 1) * 1000) / (times.at(-1)! - times[0]!) : 0;
    if (stats.frames === 2) {
      stats.minTensors = stats.maxTensors = report.numTensors;
      stats.minBytes = stats.maxBytes = report.numBytes;
    } else if (stats.frames > 2) {
      stats.minTensors = Math.min(stats.minTensors, report.numTensors);
      stats.maxTensors = Math.max(stats.maxTensors, report.numTensors);
      stats.minBytes = Math.min(stats.minBytes, report.numBytes);
      stats.maxBytes = Math.max(stats.maxBytes, report.numBytes);
    }
    onFrame(report, stats);
  }
  return stats;
}
