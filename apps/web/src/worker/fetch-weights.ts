/** The Cache API bucket for downloaded weights; bump the version to drop old entries. */
export const WEIGHTS_CACHE = 'rcnn-weights-v1';

/** Downloaded or cached weight bytes. */
export interface FetchedWeights {
  readonly bytes: ArrayBuffer;
  /** True when they came from the Cache API, not the network. */
  readonly cached: boolean;
}

async function openCache(): Promise<Cache | undefined> {
  try {
    // Absent outside secure contexts (plain http other than localhost).
    return typeof caches === 'undefined' ? undefined : await caches.open(WEIGHTS_CACHE);
  } catch {
    return undefined;
  }
}

/** Reads a response body chunk by chunk, reporting the bytes received. */
async function readWithProgress(
  response: Response,
  onProgress: (loaded: number, total: number | undefined) => void,
): Promise<ArrayBuffer> {
  const total = Number(response.headers.get('content-length')) || undefined;
  if (!response.body) {
    const bytes = await response.arrayBuffer();
    onProgress(bytes.byteLength, total);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes.buffer;
}

/**
 * The bytes at `url`: from the Cache API when an earlier visit stored them, else fetched with
 * progress reports and stored for next time (a full or unavailable cache only skips storing).
 * @throws Error when the download fails or the server answers with an error status
 */
export async function fetchWeights(
  url: string,
  onProgress: (loaded: number, total: number | undefined) => void,
): Promise<FetchedWeights> {
  const cache = await openCache();
  const hit = await cache?.match(url);
  if (hit) {
    const bytes = await hit.arrayBuffer();
    onProgress(bytes.byteLength, bytes.byteLength);
    return { bytes, cached: true };
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot download weights from ${url}: HTTP ${response.status}`);
  const bytes = await readWithProgress(response, onProgress);
  try {
    await cache?.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
  } catch {
    // Over quota or refused: the weights still load, just not from disk next time.
  }
  return { bytes, cached: false };
}
