package gradcam3d.runtime;

import gradcam3d.AtomicFiles;
import gradcam3d.autodiff.GradientProgram;
import gradcam3d.graph.LayerResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Compiled programs kept on disk between runs, so a command that explains the same model at the
 * same layers, with the same method and input shape, as an earlier one skips building the
 * gradient graph and its fast form (0.2-0.3 s of a cold start, docs/benchmarks.md). An entry is
 * the compiled ONNX model ({@code KEY.onnx}) and what the engine needs to read its outputs
 * ({@code KEY.meta}); the key is made from this build of gradcam3d, the model file's fingerprint
 * ({@link gradcam3d.onnx.ModelIO#fingerprint}) and everything the program is compiled from, so a
 * changed model, option or program never meets an old entry. Entries are written
 * atomically; one that cannot be read is removed and the program compiled again.
 *
 * <p>An entry is verified as it is read: its .meta holds a 128-bit hash ({@link Hash128}) of the
 * key's full description followed by the program's bytes, computed again while the program is
 * read (one pass, no second read), so a damaged program (even one of the same size), another
 * entry's program put in its place, or an entry whose .meta was edited to another's is compiled
 * again rather than served; entries that are symbolic links are not followed but removed.
 *
 * <p>The least recently used entries go when the folder passes the capacity: {@value
 * #DEFAULT_CAPACITY_MB} MB unless the system property {@value #LIMIT_PROPERTY} (the launcher's
 * {@code GRADCAM3D_PROGRAM_CACHE_MB}) says otherwise. A program holds the model's weights, so an
 * entry is about the model's size: 256 MB keeps the last few programs of models up to about
 * 50 MB (each layer, method and input shape is one), which is where the 0.2-0.3 s saved per run
 * matters, without the cache quietly growing to gigabytes (735 MB in one day of testing under
 * the earlier 1 GB cap).
 *
 * <p>Off unless the system property {@value #PROPERTY} is set: {@code on} for the per-user cache
 * folder ({@code programs/} next to ONNX Runtime's unpacked libraries, see {@link
 * NativeLibraries}), or a folder. The {@code gradcam3d} launcher turns it on
 * ({@code GRADCAM3D_PROGRAM_CACHE=off} turns it off); library users and tests opt in.
 */
public final class ProgramCache {
  public static final String PROPERTY = "gradcam3d.programCache";
  /** The capacity in MB (the launcher sets it from GRADCAM3D_PROGRAM_CACHE_MB). */
  public static final String LIMIT_PROPERTY = "gradcam3d.programCacheMB";
  static final long DEFAULT_CAPACITY_MB = 256;
  private static final String FORMAT = "gradcam3d-program 2";
  /** A .meta file is a few kilobytes; a larger one is not an entry. */
  private static final long MAX_META_BYTES = 1 << 20;

  /** What a hit gives: the compiled model's bytes (verified) and how to read its outputs. */
  public record Entry(byte[] model, GradientProgram.Info info, int nodes) {}

  private final Path dir;
  private final String build;
  private final long capacity;

  /**
   * @param build identifies the code that compiles programs (entries of other builds never match)
   */
  public ProgramCache(Path dir, String build, long capacityBytes) {
    this.dir = dir;
    this.build = build;
    this.capacity = capacityBytes;
  }

  /** The cache the system property asks for, or null (off). */
  public static ProgramCache configured() {
    String v = System.getProperty(PROPERTY);
    if (v == null || v.isBlank() || v.equals("off")) {
      return null;
    }
    Path dir = v.equals("on") ? NativeLibraries.cacheRoot().resolve("programs") : Path.of(v);
    return new ProgramCache(dir, Build.ID, capacityMb() << 20);
  }

  /** The configured capacity in MB: the system property, or the default. */
  private static long capacityMb() {
    String v = System.getProperty(LIMIT_PROPERTY);
    if (v == null || v.isBlank()) {
      return DEFAULT_CAPACITY_MB;
    }
    try {
      long mb = Long.parseLong(v.trim());
      if (mb >= 1 && mb <= (Long.MAX_VALUE >> 20)) {
        return mb;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new gradcam3d.OptionValueException("GRADCAM3D_PROGRAM_CACHE_MB (system property " + LIMIT_PROPERTY
        + ") must be a whole number of megabytes, 1 or more, not '" + v + "'");
  }

  /** The most bytes the cache folder keeps. */
  public long capacity() {
    return capacity;
  }

  /** This build's identity: the jar's size and time, or (classes in a folder) one per JVM. */
  private static final class Build {
    static final String ID = id();

    private static String id() {
      try {
        Path code = Path.of(ProgramCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(code)) {
          return "jar-" + Files.size(code) + "-" + Files.getLastModifiedTime(code).toMillis();
        }
      } catch (Exception e) {
        // no code source: fall through to an identity that matches nothing written before
      }
      return "jvm-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }
  }

  /**
   * The key of a program described by {@code description} (model fingerprint, config, shapes): a
   * file name. Two checksums make it; the entry also holds the whole description, compared on
   * {@link #load}, so a clash of checksums can only miss, never return another program. (SHA-256
   * would first load the JDK's security providers: about 30 ms of a cold start.)
   */
  public Key key(String description) {
    String full = new StringBuilder(FORMAT).append('\n').append(build).append('\n').append(description).toString();
    byte[] b = full.getBytes(StandardCharsets.UTF_8);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b);
    java.util.zip.Adler32 adler = new java.util.zip.Adler32();
    adler.update(b);
    // (not String.format: its first use costs a cold JVM about 10 ms)
    return new Key(new StringBuilder(Long.toHexString(crc.getValue() << 32 | adler.getValue())).append('-')
        .append(Long.toHexString(b.length)).toString(), full);
  }

  /** An entry's file name and the full description it must hold. */
  public record Key(String name, String description) {}

  /**
   * The entry stored under {@code key}, verified, or null: none, a link, unreadable or not what
   * was stored (then it is removed and the program compiled again).
   */
  public Entry load(Key key) {
    Path meta = dir.resolve(key.name().concat(".meta"));
    Path model = dir.resolve(key.name().concat(".onnx"));
    if (!Files.isRegularFile(meta, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(model, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.isSymbolicLink(meta) || Files.isSymbolicLink(model)) {
        remove(key); // never followed: an entry is two regular files this cache wrote
      }
      return null;
    }
    try {
      String text = new String(read(meta, MAX_META_BYTES), StandardCharsets.UTF_8);
      String head = new StringBuilder(FORMAT).append('\n').append(key.description().length()).append('\n')
          .append(key.description()).append('\n').toString();
      if (!text.startsWith(head)) {
        return null; // another program whose checksums clash: left alone
      }
      Records r = parse(List.of(text.substring(head.length()).split("\n")));
      byte[] program = readVerified(model, r.bytes(), key, r.check());
      if (program == null) {
        remove(key);
        return null;
      }
      touch(meta);
      return new Entry(program, r.info(), r.nodes());
    } catch (IOException | RuntimeException e) {
      remove(key);
      return null;
    }
  }

  /** A file of at most {@code max} bytes, not through a link. */
  private static byte[] read(Path file, long max) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] b = in.readNBytes((int) max + 1);
      if (b.length > max) {
        throw new IOException(file + " is larger than " + max + " bytes");
      }
      return b;
    }
  }

  /**
   * The program's bytes, hashed as they are read after the key's description: null unless there
   * are exactly {@code bytes} of them and the hash is {@code check}.
   */
  private static byte[] readVerified(Path model, long bytes, Key key, String check) throws IOException {
    if (bytes < 0 || bytes > Integer.MAX_VALUE - 8 || Files.size(model) != bytes) {
      return null;
    }
    Hash128 hash = new Hash128().update(key.description().getBytes(StandardCharsets.UTF_8));
    byte[] program = new byte[(int) bytes];
    try (InputStream in = Files.newInputStream(model, LinkOption.NOFOLLOW_LINKS)) {
      int at = 0;
      while (at < program.length) {
        int n = in.read(program, at, Math.min(1 << 20, program.length - at));
        if (n < 0) {
          return null; // cut short meanwhile
        }
        hash.update(program, at, n);
        at += n;
      }
      if (in.read() >= 0) {
        return null; // grown meanwhile
      }
    }
    return hash.hex().equals(check) ? program : null;
  }

  /** The check stored with a program: the hash of the key's description, then the program. */
  static String check(Key key, byte[] model) {
    return new Hash128().update(key.description().getBytes(StandardCharsets.UTF_8)).update(model).hex();
  }

  /** Marks an entry as just used: the least recently used entries are evicted first. */
  private static void touch(Path meta) {
    try {
      Files.setLastModifiedTime(meta, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException e) {
      // a cache someone else owns, read-only: the entry is still good to use
    }
  }

  /**
   * Stores a compiled program; a cache that cannot be written is skipped silently (the program
   * is compiled again next time).
   */
  public void store(Key key, byte[] model, GradientProgram.Info info, int nodes) {
    try {
      AtomicFiles.write(dir.resolve(key.name() + ".onnx"), out -> out.write(model));
      // the metadata last: an entry exists only once both files do
      AtomicFiles.write(dir.resolve(key.name() + ".meta"), out -> out.write(format(key, info, nodes, model.length,
          check(key, model)).getBytes(StandardCharsets.UTF_8)));
      evict();
    } catch (RuntimeException e) {
      remove(key);
    }
  }

  /** Removes an entry (both files), quietly. */
  public void remove(Key key) {
    remove(key.name());
  }

  private void remove(String name) {
    for (String ext : List.of(".meta", ".onnx")) {
      try {
        Files.deleteIfExists(dir.resolve(name + ext));
      } catch (IOException ignored) {
        // another process may hold or have removed it; nothing to do
      }
    }
  }

  /** Removes the least recently used entries while the folder holds more than the capacity. */
  private void evict() {
    List<Path> metas = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.meta")) {
      s.forEach(metas::add);
    } catch (IOException e) {
      return;
    }
    Map<Path, long[]> sizeAndTime = new LinkedHashMap<>();
    long total = 0;
    for (Path m : metas) {
      try {
        long size = Files.size(m) + Files.size(onnxOf(m));
        sizeAndTime.put(m, new long[] {size, Files.getLastModifiedTime(m).toMillis()});
        total += size;
      } catch (IOException e) {
        // removed meanwhile
      }
    }
    List<Path> oldestFirst = new ArrayList<>(sizeAndTime.keySet());
    oldestFirst.sort(Comparator.comparingLong(m -> sizeAndTime.get(m)[1]));
    for (Path m : oldestFirst) {
      if (total <= capacity) {
        break;
      }
      String name = m.getFileName().toString();
      remove(name.substring(0, name.length() - ".meta".length()));
      total -= sizeAndTime.get(m)[0];
    }
  }

  private static Path onnxOf(Path meta) {
    String name = meta.getFileName().toString();
    return meta.resolveSibling(name.substring(0, name.length() - ".meta".length()) + ".onnx");
  }

  /**
   * The format line, the description's length and the description itself (compared verbatim on
   * load), then one record per line, fields separated by spaces and URL-encoded.
   */
  static String format(Key key, GradientProgram.Info info, int nodes, long modelBytes, String check) {
    StringBuilder sb = new StringBuilder(FORMAT).append('\n');
    sb.append(key.description().length()).append('\n').append(key.description()).append('\n');
    sb.append("nodes ").append(nodes).append('\n');
    sb.append("bytes ").append(modelBytes).append('\n');
    sb.append("check ").append(check).append('\n');
    sb.append("output ").append(enc(info.modelOutput())).append(' ').append(dims(info.modelOutputShape())).append('\n');
    info.inputShapes().forEach((name, shape) -> sb.append("input ").append(enc(name)).append(' ')
        .append(dims(shape)).append('\n'));
    for (GradientProgram.LayerGradient l : info.layers()) {
      LayerResolver.Layer y = l.layer();
      // a layer given as a tensor name has no module: "-", as a missing gradient
      sb.append("layer ").append(enc(y.spec())).append(' ').append(y.module() == null ? "-" : enc(y.module()))
          .append(' ').append(y.element()).append(' ').append(enc(y.tensor())).append(' ').append(enc(l.activation()))
          .append(' ')
          .append(l.gradient() == null ? "-" : enc(l.gradient())).append(' ').append(dims(l.shape())).append('\n');
    }
    for (String o : info.outputs()) {
      sb.append("out ").append(enc(o)).append('\n');
    }
    // a file cut short (a full disk, a hand edit) has no end line and is not an entry
    return sb.append("end\n").toString();
  }

  /** An entry's records: what the program's outputs are, its size and its check. */
  record Records(GradientProgram.Info info, int nodes, long bytes, String check) {}

  /** The records after the description. */
  static Records parse(List<String> lines) {
    int nodes = -1;
    long bytes = -1;
    String check = null;
    boolean end = false;
    String output = null;
    long[] outputShape = null;
    Map<String, long[]> inputs = new LinkedHashMap<>();
    List<GradientProgram.LayerGradient> layers = new ArrayList<>();
    List<String> outs = new ArrayList<>();
    for (String line : lines) {
      if (line.isEmpty()) {
        continue;
      }
      if (end) {
        throw new IllegalArgumentException("records after the end");
      }
      String[] f = line.split(" ", -1);
      switch (f[0]) {
        case "nodes" -> nodes = Integer.parseInt(f[1]);
        case "bytes" -> bytes = Long.parseLong(f[1]);
        case "check" -> check = f[1];
        case "end" -> end = true;
        case "output" -> {
          output = dec(f[1]);
          outputShape = dims(f[2]);
        }
        case "input" -> inputs.put(dec(f[1]), dims(f[2]));
        case "layer" -> layers.add(new GradientProgram.LayerGradient(
            new LayerResolver.Layer(dec(f[1]), f[2].equals("-") ? null : dec(f[2]), Integer.parseInt(f[3]),
                dec(f[4])), dec(f[5]), f[6].equals("-") ? null : dec(f[6]), dims(f[7])));
        case "out" -> outs.add(dec(f[1]));
        default -> throw new IllegalArgumentException("unknown record " + f[0]);
      }
    }
    if (!end || nodes < 0 || output == null || inputs.isEmpty() || layers.isEmpty() || outs.isEmpty() || bytes < 0
        || check == null) {
      throw new IllegalArgumentException("incomplete program entry");
    }
    return new Records(new GradientProgram.Info(layers, output, outputShape, inputs, outs), nodes, bytes, check);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String dec(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String dims(long[] d) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < d.length; i++) {
      sb.append(i == 0 ? "" : ",").append(d[i]);
    }
    return sb.append(']').toString();
  }

  private static long[] dims(String s) {
    String body = s.substring(1, s.length() - 1);
    return body.isEmpty() ? new long[0] : Arrays.stream(body.split(",")).mapToLong(Long::parseLong).toArray();
  }
}
