// Registers TF.js's gradient functions, which tfjs-core alone does not (the
// `@tensorflow/tfjs` bundle does). Bundlers resolve tfjs-core's extension-less ESM files by
// themselves; the published Node build inlines them (tsup.config.ts), so plain Node needs
// no loader hook and no top-level await.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
