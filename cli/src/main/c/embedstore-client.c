/*
 * The native client of Embedstore's background process: the fast path of
 * dev.embedstore.cli.daemon.DaemonClient, in C so that a command costs no JVM start of its own.
 *
 * The launchers run it with the Java client's whole command line:
 *
 *   embedstore-client JAVA [OPTION...] dev.embedstore.cli.daemon.DaemonClient
 *                     JAVA JVM_OPTION... dev.embedstore.cli.Main ARG...
 *
 * When the user's background process for that command line listens and is free, this program
 * relays the command to it (its arguments, working folder and standard streams, as Wire.java
 * describes) and exits with the command's exit code. In every other case (the process is not
 * running, is busy, the folder is not private, anything unexpected before the command was
 * accepted) it execs the Java client with its command line unchanged, which starts the process or
 * runs the command in a JVM of its own. Help and the version (and no command at all) go to a
 * process only if one runs; else to a JVM of their own, as without this program. So this file holds no policy the Java side does not have;
 * it only has to find the same socket: its key is computed here exactly as DaemonHome.key does
 * (DaemonIT checks that the two agree).
 *
 * Why C: a JVM that only relays bytes still costs about 0.1 s to start and to load its socket
 * classes (docs/distribution.md), more than the command itself in a warm process; a native client
 * is what Nailgun, Bazel and the Maven daemon do for the same reason.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Wire.java */
#define MAGIC 0x45534402u
#define RUN 'C'
#define STDIN_FRAME 'I'
#define NATIVE_CLIENT 'N'
#define ACCEPTED 'A'
#define STDOUT_FRAME 'O'
#define STDERR_FRAME 'E'
#define READ 'R'
#define EXIT 'X'

static const char *JAVA_CLIENT_MAIN = "dev.embedstore.cli.daemon.DaemonClient";
static const char *MAIN = "dev.embedstore.cli.Main";
static const char *RELAYED[] = {"index", "search", "delete", "stats", "embed",
                                "cache", "check",  "eval",   "demo",  NULL};
/* Relayed only to a process that already runs: help costs too little to start one for. */
static const char *IF_RUNNING[] = {"help", "--help", "-h", "--version", "-V", NULL};

static char **java_client; /* argv + 1: the Java client's command line */

/* Runs the Java client instead: it does everything this program does not. For a command relayed
   only to a running process, the command's own JVM instead (java_client is set to it). */
static void fall_back(void) {
  execv(java_client[0], java_client);
  fprintf(stderr, "error: cannot run %s: %s\n", java_client[0], strerror(errno));
  exit(1);
}

/* ---- a growing string: the text whose digest is the key ---- */

typedef struct {
  char *bytes;
  size_t length, capacity;
} text;

static void append(text *t, const char *s, size_t n) {
  if (t->length + n + 1 > t->capacity) {
    size_t c = t->capacity ? t->capacity : 4096;
    while (c < t->length + n + 1) c *= 2;
    char *b = realloc(t->bytes, c);
    if (!b) fall_back();
    t->bytes = b;
    t->capacity = c;
  }
  memcpy(t->bytes + t->length, s, n);
  t->length += n;
  t->bytes[t->length] = 0;
}

static void append_str(text *t, const char *s) { append(t, s, strlen(s)); }

static void append_long(text *t, long long v) {
  char b[32];
  snprintf(b, sizeof b, "%lld", v);
  append_str(t, b);
}

/* DaemonHome.stamp: the path as given, then its size and modification time (ms) when it exists. */
static void stamp(text *t, const char *path) {
  struct stat st;
  append_str(t, path);
  if (stat(path, &st) == 0) {
#ifdef __APPLE__
    long long ms = (long long)st.st_mtimespec.tv_sec * 1000 + st.st_mtimespec.tv_nsec / 1000000;
#else
    long long ms = (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
#endif
    append_str(t, " ");
    append_long(t, (long long)st.st_size);
    append_str(t, " ");
    append_long(t, ms);
  }
  append_str(t, "\n");
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* DaemonHome.classPathStamp */
static void class_path_stamp(text *t, const char *class_path) {
  char *copy = strdup(class_path);
  if (!copy) fall_back();
  char *rest = copy;
  for (;;) {
    char *colon = strchr(rest, ':');
    if (colon) *colon = 0;
    size_t n = strlen(rest);
    if (n > 0 && rest[n - 1] == '*' && (n == 1 || rest[n - 2] == '/')) {
      rest[n - 1] = 0; /* the prefix, "DIR/" or "" */
      DIR *d = opendir(n == 1 ? "." : rest);
      char **jars = NULL;
      size_t count = 0, capacity = 0;
      if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
          if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
          if (!ends_with(e->d_name, ".jar") && !ends_with(e->d_name, ".JAR")) continue;
          if (count == capacity) {
            capacity = capacity ? capacity * 2 : 64;
            char **more = realloc(jars, capacity * sizeof *jars);
            if (!more) fall_back();
            jars = more;
          }
          jars[count] = strdup(e->d_name);
          if (!jars[count]) fall_back();
          count++;
        }
        closedir(d);
      }
      qsort(jars, count, sizeof *jars, by_name);
      for (size_t i = 0; i < count; i++) {
        text path = {0};
        append_str(&path, rest);
        append_str(&path, jars[i]);
        stamp(t, path.bytes);
        free(path.bytes);
        free(jars[i]);
      }
      free(jars);
    } else if (n > 0) {
      stamp(t, rest);
    }
    if (!colon) break;
    rest = colon + 1;
  }
  free(copy);
}

/* DaemonClient.shortLivedOnly: options the background process does not start with. */
static int short_lived_only(const char *o) {
  return strncmp(o, "-XX:TieredStopAtLevel=", 22) == 0 || strcmp(o, "-XX:+UseSerialGC") == 0 ||
         strncmp(o, "-Dembedstore.jit=", 17) == 0 || strncmp(o, "-Dembedstore.tty=", 17) == 0 ||
         strncmp(o, "-Xshare:", 8) == 0 ||
         strcmp(o, "-XX:+VerifySharedSpaces") == 0 || strncmp(o, "-Xlog:", 6) == 0 ||
         strncmp(o, "-verbose", 8) == 0;
}

/* DaemonHome.key over DaemonClient.daemonOptions(options): 64-bit FNV-1a as 16 hex digits. */
static void key(char out[17], const char *java, char **options, int count) {
  text t = {0};
  append_long(&t, (long long)MAGIC);
  append_str(&t, "\n");
  stamp(&t, java);
  /* JAVA/../../lib/modules, by cutting the path at its last two slashes, as the Java side does. */
  text modules = {0};
  append_str(&modules, java);
  char *slash = strrchr(modules.bytes, '/');
  if (slash) *slash = 0; else modules.bytes[0] = 0;
  slash = strrchr(modules.bytes, '/');
  if (slash) *slash = 0; else modules.bytes[0] = 0;
  modules.length = strlen(modules.bytes);
  append_str(&modules, "/lib/modules");
  stamp(&t, modules.bytes);
  free(modules.bytes);
  for (int i = 0; i < count; i++) {
    const char *o = options[i];
    if (short_lived_only(o)) continue;
    if (strncmp(o, "-XX:SharedArchiveFile=", 22) == 0) continue;
    if (strncmp(o, "-XX:ArchiveClassesAtExit=", 25) == 0) continue;
    append_str(&t, o);
    append_str(&t, "\n");
    if ((strcmp(o, "-cp") == 0 || strcmp(o, "-classpath") == 0 ||
         strcmp(o, "--class-path") == 0) &&
        i + 1 < count) {
      class_path_stamp(&t, options[++i]);
    }
  }
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < t.length; i++) {
    h ^= (unsigned char)t.bytes[i];
    h *= 0x100000001b3ULL;
  }
  free(t.bytes);
  snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* DaemonHome.locate, without creating the folder: the Java client makes it. */
static int folder(text *dir) {
  const char *set = getenv("EMBEDSTORE_DAEMON_DIR");
  const char *runtime = getenv("XDG_RUNTIME_DIR");
  struct passwd *pw = getpwuid(getuid());
  if (set && *set) {
    if (set[0] != '/') {
      char cwd[4096];
      if (!getcwd(cwd, sizeof cwd)) return -1;
      append_str(dir, cwd);
      append_str(dir, "/");
    }
    append_str(dir, set);
  } else if (runtime && *runtime) {
    append_str(dir, runtime);
    append_str(dir, "/embedstore");
  } else {
    if (!pw) return -1;
    append_str(dir, "/tmp/embedstore-");
    append_str(dir, pw->pw_name);
  }
  struct stat st;
  if (stat(dir->bytes, &st) != 0 || !S_ISDIR(st.st_mode)) return -1;
  if (st.st_uid != getuid() || (st.st_mode & 077) != 0) return -1;
  return 0;
}

/* ---- the connection ---- */

static int fd = -1;

static int write_all(int to, const void *bytes, size_t n) {
  const char *p = bytes;
  while (n > 0) {
    ssize_t w = write(to, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_all(void *bytes, size_t n) {
  char *p = bytes;
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static void put_int(text *t, uint32_t v) {
  unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};
  append(t, (const char *)b, 4);
}

static void put_string(text *t, const char *s) {
  put_int(t, (uint32_t)strlen(s));
  append_str(t, s);
}

static int get_int(int32_t *v) {
  unsigned char b[4];
  if (read_all(b, 4) != 0) return -1;
  *v = (int32_t)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
  return 0;
}

/* Relays frames until the command's exit code; a broken connection is the process's end. */
static int frames(const char *log) {
  static char buffer[1 << 16];
  int out_broken = 0, err_broken = 0;
  for (;;) {
    unsigned char type;
    int32_t n;
    if (read_all(&type, 1) != 0) break;
    switch (type) {
      case STDOUT_FRAME:
      case STDERR_FRAME:
        if (get_int(&n) != 0 || n < 0) goto broken;
        while (n > 0) {
          int chunk = n < (int)sizeof buffer ? n : (int)sizeof buffer;
          if (read_all(buffer, (size_t)chunk) != 0) goto broken;
          int to = type == STDOUT_FRAME ? 1 : 2;
          int *broke = type == STDOUT_FRAME ? &out_broken : &err_broken;
          /* A reader that went away (| head): the rest is dropped, the command goes on. */
          if (!*broke && write_all(to, buffer, (size_t)chunk) != 0) *broke = 1;
          n -= chunk;
        }
        break;
      case READ: {
        if (get_int(&n) != 0) goto broken;
        int max = n < (int)sizeof buffer ? n : (int)sizeof buffer;
        ssize_t r;
        do {
          r = read(0, buffer, (size_t)(max > 0 ? max : 1));
        } while (r < 0 && errno == EINTR);
        text reply = {0};
        append(&reply, (const char[]){STDIN_FRAME}, 1);
        put_int(&reply, (uint32_t)(r > 0 ? (int32_t)r : -1));
        if (r > 0) append(&reply, buffer, (size_t)r);
        int failed = write_all(fd, reply.bytes, reply.length);
        free(reply.bytes);
        if (failed) goto broken;
        break;
      }
      case EXIT:
        if (get_int(&n) != 0) goto broken;
        return n;
      default:
        goto broken;
    }
  }
broken:
  fprintf(stderr,
          "error: the background process ended while running the command; its log is %s."
          " EMBEDSTORE_DAEMON=false runs commands without it.\n",
          log);
  return 1;
}

static void pause_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: embedstore-client JAVA [OPTION...] %s JAVA JVM_OPTION... %s ARG...\n",
            JAVA_CLIENT_MAIN, MAIN);
    return 2;
  }
  java_client = argv + 1;
  int client = -1, main_class = -1;
  for (int i = 1; i < argc; i++) {
    if (client < 0 && strcmp(argv[i], JAVA_CLIENT_MAIN) == 0) {
      client = i;
    } else if (client >= 0 && i > client + 1 && strcmp(argv[i], MAIN) == 0) {
      main_class = i;
      break;
    }
  }
  if (client < 0 || main_class < 0) fall_back();
  const char *java = argv[client + 1];
  char **options = argv + client + 2;
  int option_count = main_class - client - 2;
  char **args = argv + main_class + 1;
  int arg_count = argc - main_class - 1;

  int relayed = 0;
  for (const char **r = RELAYED; *r; r++) {
    if (arg_count > 0 && strcmp(args[0], *r) == 0) relayed = 1;
  }
  int if_running = arg_count == 0;
  for (const char **r = IF_RUNNING; *r; r++) {
    if (arg_count > 0 && strcmp(args[0], *r) == 0) if_running = 1;
  }
  if (if_running) java_client = argv + client + 1; /* the command's own JVM, never a new process */
  const char *enabled = getenv("EMBEDSTORE_DAEMON");
  if (enabled && strcmp(enabled, "false") == 0) fall_back();
  if (!relayed && !if_running) fall_back();

  text dir = {0};
  if (folder(&dir) != 0) fall_back();
  char k[17];
  key(k, java, options, option_count);
  text socket_path = {0}, log = {0};
  append_str(&socket_path, dir.bytes);
  append_str(&socket_path, "/");
  append_str(&socket_path, k);
  append_str(&log, socket_path.bytes);
  append_str(&socket_path, ".sock");
  append_str(&log, ".log");
  struct sockaddr_un address = {0};
  address.sun_family = AF_UNIX;
  if (socket_path.length >= sizeof address.sun_path) fall_back();
  memcpy(address.sun_path, socket_path.bytes, socket_path.length + 1);

  text request = {0};
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) fall_back();
  put_int(&request, MAGIC);
  append(&request, (const char[]){RUN}, 1);
  put_string(&request, cwd);
  int tty = 0;
  for (int i = 0; i < option_count; i++) {
    if (strcmp(options[i], "-Dembedstore.tty=true") == 0) tty = 1;
  }
  append(&request, (const char[]){(char)tty, NATIVE_CLIENT}, 2);
  put_int(&request, (uint32_t)arg_count);
  for (int i = 0; i < arg_count; i++) put_string(&request, args[i]);

  signal(SIGPIPE, SIG_IGN); /* a closed stdout is an error to write, not the end of this client */
  double start = now_seconds();
  for (;;) {
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) fall_back();
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
      close(fd);
      fall_back(); /* none listens: the Java client starts one */
    }
    unsigned char reply;
    if (write_all(fd, request.bytes, request.length) == 0 && read_all(&reply, 1) == 0 &&
        reply == ACCEPTED) {
      return frames(log.bytes);
    }
    close(fd);
    /* Busy with another command, or ending: as the Java client, ask again for two seconds, then
       let it run the command in a JVM of its own. */
    if (now_seconds() - start > 2.0) {
      setenv("EMBEDSTORE_DAEMON", "false", 1);
      fall_back();
    }
    pause_ms(20);
  }
}
