// Shared by plain-node-gradients.{mjs,cjs}: d/dx, d/dfilter of sum(conv2d(x, filter) * dy) and
// d/dtable of sum(gather(table, indices) * dyGather), on each backend, as plain arrays.
async function gradientsOnBackends(tf, input) {
  const result = {};
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    await tf.ready();
    const x = tf.tensor(input.x.data, input.x.shape);
    const filter = tf.tensor(input.filter.data, input.filter.shape);
    const dy = tf.tensor(input.dy.data, input.dy.shape);
    const table = tf.tensor(input.table.data, input.table.shape);
    const indices = tf.tensor(input.indices.data, input.indices.shape, 'int32');
    const dyGather = tf.tensor(input.dyGather.data, input.dyGather.shape);
    const [dx, dfilter] = tf.grads((a, b) => tf.sum(tf.mul(tf.conv2d(a, b, 1, 'same'), dy)))([x, filter]);
    const dtable = tf.grad((t) => tf.sum(tf.mul(tf.gather(t, indices), dyGather)))(table);
    result[backend] = {
      dx: Array.from(await dx.data()),
      dfilter: Array.from(await dfilter.data()),
      dtable: Array.from(await dtable.data()),
    };
    tf.dispose([x, filter, dy, table, indices, dyGather, dx, dfilter, dtable]);
  }
  return result;
}
module.exports = { gradientsOnBackends };
