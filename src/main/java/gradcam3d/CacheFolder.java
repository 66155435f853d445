package gradcam3d;

import java.nio.file.Path;

/**
 * The tool's own cache, the one place outside {@code --out} it writes to (ONNX Runtime's native
 * libraries, compiled programs, the demo's files): {@code $GRADCAM3D_CACHE}, else
 * {@code $XDG_CACHE_HOME/gradcam3d}, else {@code $HOME/.cache/gradcam3d} (the XDG rule; Java's
 * {@code user.home} only where HOME is unset).
 */
public final class CacheFolder {
  private CacheFolder() {}

  public static Path root() {
    String explicit = System.getenv("GRADCAM3D_CACHE");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "gradcam3d");
    }
    String home = System.getenv("HOME");
    if (home == null || home.isBlank()) {
      home = System.getProperty("user.home");
    }
    return Path.of(home, ".cache", "gradcam3d");
  }
}
