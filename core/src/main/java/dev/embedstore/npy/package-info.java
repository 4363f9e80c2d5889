/**
 * Reading and writing float32 matrices in NumPy's {@code .npy} format, the format vectors are
 * exported in and imported from, so that they can be loaded with {@code numpy.load} and written by
 * any tool that saves with {@code numpy.save}.
 *
 * <pre>{@code
 * try (NpyWriter out = NpyWriter.create(Path.of("vectors.npy"), 384)) {
 *   out.write(vector);
 * }
 * try (NpyReader in = NpyReader.open(Path.of("vectors.npy"))) {
 *   float[] first = in.next();
 * }
 * }</pre>
 */
package dev.embedstore.npy;
