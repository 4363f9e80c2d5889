# Finds a JDK 21 or newer for ./mvnw and ./embedstore. Sourced, not run.
#
# es_find_jdk [build]
#   Sets ES_JAVA_HOME to the first JDK >= 21 among: $EMBEDSTORE_JAVA_HOME, $JAVA_HOME, the `java` on PATH,
#   macOS's /usr/libexec/java_home, then the newest one in the usual install folders. With "build", the
#   JDK must also have javac. When none fits, prints one "error:" line listing what was found; returns 1.

ES_MIN_JAVA=21

# Prints the feature version (17, 21, 25, ...) of the JDK at $1, or nothing when $1 holds no JDK.
es_java_feature() {
  _v=""
  if [ -f "$1/release" ]; then
    _v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release" 2>/dev/null)
  fi
  if [ -z "$_v" ] && [ -x "$1/bin/java" ]; then
    _v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  case "$_v" in 1.*) _v=${_v#1.} ;; esac
  _v=${_v%%[!0-9]*}
  echo "$_v"
}

# The JDK home of the `java` found on PATH (follows symlinks such as Debian's alternatives).
es_path_java_home() {
  _j=$(command -v java 2>/dev/null) || return 0
  if _r=$(readlink -f "$_j" 2>/dev/null); then _j=$_r; fi
  _h=$(dirname "$(dirname "$_j")")
  # A JRE inside an old-style JDK keeps bin/java under jre/.
  case "$_h" in */jre) [ -x "${_h%/jre}/bin/javac" ] && _h=${_h%/jre} ;; esac
  echo "$_h"
}

es_find_jdk() {
  _need_javac=""
  [ "${1:-}" = build ] && _need_javac=1
  _seen=""
  _tried=""
  _best=""
  _best_v=0

  # Returns 0 and sets ES_JAVA_HOME when $1 is a usable JDK; records what it saw otherwise.
  _es_try() {
    [ -n "$1" ] || return 1
    _tried="$_tried|$1|"
    [ -x "$1/bin/java" ] || { _seen="$_seen; $2$1 (no bin/java)"; return 1; }
    _fv=$(es_java_feature "$1")
    if [ -z "$_fv" ]; then _seen="$_seen; $2$1 (unknown version)"; return 1; fi
    if [ "$_fv" -lt "$ES_MIN_JAVA" ]; then _seen="$_seen; $2$1 (Java $_fv)"; return 1; fi
    if [ -n "$_need_javac" ] && [ ! -x "$1/bin/javac" ]; then
      _seen="$_seen; $2$1 (Java $_fv, a runtime without javac)"
      return 1
    fi
    ES_JAVA_HOME=$1
    return 0
  }

  _es_try "${EMBEDSTORE_JAVA_HOME:-}" "EMBEDSTORE_JAVA_HOME=" && return 0
  _es_try "${JAVA_HOME:-}" "JAVA_HOME=" && return 0
  _es_try "$(es_path_java_home)" "java on PATH: " && return 0
  if [ -x /usr/libexec/java_home ]; then
    _es_try "$(/usr/libexec/java_home -v "$ES_MIN_JAVA+" 2>/dev/null)" "java_home: " && return 0
  fi

  # The newest JDK in the folders where package managers and installers put them.
  for _d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* \
    /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/* \
    "$HOME"/.jdks/* "$HOME"/.gradle/jdks/*; do
    [ -x "$_d/bin/java" ] || continue
    [ -L "$_d" ] && continue
    case "$_tried" in *"|$_d|"*) continue ;; esac
    _fv=$(es_java_feature "$_d")
    [ -n "$_fv" ] || continue
    if [ "$_fv" -lt "$ES_MIN_JAVA" ]; then _seen="$_seen; $_d (Java $_fv)"; continue; fi
    if [ -n "$_need_javac" ] && [ ! -x "$_d/bin/javac" ]; then
      _seen="$_seen; $_d (Java $_fv, no javac)"
      continue
    fi
    if [ "$_fv" -gt "$_best_v" ]; then _best=$_d; _best_v=$_fv; fi
  done
  if [ -n "$_best" ]; then
    ES_JAVA_HOME=$_best
    return 0
  fi

  [ -n "$_seen" ] || _seen="; no Java at all"
  echo "error: Embedstore needs a JDK $ES_MIN_JAVA or newer; found${_seen#;}. Install one (for example Eclipse Temurin 21) or set JAVA_HOME to it." >&2
  return 1
}
