// tfjs on its pure-JavaScript cpu backend (no tfjs-node, no native code), in production mode:
// no "install tfjs-node" banner on the first tensor.
import * as tf from "@tensorflow/tfjs";

export async function cpuBackend(): Promise<void> {
  tf.enableProdMode();
  if (tf.getBackend() !== "cpu") await tf.setBackend("cpu");
}
