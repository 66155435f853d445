package gradcam3d.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one policy for compiled programs and their native sessions: keyed by what they were
 * compiled for (usually input shapes), at most {@value #CAPACITY} kept, the least recently used
 * one closed when another is added. Every component that compiles sessions holds one of these.
 */
public final class SessionCache<V extends AutoCloseable> implements AutoCloseable {
  /** Sessions kept per cache; a whole-volume or batch run rarely sees more distinct shapes. */
  public static final int CAPACITY = 4;

  private final Map<String, V> entries = new LinkedHashMap<>(8, 0.75f, true);

  /** The entry for a key, compiled on first use; may close the least recently used one. */
  public V get(String key, Supplier<V> compile) {
    V v = entries.get(key);
    if (v != null) {
      return v;
    }
    v = compile.get();
    if (entries.size() >= CAPACITY) {
      String eldest = entries.keySet().iterator().next();
      closeQuietly(entries.remove(eldest));
    }
    entries.put(key, v);
    return v;
  }

  public int size() {
    return entries.size();
  }

  @Override
  public void close() {
    List<RuntimeException> errors = new ArrayList<>();
    for (V v : entries.values()) {
      try {
        v.close();
      } catch (RuntimeException e) {
        errors.add(e);
      } catch (Exception e) {
        errors.add(new IllegalStateException(e));
      }
    }
    entries.clear();
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // an evicted session that fails to close leaks nothing the process keeps using
    }
  }
}
