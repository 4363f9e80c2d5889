package dev.embedstore.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A document to store: an id, its text, an optional title and filterable metadata.
 *
 * <p>The text embedded for a document is {@code title + " " + text} when a title is present (the
 * BEIR/MTEB convention), else the text.
 *
 * <p>Metadata values are {@link String}, {@link Long} (or {@link Integer}, stored as long), {@link
 * Double} (or {@link Float}, stored as double), {@link Boolean}, or a {@link List} of strings. A
 * field keeps one type across a store.
 *
 * <p>A document may carry its own vector ("bring your own vectors"), made by a model the
 * application runs itself; the store then holds it instead of embedding the text, and stores it as
 * one chunk. Such documents go into a store opened with an {@link
 * dev.embedstore.embed.ExternalModel} of the vector's dimension. The record keeps the array it is
 * given: do not change it afterwards. Equality compares vectors element by element.
 *
 * @param id the document's id, unique in a store; upserting the same id replaces the document
 * @param text the text; may be empty
 * @param title the title, or null
 * @param metadata filterable fields, never null (empty when none)
 * @param vector the document's vector, or null to have the store's model embed the text
 */
public record Document(
    String id, String text, String title, Map<String, Object> metadata, float[] vector) {
  /** Checks the fields and copies the metadata into an unmodifiable map. */
  public Document {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("a document id must not be empty");
    }
    metadata = copy(id, metadata == null ? Map.of() : metadata);
    if (vector != null) {
      checkVector(id, vector);
    }
  }

  /**
   * A document whose vector the store's model computes.
   *
   * @param id the id
   * @param text the text
   * @param title the title, or null
   * @param metadata the metadata, or null for none
   */
  public Document(String id, String text, String title, Map<String, Object> metadata) {
    this(id, text, title, metadata, null);
  }

  /**
   * This document with its own vector.
   *
   * @param v the vector, made by the model the store was opened with; not copied
   * @return a new document
   * @throws IllegalArgumentException if the vector is empty or has a non-finite component
   */
  public Document withVector(float[] v) {
    return new Document(id, text, title, metadata, Objects.requireNonNull(v, "vector"));
  }

  private static void checkVector(String id, float[] v) {
    if (v.length == 0) {
      throw new IllegalArgumentException("document " + id + ": the vector is empty");
    }
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        throw new IllegalArgumentException(
            "document " + id + ": the vector has a non-finite component at " + i + ": " + v[i]);
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Document d
        && id.equals(d.id)
        && text.equals(d.text)
        && Objects.equals(title, d.title)
        && metadata.equals(d.metadata)
        && Arrays.equals(vector, d.vector);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, text, title, metadata) * 31 + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "Document[id="
        + id
        + ", title="
        + title
        + ", text="
        + (text.length() > 60 ? text.substring(0, 57) + "..." : text)
        + ", metadata="
        + metadata
        + (vector == null ? "" : ", vector=float[" + vector.length + "]")
        + "]";
  }

  /**
   * A document with only an id and a text.
   *
   * @param id the id
   * @param text the text
   * @return the document
   */
  public static Document of(String id, String text) {
    return new Document(id, text, null, Map.of(), null);
  }

  /**
   * The text the model embeds: {@code title + " " + text} when there is a title.
   *
   * @return the text to embed
   */
  public String embeddedText() {
    return title == null || title.isEmpty() ? text : title + " " + text;
  }

  private static Map<String, Object> copy(String id, Map<String, Object> in) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : in.entrySet()) {
      String key = Objects.requireNonNull(e.getKey(), "metadata key of " + id);
      if (key.isEmpty()) {
        throw new IllegalArgumentException("document " + id + ": empty metadata field name");
      }
      Object v = e.getValue();
      Object normal =
          switch (v) {
            case String s -> s;
            case Integer i -> (long) i;
            case Long l -> l;
            case Float f -> (double) f;
            case Double d -> d;
            case Boolean b -> b;
            case List<?> list -> strings(id, key, list);
            case null ->
                throw new IllegalArgumentException(
                    "document " + id + ": metadata field " + key + " is null");
            default ->
                throw new IllegalArgumentException(
                    "document "
                        + id
                        + ": metadata field "
                        + key
                        + " has a "
                        + v.getClass().getSimpleName()
                        + "; use a string, number, boolean or list of strings");
          };
      out.put(key, normal);
    }
    return Collections.unmodifiableMap(out);
  }

  private static List<String> strings(String id, String key, List<?> list) {
    List<String> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw new IllegalArgumentException(
            "document " + id + ": metadata field " + key + " must list strings only");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }
}
