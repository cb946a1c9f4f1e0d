// Source-mode Node (tsx, vitest) has no build that inlines tfjs-core's gradient files, so
// it loads them through a resolve hook. Never published: package.json's `imports` picks
// this file only under the `source` condition.
import { registerGradients } from './gradients';

await registerGradients();
