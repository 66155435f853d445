package gradcam3d.onnx;

import com.google.protobuf.ByteString;
import gradcam3d.Gradcam3dException;
import gradcam3d.onnx.proto.Onnx.StringStringEntryProto;
import gradcam3d.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads the external data of a model's tensors, confined to the model's folder: a location must
 * resolve (symlinks included) to a regular file inside that folder. Messages name the tensor and
 * the location as the model wrote it, never what lies outside the folder.
 */
final class ExternalData implements AutoCloseable {
  private final String label;
  private final Path baseDir;
  private Path realBase;
  private final Map<Path, FileChannel> open = new HashMap<>();
  /** Bytes of the model so far, so the whole stays under {@link ModelIO#MAX_MODEL_BYTES}. */
  private long totalBytes;

  /**
   * @param baseDir the model's folder, or null when the model has none (read from a stream)
   * @param inlineBytes the size of the model file itself
   */
  ExternalData(String label, Path baseDir, long inlineBytes) {
    this.label = label;
    this.baseDir = baseDir;
    this.totalBytes = inlineBytes;
  }

  /** The tensor with its external data read into raw_data. */
  TensorProto load(TensorProto t) {
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case "location": location = e.getValue(); break;
        case "offset": offset = nonNegative(t, "offset", e.getValue()); break;
        case "length": length = nonNegative(t, "length", e.getValue()); break;
        default: break;
      }
    }
    if (location == null || location.isEmpty()) {
      throw new Gradcam3dException(label + ": tensor '" + t.getName()
          + "' is marked as external data but names no location.");
    }
    if (baseDir == null) {
      throw new Gradcam3dException(label + ": tensor '" + t.getName()
          + "' is stored in external file '" + location + "', which cannot be resolved here.");
    }
    int elementSize = DataTypes.size(t.getDataType());
    if (elementSize < 0) {
      throw new Gradcam3dException(label + ": tensor '" + t.getName() + "' of data type "
          + DataTypes.name(t.getDataType()) + " cannot be read from external data.");
    }
    long expected = TensorProtos.checkedCount(t, label) * elementSize;
    if (length < 0) {
      length = expected;
    }
    if (length != expected) {
      throw new Gradcam3dException(label + ": external data of tensor '" + t.getName() + "' has "
          + length + " bytes but its shape needs " + expected + ".");
    }
    totalBytes += length;
    if (totalBytes > ModelIO.MAX_MODEL_BYTES) {
      throw new Gradcam3dException(label + ": with tensor '" + t.getName() + "' the model's weights"
          + " exceed 2 GB, the largest model gradcam3d can hand to ONNX Runtime.");
    }
    FileChannel channel = channel(t, location);
    try {
      long size = channel.size();
      if (offset > size || length > size - offset) {
        throw new Gradcam3dException(label + ": the external data file '" + location
            + "' is too short for tensor '" + t.getName() + "' (needs bytes " + offset + ".."
            + (offset + length) + ", the file has " + size + ").");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) length);
      long position = offset;
      while (buf.hasRemaining()) {
        int n = channel.read(buf, position);
        if (n < 0) {
          throw new Gradcam3dException(label + ": the external data file '" + location
              + "' is too short for tensor '" + t.getName() + "' (it shrank while being read).");
        }
        position += n;
      }
      buf.flip();
      return t.toBuilder().clearExternalData().clearDataLocation()
          .setRawData(ByteString.copyFrom(buf)).build();
    } catch (IOException e) {
      throw new Gradcam3dException(label + ": cannot read the external data of tensor '"
          + t.getName() + "' from '" + location + "': " + e.getMessage(), e);
    }
  }

  private long nonNegative(TensorProto t, String key, String value) {
    try {
      long v = Long.parseLong(value.strip());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below, with the other bad values
    }
    throw new Gradcam3dException(label + ": tensor '" + t.getName() + "' has external data "
        + key + " '" + value + "', which is not a whole number of bytes (0 or more).");
  }

  /** The open file behind {@code location}, refusing anything that leaves the model's folder. */
  private FileChannel channel(TensorProto t, String location) {
    Path base = realBase();
    Path file;
    try {
      Path relative = Path.of(location);
      if (relative.isAbsolute()) {
        throw outside(t, location);
      }
      file = base.resolve(relative).normalize();
    } catch (InvalidPathException e) {
      throw new Gradcam3dException(label + ": tensor '" + t.getName() + "' names external data"
          + " location '" + location + "', which is not a valid file name.");
    }
    if (!file.startsWith(base)) {
      throw outside(t, location);
    }
    Path real;
    try {
      real = file.toRealPath();
    } catch (NoSuchFileException e) {
      throw new Gradcam3dException(label + ": the external data file '" + location + "' of tensor '"
          + t.getName() + "' does not exist (looked for " + file + ").");
    } catch (IOException e) {
      throw new Gradcam3dException(label + ": cannot resolve the external data file '" + location
          + "' of tensor '" + t.getName() + "': " + e.getMessage(), e);
    }
    if (!real.startsWith(base)) {
      throw outside(t, location); // a symlink out of the folder
    }
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new Gradcam3dException(label + ": the external data '" + location + "' of tensor '"
          + t.getName() + "' is not a regular file; refused.");
    }
    FileChannel channel = open.get(real);
    if (channel == null) {
      try {
        channel = FileChannel.open(real, StandardOpenOption.READ);
      } catch (IOException e) {
        throw new Gradcam3dException(label + ": cannot open the external data file '" + location
            + "' of tensor '" + t.getName() + "': " + e.getMessage(), e);
      }
      open.put(real, channel);
    }
    return channel;
  }

  private Gradcam3dException outside(TensorProto t, String location) {
    return new Gradcam3dException(label + ": tensor '" + t.getName() + "' points its external data"
        + " outside the model's folder; refused (external data must be a file inside " + baseDir
        + ").");
  }

  private Path realBase() {
    if (realBase == null) {
      try {
        realBase = baseDir.toRealPath();
      } catch (IOException e) {
        throw new Gradcam3dException(label + ": cannot resolve the model's folder " + baseDir + ": "
            + e.getMessage(), e);
      }
    }
    return realBase;
  }

  @Override
  public void close() {
    for (FileChannel c : open.values()) {
      try {
        c.close();
      } catch (IOException ignored) {
        // read-only channel: nothing to flush
      }
    }
  }
}
