package gradcam3d.output;

import gradcam3d.Gradcam3dException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What decides a batch case's result, as text: the model file's fingerprint (its bytes, not its
 * name), layers, method and its options, targets, and every other option that changes what is
 * written. A batch records them in each case's summary.json ({@value #KEY}); {@code --resume}
 * takes a case as done only when they are the same as the resumed run's.
 */
public record BatchSettings(Map<String, String> values) {
  /** The summary.json key. */
  public static final String KEY = "batch_settings";

  public BatchSettings {
    // in the given order: Map.copyOf's order changes from one run to the next, and so would summary.json's
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The names whose values differ from what a summary recorded ({@code recorded}: its {@value #KEY} object). */
  public List<String> differences(Object recorded) {
    List<String> changed = new ArrayList<>();
    if (!(recorded instanceof Map<?, ?> r)) {
      changed.add("(no recorded settings)");
      return changed;
    }
    Map<String, String> ordered = new java.util.TreeMap<>(values);
    for (Map.Entry<String, String> e : ordered.entrySet()) {
      if (!Objects.equals(e.getValue(), r.get(e.getKey()))) {
        changed.add(e.getKey());
      }
    }
    for (Object k : r.keySet()) {
      if (!values.containsKey(String.valueOf(k)) && !changed.contains(String.valueOf(k))) {
        changed.add(String.valueOf(k));
      }
    }
    return changed;
  }

  /** The writer that puts these settings into summary.json (it writes no file of its own). */
  public OutputWriter writer() {
    return (result, settings, dir, written) -> written.summaryEntry(KEY, new LinkedHashMap<>(values));
  }

  /**
   * A fingerprint of a model file's bytes: its length and two checksums (CRC-32C, Adler-32), read
   * in one pass. A copy of the same file has the same fingerprint; any changed byte another.
   */
  public static String fingerprint(Path model) {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    java.util.zip.Adler32 adler = new java.util.zip.Adler32();
    long length = 0;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(model)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        crc.update(buffer, 0, n);
        adler.update(buffer, 0, n);
        length += n;
      }
    } catch (IOException e) {
      throw new Gradcam3dException("cannot read the model " + model + ": " + e.getMessage(), e);
    }
    return length + "-" + Long.toHexString(crc.getValue()) + "-" + Long.toHexString(adler.getValue());
  }
}
