package dev.embedstore.solr.internal;

import dev.embedstore.solr.SolrStoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.apache.solr.client.solrj.request.GenericSolrRequest;
import org.apache.solr.client.solrj.request.schema.FieldTypeDefinition;
import org.apache.solr.client.solrj.request.schema.SchemaRequest;
import org.apache.solr.client.solrj.response.schema.FieldTypeRepresentation;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.util.ContentStreamBase;
import org.apache.solr.common.util.NamedList;

/**
 * Creates an Embedstore collection and checks that an existing one has the layout the store needs.
 *
 * <p>A new collection gets a configset of its own, {@code embedstore.NAME}, rendered from the
 * module's {@code configset/} resources with the model's dimension and the HNSW settings, so that
 * two collections of different dimensions never share a schema. Checking reads the collection's
 * schema through the Schema API and lists every difference (a missing field, another type, another
 * dimension or similarity) by name.
 *
 * <p>Static; thread-safe.
 */
public final class CollectionSetup {
  /** The configset format this module writes and reads. */
  public static final int FORMAT = 1;

  private static final String RESOURCES = "/dev/embedstore/solr/configset/";

  /** Field name to (type class, required properties); the layout of managed-schema.xml. */
  private static final Map<String, Expected> FIELDS = new LinkedHashMap<>();

  private static final Map<String, Expected> DYNAMIC_FIELDS = new LinkedHashMap<>();

  private record Expected(String typeClass, List<String> properties) {}

  static {
    field(Fields.ID, "StrField", "indexed", "stored");
    field(Fields.KIND, "StrField", "indexed", "stored");
    field(Fields.FINGERPRINT, "StrField", "indexed", "stored", "docValues");
    field(Fields.ROLE, "StrField", "indexed", "stored");
    field(Fields.DIMENSION, "IntPointField", "stored", "docValues");
    field(Fields.VECTOR_BYTES, "BinaryField", "stored");
    field(Fields.DOC_KEY, "StrField", "indexed", "stored", "docValues");
    field(Fields.ORDINAL, "IntPointField", "indexed", "stored");
    field(Fields.VECTOR_KEY, "StrField", "stored");
    field(Fields.TEXT, "TextField", "indexed");
    field(Fields.TITLE, "TextField", "indexed");
    field(Fields.BODY, "BinaryField", "stored");
    field(Fields.DOCUMENT_ID, "BinaryField", "stored");
    field(Fields.DIGEST, "StrField", "stored");
    field(Fields.CHUNKS, "IntPointField", "stored");
    field(Fields.SOURCE, "BinaryField", "stored");
    field(Fields.META, "BinaryField", "stored");
    DYNAMIC_FIELDS.put("ms_*", new Expected("StrField", List.of("indexed", "multiValued")));
    DYNAMIC_FIELDS.put("ml_*", new Expected("LongPointField", List.of("indexed")));
    DYNAMIC_FIELDS.put("md_*", new Expected("DoublePointField", List.of("indexed")));
    DYNAMIC_FIELDS.put("mb_*", new Expected("BoolField", List.of("indexed")));
  }

  private static void field(String name, String typeClass, String... properties) {
    FIELDS.put(name, new Expected(typeClass, List.of(properties)));
  }

  private CollectionSetup() {}

  /**
   * What the check found.
   *
   * @param vectorDimension the vector field's dimension, or 0 when the collection has none
   * @param problems each difference from the layout, in words; empty when it fits
   */
  public record Schema(int vectorDimension, List<String> problems) {}

  /**
   * Creates the collection with its own configset and waits until every replica is active.
   *
   * @param cluster the cluster
   * @param config the shards, replication factor and HNSW settings
   * @param dimension the vectors' dimension, or 0 for a collection without a vector field (a cache
   *     only)
   * @throws IOException naming the collection if the cluster refuses
   */
  public static void create(Cluster cluster, SolrStoreConfig config, int dimension)
      throws IOException {
    String configSet = "embedstore." + cluster.collection();
    ConfigSetAdminRequest.Upload upload =
        new ConfigSetAdminRequest.Upload()
            .setConfigSetName(configSet)
            .setOverwrite(true)
            .setUploadStream(
                new ContentStreamBase.ByteArrayStream(
                    configSetZip(dimension, config.hnswM(), config.beamWidth()),
                    configSet + ".zip",
                    "application/zip"));
    cluster.admin("uploading configset " + configSet, upload);
    CollectionAdminRequest.Create create =
        CollectionAdminRequest.createCollection(
            cluster.collection(), configSet, config.shards(), config.replicationFactor());
    // The same request, told to wait until every replica is active (9.10 deprecates the setter).
    ModifiableSolrParams params = new ModifiableSolrParams(create.getParams());
    params.set("waitForFinalState", true);
    cluster.admin(
        "creating the collection ("
            + config.shards()
            + " shards, replication factor "
            + config.replicationFactor()
            + ")",
        new GenericSolrRequest(SolrRequest.METHOD.POST, "/admin/collections", params));
  }

  /**
   * The configset as a zip: solrconfig.xml and managed-schema.xml, the vector field rendered in.
   *
   * @param dimension the dimension, or 0 for none
   * @param hnswM HNSW maximum connections
   * @param beamWidth HNSW beam width
   * @return the zip's bytes
   * @throws IOException if a resource is missing
   */
  public static byte[] configSetZip(int dimension, int hnswM, int beamWidth) throws IOException {
    String schema = resource("managed-schema.xml");
    if (dimension > 0) {
      schema =
          schema
              .replace("<!--@VECTOR_TYPE@-->", vectorTypeXml(dimension, hnswM, beamWidth))
              .replace(
                  "<!--@VECTOR_FIELD@-->",
                  "<field name=\""
                      + Fields.VECTOR
                      + "\" type=\""
                      + Fields.VECTOR_TYPE
                      + "\" indexed=\"true\" stored=\"false\"/>");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("solrconfig.xml"));
      zip.write(resource("solrconfig.xml").getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("managed-schema.xml"));
      zip.write(schema.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  private static String vectorTypeXml(int dimension, int hnswM, int beamWidth) {
    return "<fieldType name=\""
        + Fields.VECTOR_TYPE
        + "\" class=\"solr.DenseVectorField\" vectorDimension=\""
        + dimension
        + "\" similarityFunction=\"dot_product\" knnAlgorithm=\"hnsw\" hnswMaxConnections=\""
        + hnswM
        + "\" hnswBeamWidth=\""
        + beamWidth
        + "\"/>";
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = CollectionSetup.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IOException("the configset resource " + RESOURCES + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Adds the vector field (and its type) to a collection that has none: one created for a cache
   * alone, which a store now opens. Safe because the configset is the collection's own.
   *
   * @param cluster the cluster
   * @param config the HNSW settings
   * @param dimension the model's dimension
   * @throws IOException naming the collection if the Schema API refuses
   */
  public static void addVectorField(Cluster cluster, SolrStoreConfig config, int dimension)
      throws IOException {
    FieldTypeDefinition type = new FieldTypeDefinition();
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("name", Fields.VECTOR_TYPE);
    attributes.put("class", "solr.DenseVectorField");
    attributes.put("vectorDimension", dimension);
    attributes.put("similarityFunction", "dot_product");
    attributes.put("knnAlgorithm", "hnsw");
    attributes.put("hnswMaxConnections", config.hnswM());
    attributes.put("hnswBeamWidth", config.beamWidth());
    type.setAttributes(attributes);
    cluster.request("adding the vector field type", new SchemaRequest.AddFieldType(type));
    Map<String, Object> field = new LinkedHashMap<>();
    field.put("name", Fields.VECTOR);
    field.put("type", Fields.VECTOR_TYPE);
    field.put("indexed", true);
    field.put("stored", false);
    cluster.request("adding the vector field", new SchemaRequest.AddField(field));
  }

  /**
   * Reads the collection's schema and compares it with the layout.
   *
   * @param cluster the cluster
   * @return the vector dimension found and the differences
   * @throws IOException naming the collection if the schema cannot be read
   */
  public static Schema check(Cluster cluster) throws IOException {
    ModifiableSolrParams showDefaults = new ModifiableSolrParams();
    showDefaults.set("showDefaults", true);
    List<Map<String, Object>> fields =
        cluster
            .process("reading the schema's fields", new SchemaRequest.Fields(showDefaults))
            .getFields();
    List<Map<String, Object>> dynamic =
        cluster
            .process(
                "reading the schema's dynamic fields",
                new SchemaRequest.DynamicFields(showDefaults))
            .getDynamicFields();
    List<FieldTypeRepresentation> types =
        cluster
            .process("reading the schema's field types", new SchemaRequest.FieldTypes())
            .getFieldTypes();
    String uniqueKey =
        cluster
            .process("reading the schema's unique key", new SchemaRequest.UniqueKey())
            .getUniqueKey();

    Map<String, Map<String, Object>> typeByName = new HashMap<>();
    for (FieldTypeRepresentation t : types) {
      typeByName.put(String.valueOf(t.getAttributes().get("name")), t.getAttributes());
    }
    List<String> problems = new ArrayList<>();
    if (!Fields.ID.equals(uniqueKey)) {
      problems.add("the unique key is " + uniqueKey + ", not " + Fields.ID);
    }
    compare("field", FIELDS, byName(fields), typeByName, problems);
    compare("dynamic field", DYNAMIC_FIELDS, byName(dynamic), typeByName, problems);

    int dimension = 0;
    Map<String, Object> vector = byName(fields).get(Fields.VECTOR);
    if (vector != null) {
      Map<String, Object> type =
          typeByName.getOrDefault(String.valueOf(vector.get("type")), Map.of());
      if (!simpleName(type.get("class")).equals("DenseVectorField")) {
        problems.add(
            "field " + Fields.VECTOR + " is a " + simpleName(type.get("class")) + ", not a vector");
      } else {
        dimension = Integer.parseInt(String.valueOf(type.get("vectorDimension")));
        Object similarity = type.getOrDefault("similarityFunction", "euclidean");
        if (!"dot_product".equalsIgnoreCase(String.valueOf(similarity))) {
          problems.add(
              "field " + Fields.VECTOR + " compares by " + similarity + ", not dot_product");
        }
        if (Boolean.parseBoolean(String.valueOf(vector.get("stored")))) {
          problems.add(
              "field "
                  + Fields.VECTOR
                  + " is stored; it must not be (the exact vector is the cache entry's)");
        }
      }
    }
    return new Schema(dimension, List.copyOf(problems));
  }

  /**
   * The collection's index size on disk: each shard leader's segments, counted once per replica of
   * the shard (from the Collections API's COLSTATUS).
   *
   * @param cluster the collection
   * @return bytes, or -1 when the cluster does not say
   * @throws IOException naming the collection if the request fails
   */
  public static long bytes(Cluster cluster) throws IOException {
    CollectionAdminRequest.ColStatus status =
        CollectionAdminRequest.collectionStatus(cluster.collection()).setWithSegments(true);
    Object collection =
        cluster.admin("reading the collection's status", status).get(cluster.collection());
    long total = 0;
    boolean found = false;
    Object shards = child(collection, "shards");
    for (Object shard : children(shards)) {
      long replicas = Math.max(1, number(child(child(shard, "replicas"), "total")));
      Object segments = child(child(child(shard, "leader"), "segInfos"), "segments");
      for (Object segment : children(segments)) {
        long size = number(child(segment, "sizeInBytes"));
        if (size >= 0) {
          total += size * replicas;
          found = true;
        }
      }
    }
    return found ? total : -1;
  }

  private static Object child(Object parent, String name) {
    if (parent instanceof NamedList<?> n) {
      return n.get(name);
    }
    if (parent instanceof Map<?, ?> m) {
      return m.get(name);
    }
    return null;
  }

  private static List<Object> children(Object parent) {
    List<Object> out = new ArrayList<>();
    if (parent instanceof NamedList<?> n) {
      for (Map.Entry<String, ?> e : n) {
        out.add(e.getValue());
      }
    } else if (parent instanceof Map<?, ?> m) {
      out.addAll(m.values());
    }
    return out;
  }

  private static long number(Object v) {
    return v instanceof Number n ? n.longValue() : -1;
  }

  private static Map<String, Map<String, Object>> byName(List<Map<String, Object>> list) {
    Map<String, Map<String, Object>> out = new HashMap<>();
    for (Map<String, Object> f : list) {
      out.put(String.valueOf(f.get("name")), f);
    }
    return out;
  }

  private static void compare(
      String what,
      Map<String, Expected> expected,
      Map<String, Map<String, Object>> actual,
      Map<String, Map<String, Object>> types,
      List<String> problems) {
    for (Map.Entry<String, Expected> e : expected.entrySet()) {
      Map<String, Object> f = actual.get(e.getKey());
      if (f == null) {
        problems.add(what + " " + e.getKey() + " is missing");
        continue;
      }
      Map<String, Object> type = types.getOrDefault(String.valueOf(f.get("type")), Map.of());
      String cls = simpleName(type.get("class"));
      if (!cls.equals(e.getValue().typeClass())) {
        problems.add(
            what + " " + e.getKey() + " is a " + cls + ", not a " + e.getValue().typeClass());
        continue;
      }
      for (String p : e.getValue().properties()) {
        Object v = f.containsKey(p) ? f.get(p) : type.get(p);
        if (!Boolean.parseBoolean(String.valueOf(v))) {
          problems.add(what + " " + e.getKey() + " is not " + p);
        }
      }
    }
  }

  private static String simpleName(Object cls) {
    String s = Objects.toString(cls, "nothing");
    return s.substring(s.lastIndexOf('.') + 1);
  }
}
