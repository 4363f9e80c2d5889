package dev.embedstore.onnx.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Keeps ONNX Runtime from calling home. Since 1.29 its Linux and macOS builds start a telemetry
 * uploader when an environment is created: it writes a device id and an event database under {@code
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime}, a log {@code /tmp/mat-debug-PID.log}, and sends
 * events to {@code mobile.events.data.microsoft.com} (seen as DNS lookups from a process that had
 * only run a search). Its only complete opt-out is the environment variable {@value #ENV} set
 * before the environment is created (the {@code setTelemetry(false)} API still lets the first event
 * go; a {@code CI} variable suppresses it too, which is why CI never showed it).
 *
 * <p>A JVM cannot change its own environment through Java, so before the first environment is
 * created this sets the variable in the C library's environment, which ONNX Runtime reads, through
 * the JDK's foreign-function API ({@code setenv}), on JDK 22 and later where that API is final. The
 * launchers also export it (which covers JDK 21); a library user on JDK 21 should set it. Then the
 * runtime switch is turned off as well.
 */
public final class OrtTelemetry {
  /** The environment variable ONNX Runtime 1.29 reads as a full telemetry opt-out. */
  public static final String ENV = "ORT_DISABLE_TELEMETRY";

  /** The environment once it has been created through {@link #environment()}. */
  private static volatile OrtEnvironment created;

  private OrtTelemetry() {}

  /**
   * ONNX Runtime's environment, created (the first time) with its telemetry off. Cheap after the
   * first call: the session asks for it on every batch.
   *
   * @return the environment
   */
  public static OrtEnvironment environment() {
    OrtEnvironment env = created;
    return env != null ? env : create();
  }

  private static synchronized OrtEnvironment create() {
    if (created == null) {
      // A value the user set, whatever it is, is the user's choice.
      if (System.getenv(ENV) == null && Runtime.version().feature() >= 22) {
        setenv(ENV, "1");
      }
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      try {
        env.setTelemetry(false);
      } catch (OrtException e) {
        // the variable above is what counts; this switch only stops later events
      }
      created = env;
    }
    return created;
  }

  /**
   * {@code setenv(name, value, 1)} of the C library, through {@code java.lang.foreign} by
   * reflection (the build targets Java 21, where that API is a preview). Returns whether it
   * succeeded; a failure leaves only the runtime switch.
   */
  static boolean setenv(String name, String value) {
    try {
      Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
      Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
      Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
      Class<?> valueLayoutType = Class.forName("java.lang.foreign.ValueLayout");
      Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
      Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
      Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
      Class<?> arenaType = Class.forName("java.lang.foreign.Arena");

      Object linker = linkerType.getMethod("nativeLinker").invoke(null);
      Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
      Optional<?> symbol =
          (Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, "setenv");
      if (symbol.isEmpty()) {
        return false;
      }
      Object address = valueLayoutType.getField("ADDRESS").get(null);
      Object javaInt = valueLayoutType.getField("JAVA_INT").get(null);
      Object arguments = Array.newInstance(layoutType, 3);
      Array.set(arguments, 0, address);
      Array.set(arguments, 1, address);
      Array.set(arguments, 2, javaInt);
      Object descriptor =
          descriptorType
              .getMethod("of", layoutType, arguments.getClass())
              .invoke(null, javaInt, arguments);
      MethodHandle call =
          (MethodHandle)
              linkerType
                  .getMethod("downcallHandle", segmentType, descriptorType, optionType.arrayType())
                  .invoke(linker, symbol.get(), descriptor, Array.newInstance(optionType, 0));
      try (AutoCloseable arena = (AutoCloseable) arenaType.getMethod("ofConfined").invoke(null)) {
        Method allocate = arenaType.getMethod("allocateFrom", String.class);
        Object cName = allocate.invoke(arena, name);
        Object cValue = allocate.invoke(arena, value);
        return (int) call.invokeWithArguments(cName, cValue, 1) == 0;
      }
    } catch (Throwable t) { // no such API, no native access, no setenv: the runtime switch remains
      return false;
    }
  }
}
