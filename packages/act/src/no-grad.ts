import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `f` with the gradient tape paused and returns its result as a constant:
 * the PyTorch `with torch.no_grad()` / `.detach()` of the reference code.
 *
 * TF.js records every op run inside `tf.grads`/`tf.variableGrads`; ops without a
 * gradient (argmax, equal, ...) on a recorded path abort the backward pass, and
 * an extra forward pass recorded on the tape would also be differentiated. A
 * custom-gradient op with no inputs runs its body as one opaque kernel (the
 * engine stops recording inside kernels) and, having no inputs, is never on a
 * path from a variable to the loss.
 */
export function withoutGradient<T extends tf.Tensor>(f: () => T): T {
  const op = tf.customGrad<T>(() => ({ value: f(), gradFunc: () => [] }));
  return op();
}
