package gradcam3d;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * This build's version: the Maven project version and, when built from a git checkout, its commit
 * (and whether the working tree had changes), written into the classes at build time
 * (gradcam3d/version.properties, git-commit-id-maven-plugin). For --version and summary.json.
 */
public final class BuildVersion {
  private static final String TEXT = read();

  private BuildVersion() {}

  /** E.g. "0.1.0-SNAPSHOT (commit 5d81971)", "0.1.0-SNAPSHOT (commit 5d81971, modified)" or "0.1.0-SNAPSHOT". */
  public static String text() {
    return TEXT;
  }

  private static String read() {
    Properties p = new Properties();
    try (InputStream in = BuildVersion.class.getResourceAsStream("/gradcam3d/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // no version file: the fallbacks below
    }
    String version = p.getProperty("git.build.version");
    if (version == null) {
      version = BuildVersion.class.getPackage().getImplementationVersion();
    }
    if (version == null) {
      version = "dev";
    }
    String commit = p.getProperty("git.commit.id.abbrev");
    if (commit == null || commit.isBlank()) {
      return version;
    }
    return version + " (commit " + commit + ("true".equals(p.getProperty("git.dirty")) ? ", modified" : "") + ")";
  }
}
