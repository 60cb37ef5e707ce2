import type { BackendName, DetectionReport } from './protocol';
import { cameraFrames, detectContinuously, syntheticFrames } from './ui/camera-loop';
import { toCocoResults } from './ui/coco-json';
import { DEFAULT_MODEL_URL, samplePicture } from './ui/default-model-assets';
import { DetectorClient } from './ui/detector-client';
import { download } from './ui/downloads';
import { drawImage, drawResult, visibleInstances } from './ui/draw-result';
import { listenForImages, type PickedImage, toImagePayload } from './ui/image-input';
import { modelRequest } from './ui/model-choice';
import { readPageParameters } from './ui/page-parameters';
import { renderResultsPanel } from './ui/results-panel';
import { formatTimings, showTimings } from './ui/timings';

/** The states the root element's `data-state` takes (for people, styles and tests). */
type AppState = 'idle' | 'loading' | 'running' | 'done' | 'error';

const element = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const root = element<HTMLElement>('app');
const canvas = element<HTMLCanvasElement>('canvas');
const architectureSelect = element<HTMLSelectElement>('architecture');
const weightsSelect = element<HTMLSelectElement>('weights');
const checkpointInput = element<HTMLInputElement>('checkpoint');
const sizeSelect = element<HTMLSelectElement>('size');
const backendSelect = element<HTMLSelectElement>('backend');
const threshold = element<HTMLInputElement>('threshold');
const labelsButton = element<HTMLButtonElement>('toggle-labels');
const runButton = element<HTMLButtonElement>('run');
const jsonButton = element<HTMLButtonElement>('download-json');
const pngButton = element<HTMLButtonElement>('download-png');
const results = element<HTMLTableElement>('results').tBodies[0]!;
const progress = element<HTMLProgressElement>('progress');

const params = new URLSearchParams(location.search);
const { weightsUrl, demoProposals, demoDetections } = readPageParameters(params, {
  architecture: architectureSelect,
  weights: weightsSelect,
  size: sizeSelect,
  backend: backendSelect,
});
let stageTimes: Record<string, number> = {};
let loadMs: number | undefined;
const detector = new DetectorClient({
  onStage: (stage, milliseconds) => {
    stageTimes[stage] = milliseconds;
    element('timings').textContent = formatTimings(stageTimes, loadMs);
  },
  onBackend: (report) => {
    element('backend-name').textContent = report.backend;
    element('fallbacks').textContent = report.fallbacks.length
      ? `(skipped ${report.fallbacks.join('; ')})`
      : '';
  },
  onProgress: (loaded, total) => {
    progress.hidden = false;
    progress.dataset.loaded = String(loaded);
    if (total) progress.value = loaded / total;
    else progress.removeAttribute('value'); // indeterminate without a length
    element('progress-text').textContent =
      `${(loaded / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ''} MB`;
  },
  onModel: (report) => {
    loadMs = report.loadMs;
    element('model').dataset.cached = String(report.cached ?? false);
    const from = report.cached ? ', weights from the browser cache' : '';
    element('model').textContent = `${report.description} (loaded in ${report.loadMs.toFixed(0)} ms${from})`;
    if (architectureSelect.disabled) architectureSelect.value = report.architecture; // the record's
  },
});
let checkpoint: { name: string; bytes: ArrayBuffer } | undefined;
let startedBackend: string | undefined;
let loadedModelKey: string | undefined;
let image: PickedImage | undefined;
let result: DetectionReport | undefined;
let downloadStem = 'image';

function setState(state: AppState, message = ''): void {
  root.dataset.state = state;
  element('state').textContent = state;
  element('message').textContent = message;
  const busy = state === 'loading' || state === 'running';
  runButton.disabled = busy || !image;
  jsonButton.disabled = pngButton.disabled = busy || !result;
}

function redraw(): void {
  if (!result) return;
  const minimum = Number(threshold.value);
  element('threshold-value').textContent = minimum.toFixed(3);
  drawResult(canvas, result, {
    threshold: minimum,
    labels: labelsButton.getAttribute('aria-pressed') === 'true',
  });
  renderResultsPanel(results, visibleInstances(result.instances, minimum));
}

/** Starts the chosen backend and loads the chosen model, unless they already are. */
async function ensureModel(): Promise<void> {
  setState('loading', 'starting the backend and loading the model…');
  const backend = backendSelect.value || undefined;
  if (startedBackend !== backendSelect.value) {
    await detector.startBackend(backend as BackendName | undefined);
    startedBackend = backendSelect.value;
  }
  const { source, settings, key } = modelRequest({
    architecture: architectureSelect.value,
    weights: weightsSelect.value,
    size: sizeSelect.value ? Number(sizeSelect.value) : undefined,
    defaultModelUrl: DEFAULT_MODEL_URL,
    ...(checkpoint ? { checkpoint } : {}),
    ...(weightsUrl ? { url: weightsUrl } : {}),
    demoProposals,
    demoDetections,
  });
  if (loadedModelKey !== key) {
    loadedModelKey = undefined;
    await detector.loadModel(source, settings);
    loadedModelKey = key;
  }
}

async function detect(): Promise<void> {
  if (!image) return;
  const picked = image;
  try {
    await ensureModel();
    setState('running', `detecting in ${picked.name}…`);
    stageTimes = {};
    const report = await detector.detect(await toImagePayload(picked));
    if (picked !== image) return; // a newer image arrived meanwhile; its own run reports
    result = report;
    showTimings(element('timings'), report, loadMs);
    const tensors = element('tensors');
    tensors.dataset.count = String(report.numTensors);
    tensors.textContent = `${report.numTensors} tensors held by the worker`;
    redraw();
    setState('done', `${report.instances.length} instances on ${report.backend}`);
  } catch (error) {
    if (picked === image) setState('error', error instanceof Error ? error.message : String(error));
  }
}

async function showAndDetect(picked: PickedImage): Promise<void> {
  image = picked;
  downloadStem = picked.name.replace(/\.[^.]*$/, '');
  result = undefined;
  results.replaceChildren();
  try {
    const bitmap = await createImageBitmap(picked.blob);
    drawImage(canvas, bitmap);
    bitmap.close();
  } catch {
    // Shown once detected (the worker decodes PNG and JPEG itself).
  }
  await detect();
}

listenForImages(element('file'), element('drop'), (picked) => void showAndDetect(picked));
// The sample button goes through the pictures that suit the weights (the default model's shapes).
let sampleIndex = 0;
const showNextSample = () => {
  element('sample').textContent =
    `Try a sample picture (${samplePicture(weightsSelect.value, sampleIndex).name})`;
};
element('sample').addEventListener('click', async () => {
  const picture = samplePicture(weightsSelect.value, sampleIndex++);
  showNextSample();
  void showAndDetect({ name: picture.name, blob: await (await fetch(picture.url)).blob() });
});
/** What follows the weights: the default model fixes the architecture (its record's) and shows scores from 0.5; test weights show all. */
function followWeights(): void {
  const trained = weightsSelect.value === 'default';
  architectureSelect.disabled = trained;
  threshold.value = trained ? '0.5' : '0';
  element('threshold-value').textContent = Number(threshold.value).toFixed(3);
  sampleIndex = 0;
  showNextSample();
  redraw();
}
runButton.addEventListener('click', () => void detect());
threshold.addEventListener('input', redraw);
labelsButton.addEventListener('click', (event) => {
  const shown = labelsButton.getAttribute('aria-pressed') !== 'true';
  labelsButton.setAttribute('aria-pressed', String(shown));
  labelsButton.textContent = shown ? 'Labels shown' : 'Labels hidden';
  // How long the click waited for the main thread (the page's responsiveness, also while detecting).
  labelsButton.dataset.latencyMs = (performance.now() - event.timeStamp).toFixed(1);
  labelsButton.dataset.clickedWhile = root.dataset.state;
  redraw();
});
weightsSelect.addEventListener('change', () => {
  followWeights();
  if (weightsSelect.value === 'checkpoint' && !checkpoint) checkpointInput.click();
});
checkpointInput.addEventListener('change', async () => {
  const file = checkpointInput.files?.[0];
  if (!file) return;
  checkpoint = { name: file.name, bytes: await file.arrayBuffer() };
  weightsSelect.value = 'checkpoint';
  followWeights();
  if (image) void detect();
});
jsonButton.addEventListener('click', () => {
  if (!result) return;
  const shown = visibleInstances(result.instances, Number(threshold.value));
  download(
    `${downloadStem}.json`,
    new Blob([JSON.stringify(toCocoResults(shown))], { type: 'application/json' }),
  );
});
pngButton.addEventListener('click', () => {
  canvas.toBlob((blob) => blob && download(`${downloadStem}-detections.png`, blob), 'image/png');
});
let stopCamera: (() => void) | undefined;
async function startCamera(): Promise<void> {
  try {
    await ensureModel();
    const synthetic = params.get('camera') === 'synthetic';
    const frames = synthetic
      ? syntheticFrames(
          await createImageBitmap(await (await fetch(samplePicture(weightsSelect.value, 0).url)).blob()),
        )
      : await cameraFrames();
    let stopped = false;
    stopCamera = () => {
      stopped = true;
    };
    downloadStem = 'camera-frame';
    setState('running', `detecting continuously (${synthetic ? 'synthetic camera' : 'camera'})…`);
    const loop = element('loop');
    const stats = await detectContinuously(
      detector,
      frames.grab,
      () => stopped,
      (report, running) => {
        result = report;
        redraw();
        Object.assign(loop.dataset, running);
        loop.textContent = `${running.frames} frames, ${running.fps.toFixed(1)} fps, ${report.numTensors} tensors, ${(report.numBytes / 1e6).toFixed(1)} MB`;
      },
    );
    frames.stop();
    setState('done', `camera stopped after ${stats.frames} frames`);
  } catch (error) {
    setState('error', error instanceof Error ? error.message : String(error));
  }
}
element('camera').addEventListener('click', () => void startCamera());
element('stop').addEventListener('click', () => stopCamera?.());
followWeights();
setState('idle');
