package gradcam3d.runtime;

import ai.onnxruntime.OrtEnvironment;
import gradcam3d.CacheFolder;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where ONNX Runtime's native libraries are loaded from. Left alone, ONNX Runtime's Java binding
 * extracts them (28 MB) into a new {@code onnxruntime-java*} folder in the temp directory on every
 * start and deletes it only on a clean exit. Instead they are extracted once into a per-user cache
 * folder keyed by ONNX Runtime's version and platform, and {@code onnxruntime.native.path} points
 * there. The binding still creates an (empty) temp folder before it looks at that property; it is
 * removed as soon as the libraries are loaded.
 *
 * <p>The cache is {@link CacheFolder#root}. When it cannot be written, or {@code onnxruntime.native.path} is
 * already set, ONNX Runtime's own loading is used unchanged.
 */
final class NativeLibraries {
  private static final String PATH_PROPERTY = "onnxruntime.native.path";
  private static boolean prepared;
  private static boolean tempRemoved;

  private NativeLibraries() {}

  /** Call before ONNX Runtime is first used; later calls do nothing. */
  static synchronized void prepare() {
    if (prepared) {
      return;
    }
    prepared = true;
    if (System.getProperty(PATH_PROPERTY) != null) {
      return;
    }
    String platform = platform();
    String version = OrtEnvironment.class.getPackage().getImplementationVersion();
    if (platform == null || version == null) {
      return;
    }
    Path dir = cacheRoot().resolve("onnxruntime-" + version + "-" + platform);
    try {
      Files.createDirectories(dir);
      boolean any = false;
      for (String name : new String[] {"onnxruntime", "onnxruntime4j_jni",
          "onnxruntime_providers_shared"}) {
        any |= extract("/ai/onnxruntime/native/" + platform + "/" + System.mapLibraryName(name), dir);
      }
      if (any) {
        System.setProperty(PATH_PROPERTY, dir.toString());
      }
    } catch (IOException | SecurityException e) {
      // an unwritable cache: ONNX Runtime extracts into the temp folder as it would by itself
    }
  }

  /**
   * Call once ONNX Runtime is loaded: removes the empty temp folder its loader made. Only that
   * folder, found in the loader's own field, and only if it is empty.
   */
  static synchronized void removeLoaderTempFolder() {
    if (tempRemoved || System.getProperty(PATH_PROPERTY) == null) {
      return;
    }
    tempRemoved = true;
    try {
      Field field = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
      field.setAccessible(true);
      if (field.get(null) instanceof Path temp && Files.isDirectory(temp) && isEmpty(temp)) {
        Files.deleteIfExists(temp);
      }
    } catch (ReflectiveOperationException | RuntimeException | IOException e) {
      // another ONNX Runtime version: its folder goes on exit, as before
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }

  /** Copies a bundled library into {@code dir} unless an identical-sized copy is there already. */
  private static boolean extract(String resource, Path dir) throws IOException {
    URL url = NativeLibraries.class.getResource(resource);
    if (url == null) {
      return false;
    }
    Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
    URLConnection connection = url.openConnection();
    long size = connection.getContentLengthLong();
    if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
      return true;
    }
    // written under a unique name and moved into place, so concurrent first runs never see half a file
    Path partial = dir.resolve("." + target.getFileName() + "."
        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".partial");
    try (InputStream in = connection.getInputStream()) {
      Files.copy(in, partial);
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
    return true;
  }

  static Path cacheRoot() {
    return CacheFolder.root();
  }

  /** ONNX Runtime's folder name for this platform, or null where it bundles none we know. */
  private static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osPart = os.contains("mac") || os.contains("darwin") ? "osx"
        : os.contains("win") ? "win" : os.contains("nux") ? "linux" : null;
    String archPart = arch.startsWith("amd64") || arch.startsWith("x86_64") ? "x64"
        : arch.startsWith("aarch64") ? "aarch64" : null;
    return osPart == null || archPart == null ? null : osPart + "-" + archPart;
  }
}
