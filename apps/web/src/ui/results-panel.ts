import type { DetectedInstance } from '@rcnn/core';

function formatBox(box: readonly number[]): string {
  return box.map((value) => value.toFixed(1)).join(', ');
}

/**
 * Lists every shown instance as a table row: label (name when known), score and box
 * `[x1, y1, x2, y2]` rounded for reading; the exact values sit in `data-label`, `data-score`
 * and `data-box` (comma-separated) for scripts and tests.
 */
export function renderResultsPanel(
  table: HTMLTableSectionElement,
  instances: readonly DetectedInstance[],
): void {
  const rows = instances.map((instance, index) => {
    const row = document.createElement('tr');
    row.dataset.label = String(instance.label);
    row.dataset.score = String(instance.score);
    row.dataset.box = instance.box.join(',');
    const cells = [
      String(index + 1),
      instance.categoryName ? `${instance.categoryName} (${instance.label})` : String(instance.label),
      instance.score.toFixed(4),
      formatBox(instance.box),
      instance.mask ? 'mask' : instance.keypoints ? `${instance.keypoints.length} keypoints` : '',
    ];
    for (const text of cells) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  });
  table.replaceChildren(...rows);
}
