package gradcam3d.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import gradcam3d.Futures;
import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.tensor.FloatTensor;
import gradcam3d.tensor.LongTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX Runtime session for one compiled graph. Inputs are copied into direct buffers that ONNX
 * Runtime reads without another copy; every native object is closed when a run ends.
 */
public final class OrtProgram implements AutoCloseable {
  static final OrtLoggingLevel LOG_LEVEL = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String label;
  /**
   * Each input's direct buffer, kept for the next run: a fresh one per run is freed only by a
   * garbage collection, and the 54 runs of a 192^3 sliding-window explanation left about 150 MB of
   * them waiting for one (docs/benchmarks.md). A run takes its buffers out and puts them back, so
   * runs on other threads at the same time simply allocate their own.
   */
  private final Map<String, ByteBuffer> spare = new HashMap<>();
  /**
   * The float outputs whose shape the session knows in full (every compiled program's), which a
   * run passes to ONNX Runtime as pinned outputs: ONNX Runtime writes them into direct buffers of
   * ours (kept like the inputs' spares), read into arrays with one copy. Without, an output is
   * copied twice (into a heap buffer of ONNX Runtime's Java API, then into an array): measured
   * about 5% of pass 1's CPU time in the 192^3 sliding-window benchmark (docs/benchmarks.md).
   */
  private final Map<String, long[]> pinnable;
  /**
   * Larger outputs (whole-volume maps of big scans) come from ONNX Runtime's own buffers: their
   * spare would stay with the session, and one that cannot be allocated at all must fail in the
   * run, with ONNX Runtime's message.
   */
  private static final long MAX_PINNED_FLOATS = 16L << 20;
  /** Off after a run with pinned outputs failed (then retried without). */
  private volatile boolean pinning = true;

  private OrtProgram(OrtEnvironment env, OrtSession session, String label) {
    this.env = env;
    this.session = session;
    this.label = label;
    this.pinnable = pinnableOutputs(session);
  }

  private static Map<String, long[]> pinnableOutputs(OrtSession session) {
    Map<String, long[]> m = new HashMap<>();
    try {
      for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
        if (e.getValue().getInfo() instanceof TensorInfo t && t.type == ai.onnxruntime.OnnxJavaType.FLOAT
            && java.util.Arrays.stream(t.getShape()).allMatch(d -> d > 0)
            && gradcam3d.tensor.Shapes.numel(t.getShape()) <= MAX_PINNED_FLOATS) {
          m.put(e.getKey(), t.getShape());
        }
      }
    } catch (OrtException e) {
      return Map.of(); // outputs then come from ONNX Runtime's own buffers
    }
    return m;
  }

  /** Creates a session for a model held in memory. */
  public static OrtProgram create(ModelProto model, RuntimeOptions options, String label) {
    return create(model.toByteArray(), options, label);
  }

  /** Creates a session for a serialized model. */
  public static OrtProgram create(byte[] model, RuntimeOptions options, String label) {
    return create(options, label, (env, so) -> env.createSession(model, so));
  }

  /** Creates a session for a model file (e.g. a cached program), read by ONNX Runtime itself. */
  public static OrtProgram create(Path model, RuntimeOptions options, String label) {
    return create(options, label, (env, so) -> env.createSession(model.toString(), so));
  }

  private interface SessionSource {
    OrtSession open(OrtEnvironment env, OrtSession.SessionOptions so) throws OrtException;
  }

  private static OrtProgram create(RuntimeOptions options, String label, SessionSource source) {
    OrtEnvironment env = environment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(options.threads());
      so.setInterOpNumThreads(1);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      so.setSessionLogLevel(LOG_LEVEL);
      // idle pool threads sleep instead of spinning: measured 15% less CPU for the same wall time
      // on the shared 2-core machine (docs/benchmarks.md); spinning only pays on an idle machine
      so.addConfigEntry("session.intra_op.allow_spinning", "0");
      if (!options.memoryPattern()) {
        so.setMemoryPatternOptimization(false);
      }
      String profile = System.getenv("GRADCAM3D_ORT_PROFILE");
      if (profile != null) {
        // per-node timings as a Chrome trace: for performance work only
        so.enableProfiling(profile);
      }
      return new OrtProgram(env, source.open(env, so), label);
    } catch (OrtException e) {
      throw new Gradcam3dException("ONNX Runtime could not load " + label + ": " + firstLine(e.getMessage()), e);
    }
  }

  /**
   * Loads ONNX Runtime's native libraries and creates the environment on a background thread, so
   * that this (about 60 ms) overlaps the caller's own start-up work; the first session waits for
   * it. For commands that are about to run a model; errors surface at that first session.
   */
  public static void prepareInBackground() {
    // a failure stays in the future nobody reads: the first session reports it with its context
    Futures.onOwnThread("ort-start", OrtProgram::environment);
  }

  /**
   * The shared environment, its native libraries loaded from the per-user cache. Its log level
   * (and every session's) is FATAL: ONNX Runtime's own error lines would reach the user's terminal
   * in colour, while every error that matters also arrives as an OrtException, which is reported
   * in one line. Its telemetry is off ({@link Telemetry}).
   */
  static synchronized OrtEnvironment environment() {
    NativeLibraries.prepare();
    OrtEnvironment env = OrtEnvironment.getEnvironment(LOG_LEVEL, "gradcam3d");
    Telemetry.turnOff(env);
    NativeLibraries.removeLoaderTempFolder();
    return env;
  }

  static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    s = s.strip();
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  public Set<String> inputNames() {
    return session.getInputNames();
  }

  public Set<String> outputNames() {
    return session.getOutputNames();
  }

  /** Declared input shapes (-1 for dynamic dims). */
  public Map<String, long[]> inputShapes() {
    try {
      Map<String, long[]> m = new LinkedHashMap<>();
      for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
        if (e.getValue().getInfo() instanceof TensorInfo t) {
          m.put(e.getKey(), t.getShape());
        }
      }
      return m;
    } catch (OrtException e) {
      throw new Gradcam3dException("ONNX Runtime: " + firstLine(e.getMessage()), e);
    }
  }

  /**
   * Runs the graph. Inputs are FloatTensor or LongTensor; returns the requested outputs (all
   * when {@code outputs} is empty) as FloatTensor (float, bool, ints converted) or LongTensor (int64).
   */
  public Map<String, Object> run(Map<String, ?> inputs, List<String> outputs) {
    return run(inputs, outputs, false);
  }

  /**
   * Runs the graph; with {@code releaseMemory} the session gives its idle working memory (ONNX
   * Runtime's arena) back to the system after the run, instead of keeping it for the next run. For
   * a session's last run of a phase: a session that runs again re-grows it (measured: shrinking
   * after every 96^3 run costs about a third more CPU time, docs/benchmarks.md).
   */
  public Map<String, Object> run(Map<String, ?> inputs, List<String> outputs, boolean releaseMemory) {
    if (pinning) {
      try {
        return run(inputs, outputs, releaseMemory, true);
      } catch (Gradcam3dException e) {
        // e.g. a model whose declared output shape is not the one computed: ONNX Runtime refuses
        // a pinned buffer of the declared shape; this session then uses its own buffers
        pinning = false;
      }
    }
    return run(inputs, outputs, releaseMemory, false);
  }

  private Map<String, Object> run(Map<String, ?> inputs, List<String> outputs, boolean releaseMemory,
      boolean pin) {
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
    Map<String, FloatBuffer> pinnedBuffers = new HashMap<>();
    Map<String, ByteBuffer> taken = new HashMap<>();
    try {
      for (Map.Entry<String, ?> e : inputs.entrySet()) {
        feeds.put(e.getKey(), toOrt(e.getKey(), e.getValue(), taken));
      }
      Set<String> wanted = outputs.isEmpty() ? session.getOutputNames() : new LinkedHashSet<>(outputs);
      Set<String> requested = new LinkedHashSet<>();
      for (String name : wanted) {
        long[] shape = pin ? pinnable.get(name) : null;
        if (shape == null) {
          requested.add(name);
          continue;
        }
        // "out:" keeps an output's spare apart from an input of the same name (an Identity's)
        FloatBuffer buf = take("out:" + name, gradcam3d.tensor.Shapes.numel(shape) * Float.BYTES, taken)
            .asFloatBuffer();
        pinnedBuffers.put(name, buf);
        pinned.put(name, OnnxTensor.createTensor(env, buf, shape));
      }
      try (OrtSession.RunOptions ro = new OrtSession.RunOptions()) {
        if (releaseMemory) {
          ro.addRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
        }
        try (OrtSession.Result r = session.run(feeds, requested, pinned, ro)) {
          Map<String, Object> out = new LinkedHashMap<>();
          for (String name : wanted) {
            FloatBuffer buf = pinnedBuffers.get(name);
            if (buf != null) {
              float[] a = new float[buf.rewind().remaining()];
              buf.get(a);
              out.put(name, new FloatTensor(a, pinnable.get(name).clone()));
            } else {
              OnnxValue v = r.get(name).orElseThrow();
              out.put(name, fromOrt((OnnxTensor) v));
            }
          }
          return out;
        }
      }
    } catch (OrtException e) {
      throw new Gradcam3dException("ONNX Runtime failed to run " + label + ": " + firstLine(e.getMessage()), e);
    } finally {
      for (OnnxTensor t : feeds.values()) {
        t.close();
      }
      for (OnnxTensor t : pinned.values()) {
        t.close();
      }
      giveBack(taken);
    }
  }

  private OnnxTensor toOrt(String name, Object v, Map<String, ByteBuffer> taken) throws OrtException {
    if (v instanceof FloatTensor f) {
      FloatBuffer buf = take(name, f.size() * 4L, taken).asFloatBuffer();
      buf.put(f.data()).rewind();
      return OnnxTensor.createTensor(env, buf, f.shape());
    }
    if (v instanceof LongTensor l) {
      LongBuffer buf = take(name, l.data().length * 8L, taken).asLongBuffer();
      buf.put(l.data()).rewind();
      return OnnxTensor.createTensor(env, buf, l.shape());
    }
    throw new IllegalArgumentException("unsupported input " + v);
  }

  /** A direct buffer of exactly {@code bytes} for input {@code name}: the spare one when it is large enough. */
  private ByteBuffer take(String name, long bytes, Map<String, ByteBuffer> taken) {
    ByteBuffer b;
    synchronized (spare) {
      b = spare.remove(name);
    }
    if (b == null || b.capacity() < bytes) {
      b = ByteBuffer.allocateDirect(Math.toIntExact(bytes));
    }
    taken.put(name, b);
    b.clear().limit((int) bytes);
    return b.slice().order(ByteOrder.nativeOrder());
  }

  private void giveBack(Map<String, ByteBuffer> taken) {
    synchronized (spare) {
      spare.putAll(taken);
    }
  }

  private static Object fromOrt(OnnxTensor t) {
    TensorInfo info = t.getInfo();
    long[] shape = info.getShape();
    switch (info.type) {
      case FLOAT: {
        FloatBuffer fb = t.getFloatBuffer();
        float[] a = new float[fb.remaining()];
        fb.get(a);
        return new FloatTensor(a, shape);
      }
      case INT64: {
        LongBuffer lb = t.getLongBuffer();
        long[] a = new long[lb.remaining()];
        lb.get(a);
        return new LongTensor(a, shape);
      }
      case BOOL: {
        ByteBuffer bb = t.getByteBuffer();
        float[] a = new float[bb.remaining()];
        for (int i = 0; i < a.length; i++) {
          a[i] = bb.get(i) != 0 ? 1 : 0;
        }
        return new FloatTensor(a, shape);
      }
      case DOUBLE: {
        java.nio.DoubleBuffer db = t.getDoubleBuffer();
        float[] a = new float[db.remaining()];
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) db.get(i);
        }
        return new FloatTensor(a, shape);
      }
      default:
        throw new Gradcam3dException("output of type " + info.type + " is not supported");
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new Gradcam3dException("ONNX Runtime failed to close a session: " + e.getMessage(), e);
    }
  }
}
