// Registers TF.js's gradient functions, which tfjs-core alone does not (the
// `@tensorflow/tfjs` bundle does). Bundlers resolve tfjs-core's extension-less ESM files by
// themselves; the published Node build inlines them (tsup.config.ts), so plain Node needs
// no loader hook and no top-level await. There the inlined files are a second copy of
// tfjs-core's internals; tfjs-core's own entry must load first, so that the global engine
// they share (and every tensor it makes) is the entry's and not the copy's.
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
