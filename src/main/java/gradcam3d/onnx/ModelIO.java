package gradcam3d.onnx;

import com.google.protobuf.CodedInputStream;
import gradcam3d.Futures;
import gradcam3d.Gradcam3dException;
import gradcam3d.InputFiles;
import gradcam3d.onnx.proto.Onnx.AttributeProto;
import gradcam3d.onnx.proto.Onnx.GraphProto;
import gradcam3d.onnx.proto.Onnx.ModelProto;
import gradcam3d.onnx.proto.Onnx.NodeProto;
import gradcam3d.onnx.proto.Onnx.StringStringEntryProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads and writes ONNX model files. Initializers stored as external data are loaded into memory
 * on read (so a model can be handed to ONNX Runtime as bytes) and can be written out again.
 */
public final class ModelIO {
  /**
   * A model is handed to ONNX Runtime as one protobuf message, which cannot exceed 2 GB; this is
   * the largest model (graph plus all weights, external ones included) gradcam3d reads.
   */
  public static final long MAX_MODEL_BYTES = Integer.MAX_VALUE - 8;

  private ModelIO() {}

  /** A model being read ahead: which file, as it was when reading began, and the outcome. */
  private record Ahead(Path file, long size, long modified, CompletableFuture<ModelProto> model) {}

  /** At most one model read ahead (a command reads one), so nothing piles up in a long-lived JVM. */
  private static final AtomicReference<Ahead> AHEAD = new AtomicReference<>();

  /** The last model read from a file, with the fingerprint of that file's bytes. */
  private record Fingerprinted(java.lang.ref.WeakReference<ModelProto> model, String fingerprint) {}

  private static final AtomicReference<Fingerprinted> LAST_READ = new AtomicReference<>();

  /**
   * A fingerprint of the file {@code model} was read from (its length and two checksums of its
   * bytes), when it is the last model {@link #read} from a file and has no external data; null
   * otherwise (a model built or changed in memory has none). For caches of what is compiled from
   * a model: a changed file gives another fingerprint.
   */
  public static String fingerprint(ModelProto model) {
    Fingerprinted f = LAST_READ.get();
    return f != null && f.model().get() == model ? f.fingerprint() : null;
  }

  private static String fingerprintOf(byte[] bytes) {
    // two independent checksums (CRC32C runs as an intrinsic, Adler-32 in zlib): a few ms for 20 MB
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes);
    java.util.zip.Adler32 adler = new java.util.zip.Adler32();
    adler.update(bytes);
    return bytes.length + "-" + Long.toHexString(crc.getValue()) + "-" + Long.toHexString(adler.getValue());
  }

  /**
   * Starts reading {@code file} as {@link #read} would, on a thread of its own; the next {@link
   * #read} of the same unchanged file takes the outcome (the model, or the same error) instead of
   * reading it again. For a command line that names its model before it is fully parsed.
   */
  public static void readAhead(Path file) {
    Path key = file.toAbsolutePath().normalize();
    long[] stamp = stamp(key);
    if (stamp == null) {
      return; // missing or unreadable: read() reports it in its own words
    }
    AHEAD.set(new Ahead(key, stamp[0], stamp[1], Futures.onOwnThread("read-model", () -> readNow(file))));
  }

  private static long[] stamp(Path file) {
    try {
      return Files.isRegularFile(file) ? new long[] {Files.size(file), Files.getLastModifiedTime(file).toMillis()}
          : null;
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  /** Reads a model and resolves external data relative to the model's folder. */
  public static ModelProto read(Path file) {
    Ahead ahead = AHEAD.getAndSet(null);
    if (ahead != null) {
      Path key = file.toAbsolutePath().normalize();
      long[] stamp = stamp(key);
      if (ahead.file().equals(key) && stamp != null && stamp[0] == ahead.size() && stamp[1] == ahead.modified()) {
        return Futures.join(ahead.model());
      }
    }
    return readNow(file);
  }

  private static ModelProto readNow(Path file) {
    long size = InputFiles.requireRegularFile(file, "model file");
    if (size > MAX_MODEL_BYTES) {
      throw new Gradcam3dException("model file " + file + " has " + size + " bytes; ONNX models"
          + " up to 2 GB are supported (larger weights must be stored as external data, and the"
          + " whole model must still stay under 2 GB).");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read model file " + file + ": " + e.getMessage(), e);
    }
    ModelProto inline = parseInline(bytes, file.toString());
    if (!hasExternalData(inline.getGraph())) {
      // the file's bytes are the whole model: they can stand for it
      LAST_READ.set(new Fingerprinted(new java.lang.ref.WeakReference<>(inline), fingerprintOf(bytes)));
    }
    return resolveExternalData(inline, file.toString(), file.toAbsolutePath().getParent(), bytes.length);
  }

  /** Reads a model from a stream (e.g. a bundled resource); external data is not allowed. */
  public static ModelProto read(InputStream in, String label) throws IOException {
    return parse(in.readAllBytes(), label, null);
  }

  static ModelProto parse(byte[] bytes, String label, Path baseDir) {
    return resolveExternalData(parseInline(bytes, label), label, baseDir, bytes.length);
  }

  /** The model in {@code bytes}, checked, its external data not yet loaded. */
  private static ModelProto parseInline(byte[] bytes, String label) {
    ModelProto model;
    try {
      CodedInputStream cin = CodedInputStream.newInstance(bytes);
      cin.setRecursionLimit(1000);
      cin.setSizeLimit(Integer.MAX_VALUE);
      // weights become views of the file's bytes instead of copies (the array is never changed)
      cin.enableAliasing(true);
      model = ModelProto.parseFrom(cin);
    } catch (IOException e) {
      throw new Gradcam3dException(label + " is not a readable ONNX model (the file is truncated "
          + "or not in ONNX protobuf format: " + e.getMessage() + ")");
    }
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0 || model.getOpsetImportCount() == 0
        || model.getIrVersion() <= 0) {
      throw new Gradcam3dException(label + " is not an ONNX model (no graph, nodes, opset import "
          + "or IR version found)");
    }
    checkTensorSizes(model.getGraph(), label);
    return model;
  }

  /** Dims that contradict the data they describe are reported here, naming the tensor. */
  private static void checkTensorSizes(GraphProto g, String label) {
    for (TensorProto t : g.getInitializerList()) {
      TensorProtos.checkStoredSize(t, label);
    }
    for (NodeProto n : g.getNodeList()) {
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasT()) {
          TensorProtos.checkStoredSize(a.getT(), label);
        }
      }
    }
  }

  private static ModelProto resolveExternalData(ModelProto model, String label, Path baseDir,
      long inlineBytes) {
    if (!hasExternalData(model.getGraph())) {
      return model;
    }
    try (ExternalData data = new ExternalData(label, baseDir, inlineBytes)) {
      GraphProto.Builder g = model.getGraph().toBuilder();
      for (int i = 0; i < g.getInitializerCount(); i++) {
        if (isExternal(g.getInitializer(i))) {
          g.setInitializer(i, data.load(g.getInitializer(i)));
        }
      }
      for (int i = 0; i < g.getNodeCount(); i++) {
        NodeProto.Builder nb = g.getNode(i).toBuilder();
        boolean changed = false;
        for (int j = 0; j < nb.getAttributeCount(); j++) {
          AttributeProto a = nb.getAttribute(j);
          if (a.hasT() && isExternal(a.getT())) {
            nb.setAttribute(j, a.toBuilder().setT(data.load(a.getT())));
            changed = true;
          }
        }
        if (changed) {
          g.setNode(i, nb);
        }
      }
      return model.toBuilder().setGraph(g).build();
    }
  }

  private static boolean hasExternalData(GraphProto g) {
    for (TensorProto t : g.getInitializerList()) {
      if (isExternal(t)) {
        return true;
      }
    }
    for (NodeProto n : g.getNodeList()) {
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasT() && isExternal(a.getT())) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isExternal(TensorProto t) {
    return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
  }

  /** What {@link #write} appends to the model's file name for the file holding external data. */
  public static final String EXTERNAL_DATA_SUFFIX = ".data";

  /**
   * Writes a model. Initializers of at least {@code externalThreshold} bytes go to one external
   * data file next to it ({@code NAME.onnx.data}); use Long.MAX_VALUE to keep everything inline.
   * Both files are written to temporary names first, so a failure leaves nothing half-written.
   */
  public static void write(ModelProto model, Path file, long externalThreshold) {
    Path dir = file.toAbsolutePath().getParent();
    String dataName = file.getFileName() + EXTERNAL_DATA_SUFFIX;
    // unique temporary names: two runs writing the same file never write into each other's
    String unique = "." + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".partial";
    Path tmpModel = dir.resolve("." + file.getFileName() + unique);
    Path tmpData = dir.resolve("." + dataName + unique);
    try {
      Files.createDirectories(dir);
      ModelProto toWrite = model;
      boolean wroteData = false;
      if (externalThreshold < Long.MAX_VALUE) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        try (OutputStream data = Files.newOutputStream(tmpData)) {
          long offset = 0;
          for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (!t.hasRawData() || t.getRawData().size() < externalThreshold) {
              continue;
            }
            t.getRawData().writeTo(data);
            long len = t.getRawData().size();
            g.setInitializer(i, t.toBuilder().clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", dataName))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(len))));
            offset += len;
            wroteData = true;
          }
        }
        toWrite = model.toBuilder().setGraph(g).build();
      }
      try (OutputStream out = Files.newOutputStream(tmpModel)) {
        toWrite.writeTo(out);
      }
      if (wroteData) {
        Files.move(tmpData, dir.resolve(dataName), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.deleteIfExists(tmpData);
      }
      Files.move(tmpModel, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmpModel);
        Files.deleteIfExists(tmpData);
      } catch (IOException ignored) {
        // best effort clean-up; the original error is what matters
      }
      throw new Gradcam3dException("cannot write model " + file + ": " + e.getMessage(), e);
    }
  }

  private static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }
}
