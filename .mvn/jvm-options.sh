# The JVM options of one `embedstore` run that depend on the command, shared by ./embedstore and the release
# bundle's bin/embedstore. Sourced, not run.
#
# es_jvm_options ARGS...
#   Sets ES_JVM_OPTS from the command's arguments. A short command (search of one query, stats, delete,
#   help, version) spends its second or two loading classes and in ONNX Runtime's native code, where the
#   C2 compiler's work never pays back on a small machine; it runs with C1 only (-XX:TieredStopAtLevel=1)
#   and the serial collector (no collector threads to start for a small heap). Everything else (index,
#   eval, embed, cache, check, search --queries, search --mode exact: the JVM's own loops over many
#   documents or vectors, where C2 and the Vector API's intrinsics matter) keeps the JVM's defaults.
#   docs/distribution.md has the measurements.

es_jvm_options() {
  ES_JVM_OPTS=""
  case "${1:-}" in
    search)
      for _a in "$@"; do
        case "$_a" in
          --queries | --queries=* | exact | --mode=exact) return 0 ;;
        esac
      done
      ;;
    stats | delete | help | -h | --help | -V | --version | "") ;;
    *) return 0 ;;
  esac
  ES_JVM_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dembedstore.jit=c1"
}
