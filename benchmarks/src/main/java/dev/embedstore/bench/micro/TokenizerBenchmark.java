package dev.embedstore.bench.micro;

import dev.embedstore.bench.Beir;
import dev.embedstore.onnx.BundledModel;
import dev.embedstore.onnx.OnnxEmbedder;
import dev.embedstore.text.TokenCounter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * WordPiece tokenizer throughput (the bundled all-MiniLM-L6-v2 vocabulary) on SciFact abstracts, or
 * on generated English-like text when the data is not beside the project. One operation tokenises
 * one text; divide by the mean text length (printed at setup) for characters per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TokenizerBenchmark {
  private OnnxEmbedder model;
  private TokenCounter tokenizer;
  private List<String> texts;
  private int next;

  /**
   * Loads the tokenizer (not the ONNX session) and the texts.
   *
   * @throws IOException if they cannot be read
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    model = OnnxEmbedder.bundled(BundledModel.ALL_MINILM_L6_V2);
    tokenizer = model.tokenCounter();
    texts = Data.texts(2000);
  }

  /** Closes the model. */
  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
  }

  /**
   * Tokenises one text.
   *
   * @return its token count
   */
  @Benchmark
  public int tokenize() {
    String t = texts.get(next++ % texts.size());
    return tokenizer.countTokens(t);
  }

  /** The texts benchmarks run on. */
  static final class Data {
    private Data() {}

    static List<String> texts(int n) throws IOException {
      Path corpus =
          Path.of(
              System.getProperty("embedstore.shared", "../shared"), "data/scifact/corpus.jsonl");
      List<String> out = new ArrayList<>();
      if (Files.isRegularFile(corpus)) {
        for (dev.embedstore.store.Document d : Beir.corpus(corpus.getParent(), n)) {
          out.add(d.text());
        }
      }
      java.util.SplittableRandom r = new java.util.SplittableRandom(7);
      String[] words = {
        "protein",
        "cells",
        "expression",
        "the",
        "of",
        "in",
        "patients",
        "increased",
        "analysis",
        "significantly",
        "mice",
        "associated",
        "receptor",
        "tumour",
        "signalling",
        "pathway"
      };
      while (out.size() < n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 200; i++) {
          b.append(words[r.nextInt(words.length)]).append(i % 17 == 16 ? ". " : " ");
        }
        out.add(b.toString());
      }
      return out;
    }
  }
}
