/** Writes apps/cli/assets/demo.png (640x480), the picture the README's `rcnn predict` command uses. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { demoScenePng } from './demo-scene';

const path = fileURLToPath(new URL('../assets/demo.png', import.meta.url));
const png = demoScenePng(640, 480);
writeFileSync(path, png);
console.log(`wrote ${path} (${png.length} bytes)`);
