package dev.embedstore.solr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.embedstore.cache.CacheEntry;
import dev.embedstore.cache.CacheKey;
import dev.embedstore.embed.Embedder;
import dev.embedstore.embed.Role;
import dev.embedstore.solr.internal.Binary;
import dev.embedstore.solr.internal.Cluster;
import dev.embedstore.solr.internal.CollectionSetup;
import dev.embedstore.store.Document;
import dev.embedstore.store.Filter;
import dev.embedstore.store.SearchHit;
import dev.embedstore.store.SearchMode;
import dev.embedstore.store.SearchRequest;
import dev.embedstore.store.StoreInfo;
import dev.embedstore.store.StoreMismatchException;
import dev.embedstore.store.VectorStore;
import dev.embedstore.testing.BaseVectorStoreTestCase;
import dev.embedstore.testing.FakeEmbedder;
import dev.embedstore.testing.FilterOracle;
import dev.embedstore.text.TextSplitter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.apache.solr.client.solrj.request.schema.SchemaRequest;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.cloud.DocCollection;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.util.ContentStreamBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract ({@link BaseVectorStoreTestCase}) against a real SolrCloud cluster: 2 nodes,
 * each store a collection of 2 shards (one replica each), so every search and filter spans shards;
 * then what is particular to Solr: the collection's layout, schema checks, literal filter values in
 * Solr's syntax, exact ids and documents folded across shards.
 */
class SolrVectorStoreTest extends BaseVectorStoreTestCase {
  @RegisterExtension static final SolrClusterExtension CLUSTER = new SolrClusterExtension();

  private String test;

  @BeforeEach
  void name(TestInfo info) throws IOException {
    CLUSTER.dropCollections(); // the previous test's, whose stores are closed by now
    test = info.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT);
    if (test.length() > 40) {
      test = test.substring(0, 40);
    }
  }

  private SolrStoreConfig config(String name) {
    return CLUSTER.config(test + "_" + name).shards(2).replicationFactor(1).build();
  }

  @Override
  protected VectorStore openStore(String name, Embedder model) throws IOException {
    return SolrVectorStore.open(config(name), model);
  }

  private static CloudSolrClient client() {
    return new CloudHttp2SolrClient.Builder(CLUSTER.cluster().urls()).build();
  }

  // ---------------------------------------------------------------------------------------------
  // Beyond the contract

  @Test
  void noLuceneIsOnTheStoresClassPath() {
    assertThrows(
        ClassNotFoundException.class, () -> Class.forName("org.apache.lucene.util.Version"));
    assertThrows(
        ClassNotFoundException.class, () -> Class.forName("org.apache.solr.core.SolrCore"));
  }

  @Test
  void theCollectionIsCreatedAsConfiguredAndHoldsVectorsBitExactInStoredBytes(Random random)
      throws Exception {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    SolrStoreConfig config = config("layout");
    List<Document> docs = corpus(random, 20);
    try (VectorStore store = SolrVectorStore.open(config, fake)) {
      store.upsert(docs);
    }
    try (CloudSolrClient client = client()) {
      DocCollection c = client.getClusterStateProvider().getCollection(config.collection());
      assertEquals(2, c.getSlices().size());
      assertEquals("embedstore." + config.collection(), c.getConfigName());
      ModifiableSolrParams showDefaults = new ModifiableSolrParams();
      showDefaults.set("showDefaults", true);
      Map<String, Object> vector =
          new SchemaRequest.Field("vector", showDefaults)
              .process(client, config.collection())
              .getField();
      assertEquals(Boolean.FALSE, vector.get("stored"), "the knn field is not stored: " + vector);
      SolrQuery q = new SolrQuery("kind:e");
      q.setRows(100);
      q.setFields("id", "fp", "role", "dim", "vec");
      List<SolrDocument> entries = client.query(config.collection(), q).getResults();
      assertEquals(docs.size(), entries.size());
      try (VectorStore store = SolrVectorStore.open(config, fake)) {
        var info = store.info();
        assertEquals("solr", info.backend());
        assertEquals(20, info.documents());
        assertEquals(20, info.cacheEntries());
        assertTrue(info.bytes() > 20 * 16 * 4, "the index size: " + info);
        assertEquals(2L, info.details().get("shards"));
        assertEquals(2L, info.details().get("replicas"));
        assertTrue(info.location().contains(config.collection()), info.location());
      }
      Map<String, float[]> expected = new HashMap<>();
      for (Document d : docs) {
        CacheKey k = CacheKey.of(fake.fingerprint(), "", Role.DOCUMENT, d.embeddedText());
        expected.put(k.hex(), FakeEmbedder.vectorOf(d.embeddedText(), Role.DOCUMENT, 16));
      }
      for (SolrDocument e : entries) {
        assertEquals(fake.fingerprint().hex(), e.getFirstValue("fp"));
        assertEquals("D", e.getFirstValue("role"));
        assertEquals(16, e.getFirstValue("dim"));
        float[] want = expected.get((String) e.getFirstValue("id"));
        assertNotNull(want, "an entry for every document's text: " + e.getFirstValue("id"));
        assertArrayEquals(
            Binary.floats(want), (byte[]) e.getFirstValue("vec"), "float32 LE, bit-exact");
      }
    }
  }

  @Test
  void aCollectionOfAnotherDimensionOrSchemaIsRefusedNamingTheCollectionAndTheDifference()
      throws Exception {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    // A collection made for another dimension, holding no store record.
    SolrStoreConfig eight = config("eight");
    try (Cluster cluster = Cluster.connect(eight)) {
      CollectionSetup.create(cluster, eight, 8);
    }
    var e = assertThrows(StoreMismatchException.class, () -> SolrVectorStore.open(eight, fake));
    assertTrue(
        e.getMessage().contains("Solr collection " + eight.collection())
            && e.getMessage().contains("dimension 8")
            && e.getMessage().contains("dimension 16"),
        e.getMessage());

    // A collection that is not Embedstore's: its own schema, without the store's fields.
    SolrStoreConfig foreign = config("foreign");
    String schema =
        "<schema name=\"other\" version=\"1.7\"><uniqueKey>id</uniqueKey>"
            + "<fieldType name=\"string\" class=\"solr.StrField\"/>"
            + "<fieldType name=\"plong\" class=\"solr.LongPointField\" docValues=\"true\"/>"
            + "<field name=\"id\" type=\"string\" indexed=\"true\" stored=\"true\"/>"
            + "<field name=\"_version_\" type=\"plong\" indexed=\"false\" stored=\"false\"/>"
            + "<field name=\"kind\" type=\"plong\" indexed=\"true\" stored=\"true\"/>"
            + "</schema>";
    try (CloudSolrClient client = client()) {
      new ConfigSetAdminRequest.Upload()
          .setConfigSetName("embedstore.foreign-test")
          .setUploadStream(
              new ContentStreamBase.ByteArrayStream(
                  zip(Map.of("managed-schema.xml", schema, "solrconfig.xml", solrconfig())),
                  "foreign.zip",
                  "application/zip"))
          .process(client);
      CollectionAdminRequest.createCollection(foreign.collection(), "embedstore.foreign-test", 1, 1)
          .process(client);
    }
    var f = assertThrows(StoreMismatchException.class, () -> SolrVectorStore.open(foreign, fake));
    assertTrue(
        f.getMessage().contains("Solr collection " + foreign.collection())
            && f.getMessage().contains("field kind is a LongPointField, not a StrField")
            && f.getMessage().contains("field dk is missing"),
        f.getMessage());
    var g = assertThrows(IOException.class, () -> SolrEmbeddingCache.open(foreign));
    assertTrue(g.getMessage().contains("is not an Embedstore collection"), g.getMessage());
  }

  private static String solrconfig() throws IOException {
    try (var in =
        SolrVectorStore.class.getResourceAsStream(
            "/dev/embedstore/solr/configset/solrconfig.xml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static byte[] zip(Map<String, String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> e : files.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void readInfoDescribesAStoreWithoutAModelAndTellsAMissingCollectionApart() throws IOException {
    SolrStoreConfig config = config("described");
    assertThrows(java.nio.file.NoSuchFileException.class, () -> SolrVectorStore.readInfo(config));
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    try (VectorStore store = SolrVectorStore.open(config, fake)) {
      store.upsert(List.of(Document.of("a", "one"), Document.of("b", "two")));
      store.commit();
      StoreInfo open = store.info();
      StoreInfo read = SolrVectorStore.readInfo(config);
      assertEquals(open.modelName(), read.modelName());
      assertEquals(open.dimension(), read.dimension());
      assertEquals(open.details(), read.details());
      assertEquals(open.chunks(), read.chunks());
      assertEquals("solr", read.backend());
      assertEquals(fake.fingerprint().hex(), read.fingerprint());
      assertEquals(2, read.documents());
    }
  }

  @Test
  void aStoreOpensACacheOnlyCollectionAndFindsItsEntries() throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    SolrStoreConfig config = config("shared");
    try (SolrEmbeddingCache cache = SolrEmbeddingCache.open(config)) {
      List<CacheEntry> entries = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        String text = "cached text " + i;
        entries.add(
            new CacheEntry(
                CacheKey.of(fake.fingerprint(), "", Role.DOCUMENT, text),
                fake.fingerprint(),
                Role.DOCUMENT,
                FakeEmbedder.vectorOf(text, Role.DOCUMENT, 16)));
      }
      cache.putAll(entries);
      // Real-time get: found before any commit; stats count committed entries.
      assertNotNull(cache.getAll(List.of(entries.get(7).key()))[0]);
      assertEquals(0, cache.stats().entries());
      cache.commit();
      assertEquals(50, cache.stats().entries());
    }
    try (VectorStore store = SolrVectorStore.open(config, fake)) {
      List<Document> docs = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        docs.add(Document.of("d" + i, "cached text " + i));
      }
      assertEquals(50, store.upsert(docs).cacheHits());
      assertEquals(0, fake.textsEmbedded(), "every vector came from the cache-only collection");
      assertEquals(
          "d3",
          store
              .search(
                  SearchRequest.ofVector(
                      FakeEmbedder.vectorOf("cached text 3", Role.DOCUMENT, 16), 1))
              .get(0)
              .id());
    }
  }

  @Test
  void stringFiltersWithBackslashesQuotesAndWildcardsMatchTheOracle() throws IOException {
    List<String> values =
        List.of(
            "a\\",
            "a\\\"",
            "\"",
            "\\",
            "\\\\\"",
            "a b",
            "a\"b",
            "*",
            "a*b",
            "?",
            "\u0000",
            "",
            "z",
            "} TO ]",
            "[* TO *]",
            "\\u0041",
            "x\\");
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      docs.add(new Document("v" + i, "text " + i, null, Map.of("tag", values.get(i))));
    }
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    store.upsert(docs);
    List<Filter> filters = new ArrayList<>();
    for (String a : values) {
      filters.add(Filter.eq("tag", a));
      filters.add(new Filter.Contains("tag", a));
      for (String b : values) {
        for (int incl = 0; incl < 4; incl++) {
          filters.add(new Filter.Range("tag", a, (incl & 1) != 0, b, (incl & 2) != 0));
        }
      }
      filters.add(new Filter.Range("tag", a, false, null, true));
      filters.add(new Filter.Range("tag", null, true, a, false));
    }
    for (Filter f : filters) {
      Set<String> expected = new HashSet<>();
      for (Document d : docs) {
        if (FilterOracle.matches(f, d)) {
          expected.add(d.id());
        }
      }
      try (Stream<String> ids = store.ids(f)) {
        assertEquals(expected, ids.collect(Collectors.toSet()), f.toString());
      }
    }
  }

  @Test
  void idsWithLoneSurrogatesStayDistinctAndComeBackExactly() throws IOException {
    VectorStore store = open("s", new FakeEmbedder("fake", 16));
    List<String> ids = List.of("x\uD800", "x\uDC00", "x\uFFFD", "a!b", "a/8!b", "!", "\uDBFF");
    List<Document> docs = new ArrayList<>();
    for (String id : ids) {
      docs.add(Document.of(id, "text of " + id));
    }
    assertEquals(ids.size(), store.upsert(docs).added());
    assertEquals(ids.size(), store.count());
    for (Document d : docs) {
      assertEquals(d.text(), store.get(d.id()).orElseThrow().text());
    }
    try (Stream<String> all = store.ids(null)) {
      assertEquals(new HashSet<>(ids), all.collect(Collectors.toSet()));
    }
    assertEquals(1, store.delete(List.of("x\uD800")));
    assertTrue(store.get("x\uDC00").isPresent());
    assertFalse(store.get("x\uD800").isPresent());
  }

  @Test
  void chunkedDocumentsFoldToTheirBestChunkAcrossShardsInEveryMode(Random random)
      throws IOException {
    FakeEmbedder fake = new FakeEmbedder("fake", 16);
    VectorStore store = open("s", fake);
    TextSplitter splitter =
        TextSplitter.of(t -> t.isBlank() ? 0 : t.strip().split("\\s+").length, 8, 0);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      StringBuilder text = new StringBuilder();
      for (int p = 0; p < 6; p++) {
        text.append("doc ")
            .append(i)
            .append(" part ")
            .append(p)
            .append(" word")
            .append(random.nextInt(100))
            .append(" passage.\n\n");
      }
      docs.add(Document.of("c" + i, text.toString()));
    }
    store.upsert(docs, splitter, null);
    assertEquals(40, store.count());
    float[] q = FakeEmbedder.vectorOf("query", Role.QUERY, 16);
    // Brute force: each document scores as its best chunk.
    Map<String, Float> best = new HashMap<>();
    for (Document d : docs) {
      for (TextSplitter.Chunk c : splitter.split(d.text())) {
        float[] v = FakeEmbedder.vectorOf(c.text(), Role.DOCUMENT, 16);
        float dot = 0;
        for (int i = 0; i < 16; i++) {
          dot += q[i] * v[i];
        }
        best.merge(d.id(), dot, Math::max);
      }
    }
    List<String> truth =
        best.entrySet().stream()
            .sorted((a, b) -> Float.compare(b.getValue(), a.getValue()))
            .limit(10)
            .map(Map.Entry::getKey)
            .toList();
    List<SearchHit> exact = store.search(SearchRequest.of("query", 10).withMode(SearchMode.EXACT));
    assertEquals(truth, exact.stream().map(SearchHit::id).toList());
    for (SearchHit h : exact) {
      assertEquals(best.get(h.id()), h.score(), 1e-4, h.id());
    }
    for (SearchMode mode : SearchMode.values()) {
      List<SearchHit> hits =
          store.search(new SearchRequest("passage query", 10, mode, null, 2).withVectors(true));
      assertEquals(10, hits.size(), mode.toString());
      assertEquals(10, hits.stream().map(SearchHit::id).distinct().count(), mode + ": distinct");
      for (SearchHit h : hits) {
        assertArrayEquals(FakeEmbedder.vectorOf(h.text(), Role.DOCUMENT, 16), h.vector(), 0f);
      }
    }
    assertNull(store.get("c1").orElseThrow().vector(), "a split document has no one vector");
  }
}
